// openai-chat.mjs: drives the official `openai` npm client against a base URL, for a2a-bridge's Go tests
// (proves the bridge's /v1/chat/completions is usable by the real SDK, streaming included).
//
//   echo '{"baseURL":"http://127.0.0.1:8080/v1","apiKey":"k","scenario":"stream","request":{"model":"m","messages":[...]}}' \
//     | node clients/openai-chat.mjs
//
// scenario: "nonstream"    -> {"ok":true,"completion":{...}}
//           "stream"       -> {"ok":true,"chunks":[...],"content":"<joined delta.content>","finish_reason":"<last non-null>"}
//           "stream-usage" -> as "stream", with stream_options.include_usage, plus "usage":{...}
// Prints exactly one JSON line on stdout. Any error thrown by the client is printed as
// {"ok":false,"error":{name,status,message,code,type}} with exit code 0; exit 1 only on bad usage.
import OpenAI from 'openai';

const usage = (why) => { console.error(`openai-chat.mjs: ${why}`); process.exit(1); };

let input = '';
for await (const b of process.stdin) input += b;
let job;
try { job = JSON.parse(input); } catch (e) { usage(`stdin is not one JSON object: ${e.message}`); }
const { baseURL, apiKey, scenario, request } = job ?? {};
if (typeof baseURL !== 'string' || typeof request !== 'object' || request === null) usage('need baseURL and request');
if (!['nonstream', 'stream', 'stream-usage'].includes(scenario)) usage(`unknown scenario ${JSON.stringify(scenario)}`);

const client = new OpenAI({ baseURL, apiKey: apiKey ?? 'unused', maxRetries: 0, timeout: 20000 });
let out;
try {
  if (scenario === 'nonstream') {
    out = { ok: true, completion: await client.chat.completions.create(request) };
  } else {
    const params = { ...request, stream: true };
    if (scenario === 'stream-usage') params.stream_options = { ...params.stream_options, include_usage: true };
    const stream = await client.chat.completions.create(params);
    const chunks = [];
    let content = '', finish = null, usageSeen = null;
    for await (const chunk of stream) {
      chunks.push(chunk);
      const choice = chunk.choices?.[0]; // the usage chunk has choices: []
      if (typeof choice?.delta?.content === 'string') content += choice.delta.content;
      if (choice?.finish_reason != null) finish = choice.finish_reason;
      if (chunk.usage) usageSeen = chunk.usage;
    }
    out = { ok: true, chunks, content, finish_reason: finish };
    if (scenario === 'stream-usage') out.usage = usageSeen;
  }
} catch (err) {
  out = { ok: false, error: { name: err?.constructor?.name ?? 'Error', status: err?.status ?? null,
    message: String(err?.message ?? err), code: err?.code ?? null, type: err?.type ?? null } };
}
process.stdout.write(JSON.stringify(out) + '\n');
