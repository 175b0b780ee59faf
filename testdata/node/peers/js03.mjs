// js03.mjs: a real A2A protocol-0.3 echo agent built on @a2a-js/sdk 0.3.14, for a2a-bridge's Go tests.
//
//   node peers/js03.mjs [--port N]     (default 0 = a random free port on 127.0.0.1)
//
// Once listening it prints exactly one stdout line, "READY http://127.0.0.1:<port>", and nothing more on stdout.
// It exits when its stdin closes (so a dying test leaves no orphan; give it a pipe, not /dev/null) and on SIGTERM.
// Routes: JSON-RPC at /a2a/jsonrpc, agent card at /.well-known/agent-card.json.
//
// The reply text is R = "echo: " + T, where T is all text parts of the user message joined with "".
//   T contains "MODE:message"  -> a bare agent Message with R as its one text part (no task).
//   T contains "MODE:snapshot" -> Task(submitted), working, R's chunks on artifact 'a1' (append after the first,
//                                 lastChunk:false), then the FULL R again on 'a1' with append:false, lastChunk:true
//                                 (the Google ADK cumulative re-send), then completed final:true.
//   otherwise                  -> Task(submitted), working, R's chunks on artifact 'a1' (append after the first,
//                                 lastChunk:true on the last), then completed final:true.
// Chunks: R.match(/\S+\s*|\s+/g), so their concatenation is exactly R (one empty chunk if R were empty).
import express from 'express';
import { randomUUID } from 'node:crypto';
import { AGENT_CARD_PATH } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';

// stdout carries only the READY line: send any library chatter to stderr.
console.log = console.info = (...a) => console.error(...a);

const args = process.argv.slice(2);
let port = 0;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port' && i + 1 < args.length) port = Number(args[++i]);
  else if (args[i].startsWith('--port=')) port = Number(args[i].slice(7));
  else { console.error(`usage: node js03.mjs [--port N]`); process.exit(1); }
}
if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error('bad --port'); process.exit(1); }

const card = {
  name: 'js-echo-03', description: 'echo agent for a2a-bridge tests', version: '0.0.1',
  protocolVersion: '0.3.0', url: '', preferredTransport: 'JSONRPC', // url is filled in once the port is known
  provider: { organization: 'a2a-bridge tests', url: 'https://example.invalid' },
  capabilities: { streaming: true, pushNotifications: false },
  defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
  skills: [{ id: 'echo', name: 'echo', description: 'echoes the text it receives', tags: ['echo'] }],
};

const chunksOf = (r) => r.match(/\S+\s*|\s+/g) ?? [''];
const text = (t) => [{ kind: 'text', text: t }];

class Echo {
  async execute(rc, bus) {
    const { taskId, contextId, userMessage, task } = rc;
    const t = (userMessage.parts ?? []).filter((p) => p.kind === 'text').map((p) => p.text).join('');
    const r = 'echo: ' + t;

    if (t.includes('MODE:message')) {
      bus.publish({ kind: 'message', role: 'agent', messageId: randomUUID(), contextId, parts: text(r) });
      bus.finished();
      return;
    }

    const snapshot = t.includes('MODE:snapshot');
    if (!task) {
      bus.publish({ kind: 'task', id: taskId, contextId, history: [userMessage],
        status: { state: 'submitted', timestamp: new Date().toISOString() } });
    }
    bus.publish({ kind: 'status-update', taskId, contextId, final: false,
      status: { state: 'working', timestamp: new Date().toISOString() } });
    const chunks = chunksOf(r);
    chunks.forEach((c, i) => bus.publish({ kind: 'artifact-update', taskId, contextId,
      append: i > 0, lastChunk: !snapshot && i === chunks.length - 1,
      artifact: { artifactId: 'a1', parts: text(c) } }));
    if (snapshot) {
      bus.publish({ kind: 'artifact-update', taskId, contextId, append: false, lastChunk: true,
        artifact: { artifactId: 'a1', parts: text(r) } });
    }
    bus.publish({ kind: 'status-update', taskId, contextId, final: true,
      status: { state: 'completed', timestamp: new Date().toISOString() } });
    bus.finished();
  }

  // Every task completes inside execute(), so the SDK answers tasks/cancel with TaskNotCancelable itself.
  async cancelTask() {}
}

const rh = new DefaultRequestHandler(card, new InMemoryTaskStore(), new Echo());
const app = express();
app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: rh }));
app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler: rh, userBuilder: UserBuilder.noAuthentication }));

const server = app.listen(port, '127.0.0.1', (err) => {
  if (err) { console.error(err); process.exit(1); }
  const base = `http://127.0.0.1:${server.address().port}`;
  card.url = `${base}/a2a/jsonrpc`; // the handler holds this same object
  process.stdout.write(`READY ${base}\n`);
});
server.on('error', (err) => { console.error(err); process.exit(1); });

const quit = () => process.exit(0);
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
process.stdin.on('end', quit).on('close', quit).on('error', quit).resume();
