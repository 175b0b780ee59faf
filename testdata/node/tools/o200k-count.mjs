// Counts o200k_base tokens with OpenAI's tiktoken (its Rust core as
// WebAssembly, npm "tiktoken"): the reference the Go count is checked
// against. stdin: a JSON array of strings; stdout: a JSON array of counts.
import { get_encoding } from "tiktoken";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const enc = get_encoding("o200k_base");
try {
  const counts = JSON.parse(input).map((s) => enc.encode_ordinary(s).length);
  process.stdout.write(JSON.stringify(counts));
} finally {
  enc.free();
}
