// The agent executor of the two `kind`-dialect peers, js02.mjs (@a2a-js/sdk 0.2.5) and js03.mjs (0.3.14): both
// SDKs take the same executor shape, execute(requestContext, eventBus), and the same 0.2/0.3 event objects
// (kind: 'task' | 'status-update' | 'artifact-update' | 'message', final:true ends a stream). It turns the steps
// of lib/modes.mjs into those events; each peer still runs them through its own SDK's DefaultRequestHandler.
import { randomUUID } from 'node:crypto';
import { ARTIFACT_ID, plan, sleep, turnCounter } from './modes.mjs';

/** textOf joins the text parts of a 0.2/0.3 message with "". */
export const textOf = (msg) => (msg?.parts ?? []).filter((p) => p.kind === 'text').map((p) => p.text).join('');

const now = () => new Date().toISOString();

function part(p) {
  if (p.text !== undefined) return { kind: 'text', text: p.text };
  if (p.data !== undefined) return { kind: 'data', data: p.data };
  return { kind: 'file', file: { ...p.file } }; // {name, mimeType, uri} or {name, mimeType, bytes}
}

export class KindEcho {
  turns = turnCounter();
  canceled = new Set();
  contexts = new Map(); // taskId -> contextId, for cancelTask

  async execute(rc, bus) {
    const { taskId, contextId, userMessage, task } = rc;
    this.contexts.set(taskId, contextId);
    const { steps } = plan(textOf(userMessage), { followUp: !!task, turn: this.turns.next(contextId), metadata: userMessage.metadata });
    const agentMessage = (text) => ({ kind: 'message', role: 'agent', messageId: randomUUID(), taskId, contextId,
      parts: [{ kind: 'text', text }] });
    for (const s of steps) {
      if (this.canceled.has(taskId)) break;
      switch (s.op) {
        case 'sleep':
          await sleep(s.ms);
          break;
        case 'message':
          bus.publish({ kind: 'message', role: 'agent', messageId: randomUUID(), contextId,
            parts: [{ kind: 'text', text: s.text }] });
          break;
        case 'task':
          bus.publish({ kind: 'task', id: taskId, contextId, history: [userMessage],
            status: { state: s.state, timestamp: now(), ...(s.echoUser && { message: userMessage }) } });
          break;
        case 'status':
          bus.publish({ kind: 'status-update', taskId, contextId, final: s.final, status: { state: s.state,
            timestamp: now(), ...(s.text !== undefined && { message: agentMessage(s.text) }) } });
          break;
        case 'artifact':
          bus.publish({ kind: 'artifact-update', taskId, contextId, append: s.append, lastChunk: s.lastChunk,
            artifact: { artifactId: ARTIFACT_ID, parts: s.parts.map(part) } });
          break;
      }
    }
    bus.finished(); // without a final status-update (MODE:cut) this ends the stream with no final event
  }

  // tasks/cancel on a task still running (MODE:slow, MODE:nonblocking) stops its steps and reports canceled.
  // Finished tasks are answered TaskNotCancelable by the SDK itself, and tasks that wait for input are canceled
  // by the SDK itself.
  async cancelTask(taskId, bus) {
    this.canceled.add(taskId);
    bus.publish({ kind: 'status-update', taskId, contextId: this.contexts.get(taskId), final: true,
      status: { state: 'canceled', timestamp: now() } });
    bus.finished();
  }
}
