// js03.mjs: a real A2A protocol-0.3 echo agent built on @a2a-js/sdk 0.3.14, for a2a-bridge's Go tests.
//
//   node peers/js03.mjs [--port N] [--no-stream]     (default 0 = a random free port on 127.0.0.1)
//
// Once listening it prints exactly one stdout line, "READY http://127.0.0.1:<port>", and nothing more on stdout.
// It exits when its stdin closes (so a dying test leaves no orphan; give it a pipe, not /dev/null) and on SIGTERM.
// Routes: JSON-RPC at /a2a/jsonrpc, agent card at /.well-known/agent-card.json.
// --no-stream serves capabilities.streaming:false; the SDK then answers message/stream itself with -32004.
//
// The reply text is R = "echo: " + T, where T is all text parts of the user message joined with "". The
// behaviours (default, MODE:message, MODE:snapshot, MODE:input, ...) are those of testdata/peers/MODES.md:
// lib/modes.mjs spells them out as steps and lib/kind-executor.mjs publishes them as 0.3 events.
// Chunks: R.match(/\S+\s*|\s+/g) on artifact 'a1', so their concatenation is exactly R.
import { parseArgs, serve } from './lib/peer.mjs'; // first: it points console.log at stderr
import { nonBlocking } from './lib/modes.mjs';
import { KindEcho, textOf } from './lib/kind-executor.mjs';
import express from 'express';
import { AGENT_CARD_PATH } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';

const { port, streaming } = parseArgs(process.argv.slice(2), 'js03.mjs');

const card = {
  name: 'js-echo-03', description: 'echo agent for a2a-bridge tests', version: '0.0.1',
  protocolVersion: '0.3.0', url: '', preferredTransport: 'JSONRPC', // url is filled in once the port is known
  provider: { organization: 'a2a-bridge tests', url: 'https://example.invalid' },
  capabilities: { streaming, pushNotifications: false },
  defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
  skills: [{ id: 'echo', name: 'echo', description: 'echoes the text it receives', tags: ['echo'] }],
};

// MODE:nonblocking: the agent acts as a non-blocking one whatever the client asked, through the SDK's own
// non-blocking path (configuration.blocking:false): message/send returns the Task as soon as it exists.
class Handler extends DefaultRequestHandler {
  sendMessage(params, context) {
    if (nonBlocking(textOf(params?.message), params?.message?.taskId)) {
      params = { ...params, configuration: { ...params.configuration, blocking: false } };
    }
    return super.sendMessage(params, context);
  }
}

const rh = new Handler(card, new InMemoryTaskStore(), new KindEcho());
const app = express();
app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: rh }));
app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler: rh, userBuilder: UserBuilder.noAuthentication }));

serve(app, port, (base) => {
  card.url = `${base}/a2a/jsonrpc`; // the handler holds this same object
});
