// js02.mjs: a real A2A protocol-0.2 echo agent built on @a2a-js/sdk 0.2.5 (npm alias "a2a-sdk-02"), for
// a2a-bridge's Go tests.
//
//   node peers/js02.mjs [--port N] [--no-stream]     (default 0 = a random free port on 127.0.0.1)
//
// Once listening it prints exactly one stdout line, "READY http://127.0.0.1:<port>", and nothing more on stdout.
// It exits when its stdin closes (so a dying test leaves no orphan; give it a pipe, not /dev/null) and on SIGTERM.
// Routes, as the 0.2.5 SDK's A2AExpressApp sets them up: JSON-RPC at "/", agent card at /.well-known/agent.json
// only (no agent-card.json). The SDK brings its own express 4, which this file uses too.
// --no-stream serves capabilities.streaming:false; the SDK then answers message/stream itself with -32004.
//
// The reply text is R = "echo: " + T, where T is all text parts of the user message joined with "". The
// behaviours (default, MODE:message, MODE:snapshot, MODE:input, ...) are those of testdata/peers/MODES.md:
// lib/modes.mjs spells them out as steps and lib/kind-executor.mjs publishes them as 0.2 events (0.2 and 0.3
// share the event shapes).
import { parseArgs, serve } from './lib/peer.mjs'; // first: it points console.log at stderr
import { nonBlocking } from './lib/modes.mjs';
import { KindEcho, textOf } from './lib/kind-executor.mjs';
import { createRequire } from 'node:module';
import { A2AExpressApp, DefaultRequestHandler, InMemoryTaskStore } from 'a2a-sdk-02/server';

// The express the SDK itself resolves (its bundled express 4), not the top-level express 5.
const express = createRequire(import.meta.resolve('a2a-sdk-02/server'))('express');

const { port, streaming } = parseArgs(process.argv.slice(2), 'js02.mjs');

const card = {
  name: 'js-echo-02', description: 'echo agent for a2a-bridge tests', version: '0.0.1',
  protocolVersion: '0.2.5', url: '', preferredTransport: 'JSONRPC', // url is filled in once the port is known
  provider: { organization: 'a2a-bridge tests', url: 'https://example.invalid' },
  capabilities: { streaming, pushNotifications: false },
  defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
  skills: [{ id: 'echo', name: 'echo', description: 'echoes the text it receives', tags: ['echo'] }],
};

// MODE:nonblocking: the agent acts as a non-blocking one whatever the client asked, through the SDK's own
// non-blocking path (configuration.blocking:false): message/send returns the Task as soon as it exists.
class Handler extends DefaultRequestHandler {
  sendMessage(params) {
    if (nonBlocking(textOf(params?.message), params?.message?.taskId)) {
      params = { ...params, configuration: { ...params.configuration, blocking: false } };
    }
    return super.sendMessage(params);
  }
}

const rh = new Handler(card, new InMemoryTaskStore(), new KindEcho());
const app = new A2AExpressApp(rh).setupRoutes(express());

serve(app, port, (base) => {
  card.url = `${base}/`; // the handler holds this same object
});
