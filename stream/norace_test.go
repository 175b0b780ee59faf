//go:build !race

package stream

// raceEnabled: see race_test.go.
const raceEnabled = false
