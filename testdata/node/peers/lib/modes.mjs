// The behaviours of testdata/peers/MODES.md as SDK-neutral steps. Each peer turns the steps into its own SDK's
// events (0.2/0.3 `kind` objects, or 1.0 AgentEvent wrappers with proto parts) and publishes them on its event bus.
//
// T is the text of the user message (all text parts joined with ""); R = "echo: " + T byte for byte. The first
// marker found in T (leftmost; unknown MODE:xyz words are ignored) picks the behaviour. A follow-up message whose
// taskId names a stored, still open task (MODE:input's input-required) always completes that task with R, whatever
// markers its text carries: the bridge re-sends the whole flattened chat, markers included.
//
// Steps (op):
//   {op:'sleep', ms}
//   {op:'message', text}                               a bare agent Message, no task (ends the exchange)
//   {op:'task', state, echoUser}                       the Task, history [user message]; echoUser: status.message
//                                                      is the user's own message
//   {op:'status', state, text?, final}                 a status update; text -> an agent status message
//   {op:'artifact', parts, append, lastChunk}          on artifact ARTIFACT_ID; parts are {text} | {data} |
//                                                      {file:{name, mimeType, uri}} | {file:{name, mimeType, bytes}}
//                                                      (bytes base64)
// States are spelled the 0.2/0.3 way ('submitted', 'input-required', ...); the 1.0 peer maps them to enums.
// When the steps run out without a final status (MODE:cut), the peer just ends its execution: the SDK then closes
// the stream with no final event.

export const ARTIFACT_ID = 'a1';

export const MODES = ['message', 'snapshot', 'input', 'fail', 'reject', 'data', 'file', 'progress', 'statusonly',
  'echo', 'slow', 'nonblocking', 'cut', 'count', 'meta'];
const MODE_RE = new RegExp(`MODE:(${MODES.join('|')})`);

/** modeOf returns the first marker's mode found in t, or 'default'. */
export function modeOf(t) {
  return MODE_RE.exec(t)?.[1] ?? 'default';
}

export const TEXT = {
  question: 'Which city?',
  failure: 'the tool crashed',
  rejection: 'I will not do that',
  progress1: 'Looking things up…',
  progress2: 'Almost there…',
  thinking: 'Thinking…',
};

export const FILE_URI = { name: 'report.pdf', mimeType: 'application/pdf', uri: 'https://example.invalid/report.pdf' };
export const FILE_BYTES = { name: 'tiny.txt', mimeType: 'text/plain', bytes: Buffer.from('hello').toString('base64') };

/** chunksOf cuts r into runs of non-space plus their trailing space; their concatenation is exactly r. */
export const chunksOf = (r) => r.match(/\S+\s*|\s+/g) ?? [''];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** turnCounter counts the messages received per contextId (MODE:count): next(ctx) is 1 for a new context. */
export function turnCounter() {
  const seen = new Map();
  return { next: (ctx) => { const n = (seen.get(ctx) ?? 0) + 1; seen.set(ctx, n); return n; } };
}

// R as artifact chunks: the first starts the artifact (append false), the rest append; lastChunk on the last
// unless `open` (the snapshot re-send or the cut follow).
function chunkSteps(r, { open = false, limit = Infinity } = {}) {
  const chunks = chunksOf(r).slice(0, limit);
  return chunks.map((c, i) => ({ op: 'artifact', parts: [{ text: c }], append: i > 0,
    lastChunk: !open && i === chunks.length - 1 }));
}

const submitted = (echoUser = false) => ({ op: 'task', state: 'submitted', echoUser });
const status = (state, text, final = false) => ({ op: 'status', state, text, final });
const completed = (text) => status('completed', text, true);

/**
 * plan returns {mode, steps} for the user text t.
 *   followUp: the message continues a stored task (rc.task is set)
 *   turn:     how many messages this agent has now received in the message's contextId (for MODE:count)
 *   metadata: the message's metadata (for MODE:meta)
 */
export function plan(t, { followUp = false, turn = 1, metadata } = {}) {
  const r = 'echo: ' + t;
  if (followUp) return { mode: 'followup', steps: [status('working'), ...chunkSteps(r), completed()] };

  const mode = modeOf(t);
  const plain = (reply) => [submitted(), status('working'), ...chunkSteps(reply), completed()];
  switch (mode) {
    case 'message':
      return { mode, steps: [{ op: 'message', text: r }] };
    case 'snapshot':
      return { mode, steps: [submitted(), status('working'), ...chunkSteps(r, { open: true }),
        { op: 'artifact', parts: [{ text: r }], append: false, lastChunk: true }, completed()] };
    case 'input':
      return { mode, steps: [submitted(), status('working'), status('input-required', TEXT.question, true)] };
    case 'fail':
      return { mode, steps: [submitted(), status('working'), status('failed', TEXT.failure, true)] };
    case 'reject':
      return { mode, steps: [submitted(), status('rejected', TEXT.rejection, true)] };
    case 'data':
      return { mode, steps: [submitted(), status('working'),
        { op: 'artifact', parts: [{ text: 'result:' }, { data: { answer: 42 } }], append: false, lastChunk: true },
        completed()] };
    case 'file':
      return { mode, steps: [submitted(), status('working'),
        { op: 'artifact', parts: [{ file: FILE_URI }, { file: FILE_BYTES }], append: false, lastChunk: true },
        completed()] };
    case 'progress':
      return { mode, steps: [submitted(), status('working', TEXT.progress1), status('working', TEXT.progress2),
        ...chunkSteps(r), completed()] };
    case 'statusonly':
      return { mode, steps: [submitted(), status('working', TEXT.thinking), completed(r)] };
    case 'echo':
      return { mode, steps: [submitted(true), status('working'), ...chunkSteps(r), completed()] };
    case 'slow':
      return { mode, steps: [{ op: 'sleep', ms: 3000 }, ...plain(r)] };
    case 'nonblocking': // the peer's request handler also forces the send to return at once (see nonBlocking)
      return { mode, steps: [submitted(), { op: 'sleep', ms: 300 }, status('working'), ...chunkSteps(r),
        completed()] };
    case 'cut':
      return { mode, steps: [submitted(), status('working'), ...chunkSteps(r, { open: true, limit: 2 })] };
    case 'count':
      return { mode, steps: plain(`turn ${turn}: ` + t) };
    case 'meta':
      return { mode, steps: [{ op: 'message', text: 'meta: ' + JSON.stringify(metadata ?? null) }] };
    default:
      return { mode, steps: plain(r) };
  }
}

/** nonBlocking tells a peer's request handler that this new message asks for the non-blocking behaviour. */
export const nonBlocking = (t, taskId) => !taskId && modeOf(t) === 'nonblocking';
