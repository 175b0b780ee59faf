// langchain-history.mjs: a multi-turn LangChain chat with RunnableWithMessageHistory: ChatOpenAI pointed at
// the bridge, a prompt with the history placeholder, and an in-memory history per session. For a2a-bridge's
// Go tests.
//
//   echo '{"baseURL":"...","model":"a2a/x","stream":false,"turns":["hi","more"]}' | node clients/langchain-history.mjs
//
// Prints {"ok":true,"answers":[...],"history":N} or {"ok":false,"error":{...}}.
import { ChatOpenAI } from '@langchain/openai';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { RunnableWithMessageHistory } from '@langchain/core/runnables';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';

let input = '';
for await (const b of process.stdin) input += b;
const { baseURL, apiKey, model, stream, turns, system } = JSON.parse(input);
const chat = new ChatOpenAI({ model, apiKey: apiKey ?? 'unused', configuration: { baseURL }, maxRetries: 0, timeout: 20000 });
const prompt = ChatPromptTemplate.fromMessages([
  ['system', system ?? 'You are helpful.'], new MessagesPlaceholder('history'), ['human', '{input}'],
]);
const histories = new Map();
const withHistory = new RunnableWithMessageHistory({
  runnable: prompt.pipe(chat),
  getMessageHistory: (id) => { if (!histories.has(id)) histories.set(id, new InMemoryChatMessageHistory()); return histories.get(id); },
  inputMessagesKey: 'input',
  historyMessagesKey: 'history',
});
const config = { configurable: { sessionId: 's1' } };
const answers = [];
let out;
try {
  for (const text of turns) {
    if (stream) {
      let content = '';
      for await (const chunk of await withHistory.stream({ input: text }, config)) content += chunk.content;
      answers.push(content);
    } else {
      answers.push((await withHistory.invoke({ input: text }, config)).content);
    }
  }
  out = { ok: true, answers, history: (await histories.get('s1').getMessages()).length };
} catch (err) {
  out = { ok: false, answers, error: { name: err?.constructor?.name, status: err?.status ?? null, message: String(err?.message ?? err) } };
}
process.stdout.write(JSON.stringify(out) + '\n');
