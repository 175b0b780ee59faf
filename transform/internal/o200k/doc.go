// Package o200k counts o200k_base tokens (OpenAI's encoding for GPT-4o and
// later) as OpenAI's tiktoken does, in about a
// fourteenth of tiktoken-go's time and without allocating: tiktoken-go splits
// the text with a backtracking regular expression engine (regexp2) that
// allocates for every piece it matches, and that split is nine tenths of its
// count. Here the split is hand-written from the same pattern,
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	|\p{N}{1,3}
//	| ?[^\s\p{L}\p{N}]+[\r\n/]*
//	|\s*[\r\n]+
//	|\s+(?!\S)
//	|\s+
//
// with the backtracking of each alternative worked out by hand (and, for
// ASCII, where the pattern comes down to runs of byte classes, a byte at a
// time), and the byte-pair merge runs on the vocabulary tiktoken-go compiles
// in (read once through its Decode); a piece longer than maxPiece (16 KiB, no piece of
// prose comes near) is merged in chunks, whose counts are summed (see
// count.go), so that one huge word costs neither memory past the
// text's size nor more than linear time. The tests hold the count equal
// to regexp2's interpreter on the same pattern (FuzzCountTokens) and to OpenAI's
// tiktoken itself (npm "tiktoken"). tiktoken-go v0.10.0 differs from both
// in two places, where this follows tiktoken: its generated matcher ends
// `\s*[\r\n]+` at the first newline of a space run instead of the last
// (" \n \n x" is 3 tokens there, 2 in tiktoken), and it takes "'ſ" for the
// contraction "'s".
package o200k
