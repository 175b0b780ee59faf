// sdks.mjs: drives the OpenAI-compatible clients people use besides openai-node and LangChain, each on its
// default settings (retries included), against a base URL, for a2a-bridge's Go tests.
//
//   echo '{"client":"ai-openai","baseURL":"http://127.0.0.1:8080/v1","model":"a2a/x","scenario":"stream-usage",
//          "messages":[{"role":"user","content":"hi"}]}' | node clients/sdks.mjs
//
// client:   "ai-openai"  the Vercel AI SDK (`ai`) with @ai-sdk/openai's chat-completions model
//           "ai-compat"  the AI SDK with @ai-sdk/openai-compatible (includeUsage: true)
//           "agents"     the OpenAI Agents SDK (@openai/agents) on OpenAIChatCompletionsModel
//           "llamaindex" LlamaIndex TS (@llamaindex/openai)
//           "openai4"    openai 4.x (npm alias openai-4)
//           "openai"     openai (the project's 6.x), for the "model" scenario only
// scenario: "nonstream"    -> {"ok":true,"content":"..."}
//           "stream-usage" -> {"ok":true,"content":"...","usage":{"input":N,"output":N}}
//           "abort"        -> a stream aborted by the client after its first text: {"ok":true,"content":"<first text>"}
//           "model"        -> models.retrieve(model) (openai4, openai): {"ok":true,"content":"<the id>"}
// headers:  optional extra request headers (X-A2A-Context-Id ...).
// Prints exactly one JSON line on stdout. A client error is {"ok":false,"error":{name,status,message}} with exit 0.
import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { Agent, run, OpenAIChatCompletionsModel, setTracingDisabled } from '@openai/agents';
import { OpenAI as LlamaOpenAI } from '@llamaindex/openai';
import OpenAI from 'openai';
import OpenAI4 from 'openai-4';

const usage = (why) => { console.error(`sdks.mjs: ${why}`); process.exit(1); };

let input = '';
for await (const b of process.stdin) input += b;
let job;
try { job = JSON.parse(input); } catch (e) { usage(`stdin is not one JSON object: ${e.message}`); }
const { client, baseURL, apiKey = 'unused', model, scenario, messages, headers = {} } = job ?? {};
if (typeof baseURL !== 'string' || !Array.isArray(messages)) usage('need baseURL and messages');
if (!['nonstream', 'stream-usage', 'abort', 'model'].includes(scenario)) usage(`unknown scenario ${JSON.stringify(scenario)}`);

// The AI SDK: user/assistant messages; a system turn goes in its instructions option.
async function aiSDK(lm) {
  const opts = { model: lm, messages: messages.filter((m) => m.role !== 'system'), headers };
  const sys = messages.find((m) => m.role === 'system');
  if (sys) opts.instructions = sys.content;
  if (scenario === 'nonstream') {
    const r = await generateText(opts);
    return { content: r.text };
  }
  const ctl = new AbortController();
  const r = streamText({ ...opts, abortSignal: ctl.signal, onError: () => {} });
  let content = '';
  for await (const part of r.fullStream) {
    if (part.type === 'error') throw part.error;
    if (part.type === 'text-delta') {
      content += part.text ?? part.delta ?? '';
      if (scenario === 'abort' && content) { ctl.abort(); return { content }; }
    }
  }
  const u = await r.usage;
  return { content, usage: { input: u.inputTokens, output: u.outputTokens } };
}

async function agentsSDK() {
  setTracingDisabled(true); // never export traces anywhere
  const oc = new OpenAI({ baseURL, apiKey, defaultHeaders: headers });
  const agent = new Agent({ name: 'bridge', model: new OpenAIChatCompletionsModel(oc, model) });
  // The Agents SDK takes the conversation as input items; the system turn, if any, as instructions.
  const items = messages.filter((m) => m.role !== 'system').map((m) =>
    m.role === 'assistant'
      ? { role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: m.content }] }
      : { role: 'user', content: m.content });
  const sys = messages.find((m) => m.role === 'system');
  if (sys) agent.instructions = sys.content;
  if (scenario === 'nonstream') {
    const r = await run(agent, items);
    return { content: r.finalOutput };
  }
  const ctl = new AbortController();
  const r = await run(agent, items, { stream: true, signal: ctl.signal });
  let content = '';
  for await (const text of r.toTextStream()) {
    content += text;
    if (scenario === 'abort' && content) { ctl.abort(); return { content }; }
  }
  await r.completed;
  if (r.error) throw r.error;
  const u = r.state?.usage ?? r.state?._context?.usage;
  return { content, usage: u && { input: u.inputTokens, output: u.outputTokens } };
}

async function llamaIndex() {
  const llm = new LlamaOpenAI({ model, apiKey, baseURL, additionalSessionOptions: { defaultHeaders: headers } });
  if (scenario === 'nonstream') {
    const r = await llm.chat({ messages });
    return { content: r.message.content };
  }
  const s = await llm.chat({ messages, stream: true });
  let content = '';
  for await (const chunk of s) {
    content += chunk.delta ?? '';
    if (scenario === 'abort' && content) { s.controller?.abort?.(); return { content }; }
  }
  return { content };
}

async function openai4() {
  const c = new OpenAI4({ baseURL, apiKey, defaultHeaders: headers });
  if (scenario === 'nonstream') {
    const r = await c.chat.completions.create({ model, messages });
    return { content: r.choices[0].message.content };
  }
  const s = await c.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
  let content = '', u = null;
  for await (const chunk of s) {
    content += chunk.choices?.[0]?.delta?.content ?? '';
    if (chunk.usage) u = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
    if (scenario === 'abort' && content) { s.controller.abort(); return { content }; }
  }
  return { content, usage: u };
}

// retrieve: models.retrieve escapes the slash of the id (GET /v1/models/a2a%2Fx).
async function retrieve(Client) {
  const m = await new Client({ baseURL, apiKey }).models.retrieve(model);
  return { content: m.id };
}

let out;
try {
  let r;
  switch (client) {
    case 'ai-openai': r = await aiSDK(createOpenAI({ baseURL, apiKey }).chat(model)); break;
    case 'ai-compat': r = await aiSDK(createOpenAICompatible({ name: 'bridge', baseURL, apiKey, includeUsage: true })(model)); break;
    case 'agents': r = await agentsSDK(); break;
    case 'llamaindex': r = await llamaIndex(); break;
    case 'openai4': r = scenario === 'model' ? await retrieve(OpenAI4) : await openai4(); break;
    case 'openai': r = await retrieve(OpenAI); break;
    default: usage(`unknown client ${JSON.stringify(client)}`);
  }
  out = { ok: true, ...r };
} catch (err) {
  const e = err?.lastError ?? err; // the AI SDK's RetryError wraps the last attempt
  out = { ok: false, error: { name: err?.constructor?.name ?? 'Error', status: e?.statusCode ?? e?.status ?? null,
    message: String(e?.message ?? e) } };
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0); // an aborted client may leave a socket open
