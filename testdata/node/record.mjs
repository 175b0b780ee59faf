// record.mjs: records the exact HTTP bodies the Node test peers answer, for the Go golden tests.
//
//   cd testdata/node && npm ci && node record.mjs [peer ...]      (default: js02 js03 js10)
//
// For each peer it starts `node peers/<peer>.mjs --port P` (fixed ports, so the URLs in the cards stay the same
// from one recording to the next), sends each MODE of testdata/peers/MODES.md as the bridge would (T =
// "user: hello world MODE:<mode>"; 0.2/0.3: message/send and message/stream with `kind` parts and
// configuration {acceptedOutputModes:["text/plain"], blocking:true}; 1.0: SendMessage and SendStreamingMessage
// with header A2A-Version: 1.0 and 1.0 parts), and writes the response bodies byte for byte (after HTTP
// de-chunking) to ../recordings/<peer>/:
//   card.json                      GET of the agent card (sent with A2A-Version: 1.0, as the bridge does)
//   <mode>.send.json               message/send | SendMessage
//   <mode>.stream.sse              message/stream | SendStreamingMessage (cut: stream only)
//   nonblocking.get.json           tasks/get | GetTask of the nonblocking task, 800 ms after its send
//   input-followup.send.json       the input-required task's follow-up (same taskId), T = the flattened chat
//   input-followup.stream.sse      the same over a stream (on a second input-required task)
//   nostream.card.json             the card of `--no-stream`
//   nostream.stream.json           a stream call to `--no-stream` (the SDK's JSON error, not SSE)
//   meta.json                      per file: the request (method, text), HTTP status and Content-Type
// messageIds are fixed ("rec-<mode>-send" ...); task/context/message ids the agents mint and timestamps are not.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outRoot = join(here, '..', 'recordings');

const PEERS = {
  js02: { port: 47102, card: '/.well-known/agent.json', rpc: '/', v1: false },
  js03: { port: 47103, card: '/.well-known/agent-card.json', rpc: '/a2a/jsonrpc', v1: false },
  js10: { port: 47110, card: '/.well-known/agent-card.json', rpc: '/a2a/jsonrpc', v1: true },
};
const MODES = ['default', 'message', 'snapshot', 'input', 'fail', 'reject', 'data', 'file', 'progress', 'statusonly',
  'echo', 'nonblocking', 'cut'];
const SEND_ONLY = new Set(['nonblocking']);
const STREAM_ONLY = new Set(['cut']);

const textFor = (mode) => (mode === 'default' ? 'user: hello world' : `user: hello world MODE:${mode}`);

function start(peer, extra = []) {
  const { port } = PEERS[peer];
  const child = spawn(process.execPath, [join(here, 'peers', `${peer}.mjs`), '--port', String(port), ...extra],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      const m = /^READY (http:\/\/\S+)$/.exec(line);
      if (!m) reject(new Error(`${peer}: unexpected first line ${JSON.stringify(line)}`));
      else resolve({ base: m[1], stop: () => child.stdin.end() });
    });
    child.once('exit', (code) => reject(new Error(`${peer} exited with ${code} before READY`)));
  });
}

function rpcBody(v1, method, params) {
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
}

function messageParams(v1, id, text, taskId) {
  if (v1) {
    return { message: { role: 'ROLE_USER', messageId: id, ...(taskId && { taskId }), parts: [{ text }] },
      configuration: { acceptedOutputModes: ['text/plain'] } };
  }
  return { message: { kind: 'message', role: 'user', messageId: id, ...(taskId && { taskId }),
    parts: [{ kind: 'text', text }] }, configuration: { acceptedOutputModes: ['text/plain'], blocking: true } };
}

async function record(peer, base, meta, file, { method, params, stream = false, get = false, note }) {
  const { card, rpc, v1 } = PEERS[peer];
  const headers = v1 ? { 'A2A-Version': '1.0' } : {};
  let res;
  if (get) {
    res = await fetch(base + card, { headers: { 'A2A-Version': '1.0' } });
  } else {
    res = await fetch(base + rpc, { method: 'POST', body: rpcBody(v1, method, params),
      headers: { ...headers, 'Content-Type': 'application/json', ...(stream && { Accept: 'text/event-stream' }) } });
  }
  const body = Buffer.from(await res.arrayBuffer());
  writeFileSync(join(outRoot, peer, file), body);
  meta[file] = { request: get ? `GET ${card}` : method, ...(note && { note }),
    ...(params?.message && { text: params.message.parts[0].text }), status: res.status,
    contentType: res.headers.get('content-type') };
  return body.toString('utf8');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The taskId of the first Task in a send result or stream (0.x: result.kind=task; 1.0: result.task).
function taskIdOf(body) {
  const m = /"(?:kind":"task","id|task":\{"id)":"([^"]+)"/.exec(body);
  if (!m) throw new Error(`no task in ${body.slice(0, 200)}`);
  return m[1];
}

async function recordPeer(peer) {
  const { v1 } = PEERS[peer];
  const send = v1 ? 'SendMessage' : 'message/send';
  const stream = v1 ? 'SendStreamingMessage' : 'message/stream';
  const getTask = v1 ? 'GetTask' : 'tasks/get';
  mkdirSync(join(outRoot, peer), { recursive: true });
  const meta = {};

  const p = await start(peer);
  try {
    await record(peer, p.base, meta, 'card.json', { get: true });
    for (const mode of MODES) {
      const text = textFor(mode);
      if (!STREAM_ONLY.has(mode)) {
        const body = await record(peer, p.base, meta, `${mode}.send.json`,
          { method: send, params: messageParams(v1, `rec-${mode}-send`, text) });
        if (mode === 'nonblocking') {
          await sleep(800);
          await record(peer, p.base, meta, 'nonblocking.get.json',
            { method: getTask, params: { id: taskIdOf(body) }, note: 'GetTask 800 ms after the send' });
        }
        if (mode === 'input') {
          const chat = `${text}\nassistant: Which city?\nuser: Paris`;
          await record(peer, p.base, meta, 'input-followup.send.json', { method: send, note: 'same taskId',
            params: messageParams(v1, 'rec-input-followup-send', chat, taskIdOf(body)) });
        }
      }
      if (!SEND_ONLY.has(mode)) {
        const body = await record(peer, p.base, meta, `${mode}.stream.sse`,
          { method: stream, stream: true, params: messageParams(v1, `rec-${mode}-stream`, text) });
        if (mode === 'input') {
          const chat = `${text}\nassistant: Which city?\nuser: Paris`;
          await record(peer, p.base, meta, 'input-followup.stream.sse', { method: stream, stream: true,
            note: 'same taskId', params: messageParams(v1, 'rec-input-followup-stream', chat, taskIdOf(body)) });
        }
      }
    }
  } finally {
    p.stop();
  }

  const q = await start(peer, ['--no-stream']);
  try {
    await record(peer, q.base, meta, 'nostream.card.json', { get: true, note: '--no-stream' });
    await record(peer, q.base, meta, 'nostream.stream.json', { method: stream, stream: true, note: '--no-stream',
      params: messageParams(v1, 'rec-nostream-stream', textFor('default')) });
  } finally {
    q.stop();
  }
  await sleep(200); // let the peers exit and free their ports

  const sorted = Object.fromEntries(Object.keys(meta).sort().map((k) => [k, meta[k]]));
  writeFileSync(join(outRoot, peer, 'meta.json'), JSON.stringify(sorted, null, 2) + '\n');
  console.log(`${peer}: ${Object.keys(meta).length} files in ${join(outRoot, peer)}`);
}

const wanted = process.argv.slice(2);
for (const peer of wanted.length ? wanted : Object.keys(PEERS)) {
  if (!PEERS[peer]) throw new Error(`unknown peer ${peer}; known: ${Object.keys(PEERS).join(' ')}`);
  await recordPeer(peer);
}
