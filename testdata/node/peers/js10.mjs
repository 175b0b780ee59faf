// js10.mjs: a real A2A protocol-1.0 echo agent built on @a2a-js/sdk 1.3.0 (npm alias "a2a-sdk-13"), for
// a2a-bridge's Go tests. Pure 1.0: no legacyCompat, so 0.3 calls (message/send, or no A2A-Version header) are
// refused by the SDK (-32009 version not supported).
//
//   node peers/js10.mjs [--port N] [--no-stream]     (default 0 = a random free port on 127.0.0.1)
//
// Once listening it prints exactly one stdout line, "READY http://127.0.0.1:<port>", and nothing more on stdout.
// It exits when its stdin closes (so a dying test leaves no orphan; give it a pipe, not /dev/null) and on SIGTERM.
// Routes: JSON-RPC 1.0 at /a2a/jsonrpc (SendMessage, SendStreamingMessage, GetTask, ... with header
// A2A-Version: 1.0), agent card at /.well-known/agent-card.json (supportedInterfaces, one JSONRPC 1.0 entry).
// --no-stream serves capabilities.streaming:false; the SDK then answers SendStreamingMessage itself with -32004.
//
// The reply text is R = "echo: " + T, where T is all text parts of the user message joined with "". The
// behaviours (default, MODE:message, MODE:snapshot, MODE:input, ...) are those of testdata/peers/MODES.md:
// lib/modes.mjs spells them out as steps, which this file publishes as 1.0 AgentEvents (enum states and roles,
// proto parts). 1.0 has no `final`: the SDK ends a stream at a terminal or input-required status, or when
// execute() returns (MODE:cut).
import { parseArgs, serve } from './lib/peer.mjs'; // first: it points console.log at stderr
import { ARTIFACT_ID, nonBlocking, plan, sleep, turnCounter } from './lib/modes.mjs';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { AGENT_CARD_PATH, Role, TaskState } from 'a2a-sdk-13';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from 'a2a-sdk-13/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from 'a2a-sdk-13/server/express';

const { port, streaming } = parseArgs(process.argv.slice(2), 'js10.mjs');

// The card is served as JSON.stringify of this object, so it is written in its 1.0 JSON form, every field the
// SDK's AgentCard type has (the SDK is strict about shapes elsewhere).
const card = {
  name: 'js-echo-10', description: 'echo agent for a2a-bridge tests', version: '0.0.1',
  supportedInterfaces: [{ url: '', protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }], // url: below
  provider: { organization: 'a2a-bridge tests', url: 'https://example.invalid' },
  documentationUrl: '',
  capabilities: { streaming, pushNotifications: false, extensions: [], extendedAgentCard: false },
  securitySchemes: {}, securityRequirements: [],
  defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
  skills: [{ id: 'echo', name: 'echo', description: 'echoes the text it receives', tags: ['echo'],
    examples: [], inputModes: [], outputModes: [], securityRequirements: [] }],
  signatures: [],
};

/** textOf joins the text parts of a 1.0 (proto) message with "". */
const textOf = (msg) => (msg?.parts ?? []).map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
const now = () => new Date().toISOString();
const state = (s) => TaskState[`TASK_STATE_${s.toUpperCase().replace('-', '_')}`]; // 'input-required' -> 6

function part(p) {
  const proto = (content, mediaType, filename = '') => ({ content, mediaType, filename, metadata: undefined });
  if (p.text !== undefined) return proto({ $case: 'text', value: p.text }, 'text/plain');
  if (p.data !== undefined) return proto({ $case: 'data', value: p.data }, 'application/json');
  const f = p.file;
  return f.uri !== undefined
    ? proto({ $case: 'url', value: f.uri }, f.mimeType, f.name)
    : proto({ $case: 'raw', value: Buffer.from(f.bytes, 'base64') }, f.mimeType, f.name);
}

class Echo {
  turns = turnCounter();
  canceled = new Set();

  async execute(rc, bus) {
    const { taskId, contextId, userMessage, task } = rc;
    const { steps } = plan(textOf(userMessage), { followUp: !!task, turn: this.turns.next(contextId), metadata: userMessage.metadata });
    const agentMessage = (text, extra = {}) => ({ messageId: randomUUID(), contextId, taskId, role: Role.ROLE_AGENT,
      parts: [part({ text })], metadata: undefined, extensions: [], referenceTaskIds: [], ...extra });
    const statusUpdate = (s, text) => AgentEvent.statusUpdate({ taskId, contextId, metadata: undefined,
      status: { state: state(s), message: text === undefined ? undefined : agentMessage(text), timestamp: now() } });

    // A 1.3 stream must start with a Task or a Message: a follow-up first re-publishes the stored task.
    if (task) bus.publish(AgentEvent.task(task));
    try {
      for (const s of steps) {
        if (this.canceled.has(taskId)) {
          bus.publish(statusUpdate('canceled'));
          return;
        }
        switch (s.op) {
          case 'sleep':
            await sleep(s.ms);
            break;
          case 'message':
            bus.publish(AgentEvent.message(agentMessage(s.text, { taskId: '' })));
            break;
          case 'task':
            bus.publish(AgentEvent.task({ id: taskId, contextId, artifacts: [], history: [userMessage],
              metadata: undefined,
              status: { state: state(s.state), message: s.echoUser ? userMessage : undefined, timestamp: now() } }));
            break;
          case 'status':
            bus.publish(statusUpdate(s.state, s.text)); // no `final` in 1.0
            break;
          case 'artifact':
            bus.publish(AgentEvent.artifactUpdate({ taskId, contextId, append: s.append, lastChunk: s.lastChunk,
              metadata: undefined, artifact: { artifactId: ARTIFACT_ID, name: '', description: '',
                parts: s.parts.map(part), metadata: undefined, extensions: [] } }));
            break;
        }
      }
    } finally {
      this.canceled.delete(taskId);
    }
    // Returning ends the execution: the SDK closes the stream, with no terminal status after MODE:cut's chunks.
  }

  // The SDK's sample pattern: mark the task, execute() publishes CANCELED at its next step.
  async cancelTask(taskId) {
    this.canceled.add(taskId);
  }
}

// MODE:nonblocking: the agent acts as a non-blocking one whatever the client asked, through the SDK's own
// non-blocking path (configuration.returnImmediately): SendMessage returns the Task as soon as it exists.
class Handler extends DefaultRequestHandler {
  sendMessage(params, context) {
    if (nonBlocking(textOf(params?.message), params?.message?.taskId)) {
      params = { ...params, configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined,
        historyLength: undefined, ...params.configuration, returnImmediately: true } };
    }
    return super.sendMessage(params, context);
  }
}

const rh = new Handler(card, new InMemoryTaskStore(), new Echo());
const app = express();
app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: rh }));
app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler: rh, userBuilder: UserBuilder.noAuthentication }));

serve(app, port, (base) => {
  card.supportedInterfaces[0].url = `${base}/a2a/jsonrpc`; // the handler holds this same object
});
