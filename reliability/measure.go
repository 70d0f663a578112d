package reliability

import (
	"fmt"
	"runtime"
	"slices"
	"time"
)

// Snapshot is the process's goroutine count and heap after a garbage
// collection.
type Snapshot struct {
	Goroutines int
	HeapAlloc  uint64 // bytes of live heap objects
	HeapSys    uint64 // bytes of heap memory obtained from the OS
	NumGC      uint32
}

// Measure collects garbage twice and returns a Snapshot.
func Measure() Snapshot {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Snapshot{Goroutines: runtime.NumGoroutine(), HeapAlloc: ms.HeapAlloc, HeapSys: ms.HeapSys, NumGC: ms.NumGC}
}

func (s Snapshot) String() string {
	return fmt.Sprintf("goroutines %d, heap in use %.1f MiB, heap from OS %.1f MiB",
		s.Goroutines, mib(s.HeapAlloc), mib(s.HeapSys))
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// Growth describes the change from before to after, for logs.
func Growth(before, after Snapshot) string {
	return fmt.Sprintf("goroutines %d → %d (%+d), heap in use %.1f → %.1f MiB (%+.1f MiB)",
		before.Goroutines, after.Goroutines, after.Goroutines-before.Goroutines,
		mib(before.HeapAlloc), mib(after.HeapAlloc), mib(after.HeapAlloc)-mib(before.HeapAlloc))
}

// SettleGoroutines waits, at most max, until the goroutine count is at most
// limit (goroutines of closed connections take a moment to return), and
// returns the last Snapshot.
func SettleGoroutines(limit int, max time.Duration) Snapshot {
	deadline := time.Now().Add(max)
	for {
		s := Measure()
		if s.Goroutines <= limit || time.Now().After(deadline) {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Percentiles summarises durations: the 50th, 90th, 99th percentiles and
// the maximum, by the nearest-rank method. It panics on an empty slice.
type Percentiles struct {
	N                  int
	P50, P90, P99, Max time.Duration
}

// Summarise returns the Percentiles of d (which it does not modify).
func Summarise(d []time.Duration) Percentiles {
	if len(d) == 0 {
		panic("reliability: Summarise of no durations")
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return Percentiles{N: len(s), P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), Max: s[len(s)-1]}
}

func (p Percentiles) String() string {
	r := func(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
	return fmt.Sprintf("n=%d p50=%s p90=%s p99=%s max=%s", p.N, r(p.P50), r(p.P90), r(p.P99), r(p.Max))
}
