package main

import (
	"strings"
	"unicode"
)

// The behaviours of testdata/peers/MODES.md, picked by a "MODE:<name>" marker in T.
const (
	modeDefault     = ""
	modeMessage     = "message"
	modeSnapshot    = "snapshot"
	modeInput       = "input"
	modeFail        = "fail"
	modeReject      = "reject"
	modeData        = "data"
	modeFile        = "file"
	modeProgress    = "progress"
	modeStatusOnly  = "statusonly"
	modeEcho        = "echo"
	modeSlow        = "slow"
	modeNonBlocking = "nonblocking"
	modeCut         = "cut"
	modeCount       = "count"
)

var modes = []string{modeMessage, modeSnapshot, modeInput, modeFail, modeReject, modeData, modeFile,
	modeProgress, modeStatusOnly, modeEcho, modeSlow, modeNonBlocking, modeCut, modeCount}

// Fixed texts of the contract.
const (
	textQuestion = "Which city?"
	textFailed   = "the tool crashed"
	textRejected = "I will not do that"
	textLookup   = "Looking things up…"
	textAlmost   = "Almost there…"
	textThinking = "Thinking…"
	textCut      = "the connection was cut" // MODE:cut's stored end state; never sent
)

// pickMode returns the behaviour named by the first (leftmost) known "MODE:<name>" marker in t,
// or modeDefault when there is none.
func pickMode(t string) string {
	for rest := t; ; {
		i := strings.Index(rest, "MODE:")
		if i < 0 {
			return modeDefault
		}
		rest = rest[i+len("MODE:"):]
		best := ""
		for _, m := range modes {
			if strings.HasPrefix(rest, m) && len(m) > len(best) {
				best = m
			}
		}
		if best != "" {
			return best
		}
	}
}

// split cuts s into chunks whose concatenation is s: each chunk is a run of
// non-whitespace plus its trailing whitespace; leading whitespace is its own chunk.
func split(s string) []string {
	var out []string
	start, inSpace := 0, false
	for i, c := range s {
		sp := unicode.IsSpace(c)
		if !sp && inSpace { // a word starts after whitespace: close the chunk
			out = append(out, s[start:i])
			start = i
		}
		inSpace = sp
	}
	return append(out, s[start:]) // always at least one chunk
}
