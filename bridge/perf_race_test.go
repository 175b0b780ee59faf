//go:build race

package bridge

// raceOn: see perf_norace_test.go.
const raceOn = true
