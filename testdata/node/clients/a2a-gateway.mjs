// a2a-gateway.mjs: drives a real A2A SDK client against a2a-bridge's A2A gateway, for its Go tests.
//
//   echo '{"sdk":"0.3","url":"http://127.0.0.1:8080/a2a/helper","apiKey":"sk-x"}' | node clients/a2a-gateway.mjs
//
// sdk: "0.3" (@a2a-js/sdk 0.3.14) or "1.3" (@a2a-js/sdk 1.3.0, npm alias a2a-sdk-13, legacy compat on).
// The client resolves the card from url itself, then: send "hello world", stream "hello there", get the sent
// task, send "MODE:input" and cancel that task (unless noCancel), and with resubscribe: true re-attach to a
// running task ("resubscribe": its events). Every byte the client received (card included) is returned in
// "received", so the test can prove the agent's URL never reached it.
// Prints exactly one JSON line: {"ok":true,"send":…,"stream":[…],"get":…,"cancel":…,"received":"…"}, or
// {"ok":false,"error":"…","received":"…"} (exit 0).
import * as v03 from '@a2a-js/sdk/client';
import * as v13 from 'a2a-sdk-13/client';
import { Role } from 'a2a-sdk-13';
import { randomUUID } from 'node:crypto';

let input = '';
for await (const b of process.stdin) input += b;
const { sdk, url, apiKey, noCancel, resubscribe } = JSON.parse(input);
const received = [];
const fetchImpl = async (u, init = {}) => {
  const headers = new Headers(init.headers);
  if (apiKey) headers.set('Authorization', `Bearer ${apiKey}`);
  const res = await fetch(u, { ...init, headers });
  received.push(res.clone().text().then((t) => `${res.status} ${[...res.headers].join(' ')}\n${t}`));
  return res;
};
const lib = sdk === '1.3' ? v13 : v03;
const compat = sdk === '1.3' ? { legacyCompat: { enabled: true } } : {};
const msg = (text, extra = {}) => sdk === '1.3'
  ? { message: { messageId: randomUUID(), role: Role.ROLE_USER, parts: [{ content: { $case: 'text', value: text } }], ...extra } }
  : { message: { kind: 'message', messageId: randomUUID(), role: 'user', parts: [{ kind: 'text', text }], ...extra } };
const taskOf = (r) => (r?.kind === 'task' || r?.status) ? r : (r?.payload?.value ?? r);
const out = {};
try {
  const factory = new lib.ClientFactory(lib.ClientFactoryOptions.createFrom(lib.ClientFactoryOptions.default, {
    transports: [new lib.JsonRpcTransportFactory({ fetchImpl, ...compat })],
    cardResolver: new lib.DefaultAgentCardResolver({ fetchImpl, ...compat }),
  }));
  const client = await factory.createFromUrl(url);
  const sent = taskOf(await client.sendMessage(msg('hello world')));
  out.send = sent;
  out.stream = [];
  for await (const ev of client.sendMessageStream(msg('hello there'))) out.stream.push(ev);
  out.get = await client.getTask({ id: sent.id });
  if (!noCancel) {
    const asked = taskOf(await client.sendMessage(msg('hello MODE:input')));
    out.cancel = await cancelSettled(client, asked.id);
  }
  if (resubscribe) await resubscribeOnce(client);
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = String(e?.stack ?? e);
}
out.received = (await Promise.all(received)).join('\n');

// cancelSettled cancels an input-required task. The a2a-go v2 agent answers a cancel that comes while its
// execution of the send still winds down (the send was answered at input-required) with that execution's result,
// "non-cancelable state INPUT_REQUIRED" (its internal/taskexec promise); once the execution is gone the same cancel
// succeeds. That window is not observable from outside, so such an answer is retried, with a growing pause, 8 times
// at most; any other error is thrown.
async function cancelSettled(client, id) {
  for (let i = 1; ; i++) {
    try {
      return await client.cancelTask({ id });
    } catch (e) {
      if (i >= 8 || !/non-cancelable state.*INPUT_REQUIRED/i.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 25 * i));
    }
  }
}

// resubscribeOnce re-attaches to a running task: "MODE:nonblocking" answers the send at once and completes
// about 300 ms later, so a re-attach that came too late (one event, or an ended-task error) is tried again,
// three times at most. The events go in out.resubscribe.
async function resubscribeOnce(client) {
  for (let i = 0; i < 3; i++) {
    const running = taskOf(await client.sendMessage(msg('hello MODE:nonblocking')));
    out.resubscribe = [];
    try {
      for await (const ev of client.resubscribeTask({ id: running.id })) out.resubscribe.push(ev);
    } catch (e) {
      out.resubscribeError = String(e?.stack ?? e);
      continue;
    }
    if (out.resubscribe.length > 1) return;
  }
}
process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n');
