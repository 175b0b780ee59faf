// responses.mjs: drives the Responses API clients against a base URL, each on its default settings, for
// a2a-bridge's Go tests (bridge/responses_test.go).
//
//   echo '{"client":"openai","baseURL":"http://127.0.0.1:8080/v1","model":"a2a/x","scenario":"stream",
//          "input":"hi"}' | node clients/responses.mjs
//
// client:   "openai"  openai (6.x): responses.create, and responses.stream (its ResponseStream checks the order)
//           "agents"  the OpenAI Agents SDK on its DEFAULT model (the Responses API), run() and run({stream})
//           "ai"      the Vercel AI SDK's openai(model) (its default: the Responses API), generateText, streamText
// scenario: "nonstream" | "stream" | "abort" (a stream aborted after its first text) |
//           "history" (agents, ai: a first turn of input, then a second of followUp that re-sends the first as
//           the client keeps it: the AI SDK as item_reference items, the Agents SDK as its output items)
// input, instructions, previousResponseId: as the client's own options name them.
// Prints one JSON line: {"ok":true,"content","id","state","usage":{input,output},"events":[types]} or
// {"ok":false,"error":{name,status,message,code}} (exit 0).
import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';

const usage = (why) => { console.error(`responses.mjs: ${why}`); process.exit(1); };

let raw = '';
for await (const b of process.stdin) raw += b;
let job;
try { job = JSON.parse(raw); } catch (e) { usage(`stdin is not one JSON object: ${e.message}`); }
const { client, baseURL, apiKey = 'unused', model, scenario, input, instructions, previousResponseId, followUp } = job ?? {};
if (typeof baseURL !== 'string' || input === undefined) usage('need baseURL and input');
if (!['nonstream', 'stream', 'abort', 'history'].includes(scenario)) usage(`unknown scenario ${JSON.stringify(scenario)}`);

const usageOf = (u) => u && { input: u.input_tokens ?? u.inputTokens, output: u.output_tokens ?? u.outputTokens };

async function openai() {
  const c = new OpenAI({ baseURL, apiKey });
  const params = { model, input, instructions, previous_response_id: previousResponseId };
  if (scenario === 'nonstream') {
    const r = await c.responses.create(params);
    return { content: r.output_text, id: r.id, state: r.a2a?.state, usage: usageOf(r.usage) };
  }
  const s = c.responses.stream(params);
  const events = [];
  let content = '';
  for await (const ev of s) {
    events.push(ev.type);
    if (ev.type === 'error') throw Object.assign(new Error(ev.message), { code: ev.code });
    if (ev.type === 'response.failed') throw Object.assign(new Error(ev.response.error.message), { code: ev.response.error.code });
    if (ev.type === 'response.output_text.delta') {
      content += ev.delta;
      if (scenario === 'abort') { s.abort(); return { content, events }; }
    }
  }
  const r = await s.finalResponse();
  if (r.output_text !== content) throw new Error(`final text ${JSON.stringify(r.output_text)} != streamed ${JSON.stringify(content)}`);
  return { content, id: r.id, state: r.a2a?.state, usage: usageOf(r.usage), events };
}

async function agents() {
  setTracingDisabled(true); // never export traces anywhere
  setDefaultOpenAIClient(new OpenAI({ baseURL, apiKey }));
  const agent = new Agent({ name: 'bridge', model, instructions }); // no model class: the default, Responses
  const opts = { previousResponseId };
  if (scenario === 'history') {
    const r1 = await run(agent, input, opts);
    const r = await run(agent, [...r1.history, { role: 'user', content: followUp }]);
    return { content: r.finalOutput, id: r.lastResponseId, usage: usageOf(r.state?.usage) };
  }
  if (scenario === 'nonstream') {
    const r = await run(agent, input, opts);
    return { content: r.finalOutput, id: r.lastResponseId, usage: usageOf(r.state?.usage) };
  }
  const ctl = new AbortController();
  const r = await run(agent, input, { ...opts, stream: true, signal: ctl.signal });
  let content = '';
  for await (const text of r.toTextStream()) {
    content += text;
    if (scenario === 'abort' && content) { ctl.abort(); return { content }; }
  }
  await r.completed;
  if (r.error) throw r.error;
  return { content, id: r.lastResponseId, usage: usageOf(r.state?.usage) };
}

async function ai() {
  const lm = createOpenAI({ baseURL, apiKey })(model); // the default: the Responses API
  const opts = { model: lm, prompt: input, system: instructions,
    providerOptions: { openai: { previousResponseId } } };
  if (scenario === 'history') {
    const r1 = await generateText(opts);
    const messages = [{ role: 'user', content: input }, ...r1.response.messages, { role: 'user', content: followUp }];
    const r = await generateText({ model: lm, system: instructions, messages });
    return { content: r.text, id: r.providerMetadata?.openai?.responseId, usage: usageOf(r.usage) };
  }
  if (scenario === 'nonstream') {
    const r = await generateText(opts);
    return { content: r.text, id: r.providerMetadata?.openai?.responseId, usage: usageOf(r.usage) };
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
  const meta = await r.providerMetadata;
  return { content, id: meta?.openai?.responseId, usage: usageOf(await r.usage) };
}

let out;
try {
  let r;
  switch (client) {
    case 'openai': r = await openai(); break;
    case 'agents': r = await agents(); break;
    case 'ai': r = await ai(); break;
    default: usage(`unknown client ${JSON.stringify(client)}`);
  }
  out = { ok: true, ...r };
} catch (err) {
  const e = err?.lastError ?? err; // the AI SDK's RetryError wraps the last attempt
  out = { ok: false, error: { name: err?.constructor?.name ?? 'Error', status: e?.statusCode ?? e?.status ?? null,
    message: String(e?.message ?? e), code: e?.code ?? e?.error?.code ?? null } };
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0); // an aborted client may leave a socket open
