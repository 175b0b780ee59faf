//go:build race

package stream

// raceEnabled says the tests run under the race detector, whose own
// allocations make allocation counts meaningless.
const raceEnabled = true
