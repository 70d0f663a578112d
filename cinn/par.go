// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"sync"
	"sync/atomic"

	"github.com/gocinn/gocinn/cinn/internal/threads"
)

// Element-wise loops (the Adam update, the gradient norm, the fused bias +
// ReLU, the ReLU masks) run on all cores through a small pool of helper
// goroutines that live as long as the process. A loop is cut into chunks
// that depend only on its length, never on GOMAXPROCS, and every element
// (or partial sum) is computed by exactly one chunk, so results are the same
// on any number of cores. Handing a loop to the helpers allocates nothing:
// the loop is a chunker held by pointer in a parRun that its owner (a
// workspace or a Model's training scratch) reuses.

// elemChunk is the block size of the element-wise parallel loops.
const elemChunk = 1 << 15

// chunker is one parallel loop: chunk(k, lo, hi) processes chunk k, the
// half-open range [lo, hi).
type chunker interface {
	chunk(k, lo, hi int)
}

// parRun is one execution of a parallel loop over nc chunks of size elems
// of [0, n). It must not be copied after first use.
//
// Helpers join a run only while it is open, and the caller closes it when
// it runs out of chunks, then waits only for the helpers that joined: a
// helper that was handed the run but has not been scheduled yet (common on
// a loaded machine) is not waited for; when it runs, it finds the run
// closed (or helps a later run of the same parRun) and goes back to idle.
type parRun struct {
	job        chunker
	n, size    int
	nc         int
	next       atomic.Int64
	state      atomic.Int64 // closedBit | number of helpers inside
	done       chan struct{}
	inProgress atomic.Bool
}

const closedBit = 1 << 62

// join enters an open run.
func (r *parRun) join() bool {
	for {
		s := r.state.Load()
		if s&closedBit != 0 {
			return false
		}
		if r.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// leave exits a run; the last helper out of a closed run wakes the caller.
func (r *parRun) leave() {
	if r.state.Add(-1) == closedBit {
		r.done <- struct{}{}
	}
}

var (
	parTasks   = make(chan *parRun)
	parHelpers atomic.Int32
	parStart   sync.Mutex
)

// parHelper runs chunks of the loops it is handed, forever.
func parHelper() {
	for r := range parTasks {
		if r.join() {
			r.work()
			r.leave()
		}
	}
}

// ensureHelpers starts helper goroutines until there are at least n.
func ensureHelpers(n int) {
	if int(parHelpers.Load()) >= n {
		return
	}
	parStart.Lock()
	for int(parHelpers.Load()) < n {
		parHelpers.Add(1)
		go parHelper()
	}
	parStart.Unlock()
}

func (r *parRun) work() {
	for {
		k := int(r.next.Add(1) - 1)
		if k >= r.nc {
			return
		}
		lo := k * r.size
		r.job.chunk(k, lo, min(lo+r.size, r.n))
	}
}

// run calls job.chunk on the chunks [k·size, min((k+1)·size, n)) of [0, n),
// on the calling goroutine and on as many idle helpers as GOMAXPROCS
// allows, and returns when all chunks are done. Helpers that are busy (with
// another loop) or not yet running are not waited for: the caller then
// does more chunks itself.
func (r *parRun) run(job chunker, n, size int) {
	if n <= 0 {
		return
	}
	if !r.inProgress.CompareAndSwap(false, true) {
		panic("cinn: parRun used concurrently")
	}
	defer r.inProgress.Store(false)
	size = max(size, 1)
	nc := (n + size - 1) / size
	workers := min(threads.N(), nc)
	if workers <= 1 {
		for k := 0; k < nc; k++ {
			lo := k * size
			job.chunk(k, lo, min(lo+size, n))
		}
		return
	}
	if r.done == nil {
		r.done = make(chan struct{}, 1)
	}
	r.job, r.n, r.size, r.nc = job, n, size, nc
	r.next.Store(0)
	r.state.Store(0) // open: publishes the fields above to joining helpers
	ensureHelpers(workers - 1)
	for w := 1; w < workers; w++ {
		select {
		case parTasks <- r:
		default:
		}
	}
	r.work()
	if r.state.Add(closedBit) != closedBit {
		<-r.done
	}
	r.job = nil
}

// parallelChunks calls f on consecutive blocks [lo, hi) of [0, n) of size
// elemChunk on all cores. It allocates; the hot loops use a reused parRun.
func parallelChunks(n int, f func(k, lo, hi int)) {
	var r parRun
	r.run(funcChunker(f), n, elemChunk)
}

type funcChunker func(k, lo, hi int)

func (f funcChunker) chunk(k, lo, hi int) { f(k, lo, hi) }

// rowChunk returns the number of rows of width n per chunk of a row-wise
// parallel loop: about elemChunk elements, whole rows.
func rowChunk(n int) int { return max(1, elemChunk/max(n, 1)) }
