//go:build race

package o200k

// raceEnabled says the tests run under the race detector, which slows some
// of them down too much at full size.
const raceEnabled = true
