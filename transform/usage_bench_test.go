package transform

import (
	"fmt"
	"testing"
)

// BenchmarkCountTokens is the o200k_base count of one text, done for the
// prompt and the answer of every non-stream request and of every stream
// that asks for usage (unless the agent reports its own).
func BenchmarkCountTokens(b *testing.B) {
	_ = CountTokens("warm up: load the vocabulary once")
	for _, size := range []int{256, 1 << 10, 16 << 10} {
		text := benchWords(size)
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				_ = CountTokens(text)
			}
		})
	}
	b.Run("prose", func(b *testing.B) {
		b.SetBytes(int64(len(benchProse)))
		b.ReportAllocs()
		for b.Loop() {
			_ = CountTokens(benchProse)
		}
	})
}

// benchProse is plain English prose, as a chat answer is: words of every
// length and frequency, capitals, contractions, numbers, punctuation and
// paragraphs (benchWords repeats one sentence of common words).
const benchProse = `When the river rose in the spring of 1927, nobody in the valley thought it would reach the mill. ` +
	`The old miller, who'd seen three floods and a fire, said the water had never come past the second step, and he'd know. ` +
	`By Thursday it was at the fourth. His daughter moved the ledgers upstairs; his son tied the boats to the oak behind the barn.

"We'll be fine," he told the neighbours, though he didn't believe it. They brought sandbags anyway: forty, then eighty, ` +
	`then whatever the cart could carry. At 3:15 on Friday morning the levee gave way a mile upstream, and the sound, ` +
	`people said afterwards, was like a train that wouldn't stop.

It took the county eleven weeks to pump out the lower fields. The mill's wheel was found half a mile downstream, ` +
	`wedged under the railway bridge, and the insurance company (which had, it turned out, excluded "acts of water") ` +
	`paid nothing. Still, the family rebuilt. They raised the floor by 2.5 metres, bought a diesel engine from a dealer ` +
	`in Memphis, and by 1931 they were grinding again, mostly corn, some wheat, and, for a few years, rye for the distillery ` +
	`across the state line.

Historians disagree about what the flood changed. Some argue it pushed thousands of families north, toward Chicago and ` +
	`Detroit, faster than any policy could have; others point out that the movement had begun a decade before, and that ` +
	`the water merely made visible what the markets had already decided. What's certain is that the valley never again ` +
	`trusted the levees entirely. Even now, older residents keep a canoe in the garage, "just in case," and they aren't ` +
	`entirely joking.
`

// BenchmarkCountUsage is the usage of the bench program's exchange: a
// flattened 1 KiB conversation and a 1 KiB answer.
func BenchmarkCountUsage(b *testing.B) {
	prompt, answer := benchWords(1<<10), benchWords(1<<10)
	_ = CountUsage(prompt, answer)
	b.SetBytes(int64(len(prompt) + len(answer)))
	b.ReportAllocs()
	for b.Loop() {
		_ = CountUsage(prompt, answer)
	}
}
