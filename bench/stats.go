package main

import (
	"slices"
	"time"
)

// dist summarises a latency distribution, in microseconds.
type dist struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

func distOf(ds []time.Duration) dist {
	if len(ds) == 0 {
		return dist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	// The nearest-rank percentile: the smallest value with p% at or below it.
	at := func(p float64) float64 { return us(s[max(0, int(float64(len(s))*p+0.999999)-1)]) }
	return dist{
		Mean: us(sum / time.Duration(len(s))), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: us(s[len(s)-1]),
	}
}
