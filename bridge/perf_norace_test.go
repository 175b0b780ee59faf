//go:build !race

package bridge

// raceOn says the tests run under the race detector, which drops a share
// of sync.Pool's items on purpose: allocation counts differ there.
const raceOn = false
