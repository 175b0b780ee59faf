// openai-turns.mjs: a multi-turn chat through the official `openai` npm client, as apps write it: the whole
// history is re-sent on every call, each answer appended as an assistant message. For a2a-bridge's Go tests.
//
//   echo '{"baseURL":"...","apiKey":"k","model":"a2a/x","stream":false,"turns":["hi","more"]}' | node clients/openai-turns.mjs
//
// Prints {"ok":true,"answers":[...],"taskIds":[...],"contextIds":[...]} (ids from the response headers), or
// {"ok":false,"error":{...}}.
import OpenAI from 'openai';

let input = '';
for await (const b of process.stdin) input += b;
const { baseURL, apiKey, model, stream, turns, user } = JSON.parse(input);
const client = new OpenAI({ baseURL, apiKey: apiKey ?? 'unused', maxRetries: 0, timeout: 20000 });
const messages = [], answers = [], taskIds = [], contextIds = [];
let out;
try {
  for (const text of turns) {
    messages.push({ role: 'user', content: text });
    const params = { model, messages, ...(user ? { user } : {}) };
    let content = '', response;
    if (stream) {
      const res = await client.chat.completions.create({ ...params, stream: true }).withResponse();
      response = res.response;
      for await (const chunk of res.data) content += chunk.choices[0]?.delta?.content ?? '';
    } else {
      const res = await client.chat.completions.create(params).withResponse();
      response = res.response;
      content = res.data.choices[0].message.content;
    }
    messages.push({ role: 'assistant', content });
    answers.push(content);
    taskIds.push(response.headers.get('x-a2a-task-id'));
    contextIds.push(response.headers.get('x-a2a-context-id'));
  }
  out = { ok: true, answers, taskIds, contextIds };
} catch (err) {
  out = { ok: false, answers, error: { name: err?.constructor?.name, status: err?.status ?? null, message: String(err?.message ?? err) } };
}
process.stdout.write(JSON.stringify(out) + '\n');
