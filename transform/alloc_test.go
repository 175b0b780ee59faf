package transform

import (
	"runtime"
)

// allocated returns the bytes fn allocates on the heap, from the runtime's
// running total (counts of allocations, as testing.AllocsPerRun gives,
// would not see one huge one).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
