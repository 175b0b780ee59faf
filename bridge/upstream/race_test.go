//go:build race

package upstream

// raceEnabled says the tests run under the race detector, whose own
// allocations make allocation counts meaningless.
const raceEnabled = true
