// langchain-chat.mjs: drives @langchain/openai's ChatOpenAI against a base URL, for a2a-bridge's Go tests
// (LangChain users point ChatOpenAI at the bridge and change nothing else).
//
//   echo '{"baseURL":"http://127.0.0.1:8080/v1","apiKey":"k","scenario":"invoke","model":"a2a/echo","messages":[["system","..."],["human","..."]]}' \
//     | node clients/langchain-chat.mjs
//
// scenario: "invoke" -> {"ok":true,"content":"...","usage":{...}}
//           "stream" -> {"ok":true,"content":"<joined chunks>","chunks":N,"usage":{...}}  (LangChain asks include_usage itself)
// Prints exactly one JSON line; a thrown error is {"ok":false,"error":{name,status,message}} with exit code 0.
import { ChatOpenAI } from '@langchain/openai';

let input = '';
for await (const b of process.stdin) input += b;
const { baseURL, apiKey, scenario, model, messages } = JSON.parse(input);
if (!['invoke', 'stream'].includes(scenario)) { console.error(`unknown scenario ${scenario}`); process.exit(1); }

const chat = new ChatOpenAI({ model, apiKey: apiKey ?? 'unused', configuration: { baseURL }, maxRetries: 0, timeout: 20000 });
let out;
try {
  if (scenario === 'invoke') {
    const msg = await chat.invoke(messages);
    out = { ok: true, content: msg.content, usage: msg.usage_metadata ?? null };
  } else {
    let content = '', n = 0, usage = null;
    for await (const chunk of await chat.stream(messages)) {
      n++;
      content += typeof chunk.content === 'string' ? chunk.content : '';
      if (chunk.usage_metadata) usage = chunk.usage_metadata;
    }
    out = { ok: true, content, chunks: n, usage };
  }
} catch (err) {
  out = { ok: false, error: { name: err?.constructor?.name ?? 'Error', status: err?.status ?? null, message: String(err?.message ?? err) } };
}
process.stdout.write(JSON.stringify(out) + '\n');
