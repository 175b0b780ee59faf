// a2a-rest.mjs: drives @a2a-js/sdk 1.3's REST (HTTP+JSON) transport, alone, against a2a-bridge's A2A gateway,
// for its Go tests.
//
//   echo '{"url":"http://127.0.0.1:8080/a2a/helper","apiKey":"sk-x","noCancel":false}' | node clients/a2a-rest.mjs
//
// The client resolves the card from url itself and builds its transport from the card's HTTP+JSON interface,
// then: send "hello world", stream "hello there", get the sent task, list tasks (the error kept), send "MODE:nonblocking" and
// subscribe to that task while it runs, send "MODE:input" and cancel that task (unless noCancel), and get a
// task that does not exist (the error kept). Every request's method and path are kept in "paths"; every byte
// received in "received". Prints exactly one JSON line: {"ok":true,…}, or {"ok":false,"error":"…",…} (exit 0).
import { ClientFactory, RestTransportFactory, DefaultAgentCardResolver } from 'a2a-sdk-13/client';
import { Role } from 'a2a-sdk-13';
import { randomUUID } from 'node:crypto';

let input = '';
for await (const b of process.stdin) input += b;
const { url, apiKey, noCancel } = JSON.parse(input);
const received = [];
const paths = [];
const fetchImpl = async (u, init = {}) => {
  const headers = new Headers(init.headers);
  if (apiKey) headers.set('Authorization', `Bearer ${apiKey}`);
  paths.push(`${init.method ?? 'GET'} ${new URL(u).pathname}`);
  const res = await fetch(u, { ...init, headers });
  received.push(res.clone().text().then((t) => `${res.status} ${[...res.headers].join(' ')}\n${t}`));
  return res;
};
const msg = (text) => ({ message: { messageId: randomUUID(), role: Role.ROLE_USER, parts: [{ content: { $case: 'text', value: text } }] } });
const taskOf = (r) => r?.payload?.value ?? r;
const out = {};
try {
  // Not createFrom(ClientFactoryOptions.default, …): that merges in the default JSON-RPC transport.
  const factory = new ClientFactory({
    transports: [new RestTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
  });
  const client = await factory.createFromUrl(url);
  const sent = taskOf(await client.sendMessage(msg('hello world')));
  out.send = sent;
  out.stream = [];
  for await (const ev of client.sendMessageStream(msg('hello there'))) out.stream.push(ev);
  out.get = await client.getTask({ id: sent.id });
  try {
    out.list = await client.listTasks({});
  } catch (e) {
    out.listError = String(e?.message ?? e); // a2a-go/v2 lists only for callers it authenticated itself
  }
  const running = taskOf(await client.sendMessage({ ...msg('hello MODE:nonblocking'), configuration: { returnImmediately: true } }));
  out.subscribe = [];
  for await (const ev of client.resubscribeTask({ id: running.id })) out.subscribe.push(ev);
  if (!noCancel) {
    const asked = taskOf(await client.sendMessage(msg('hello MODE:input')));
    out.cancel = await client.cancelTask({ id: asked.id });
  }
  try {
    await client.getTask({ id: 'no-such-task' });
  } catch (e) {
    out.missingError = `${e?.constructor?.name}: ${e?.message}`;
  }
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = String(e?.stack ?? e);
}
out.paths = paths;
out.received = (await Promise.all(received)).join('\n');
process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n');
