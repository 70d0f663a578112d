// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"runtime"
	"sync"
	"testing"
)

type countChunks struct{ hits []int32 }

func (c *countChunks) chunk(_, lo, hi int) {
	for i := lo; i < hi; i++ {
		c.hits[i]++
	}
}

// TestParRun checks that every element of a parallel loop is visited
// exactly once, with several loops (each with its parRun, reused run after
// run) competing for the helpers, for any GOMAXPROCS.
func TestParRun(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r parRun
				for it := 0; it < 200; it++ {
					n := 1 + (it*7919+g*104729)%5000
					c := &countChunks{hits: make([]int32, n)}
					r.run(c, n, 1+it%97)
					for _, h := range c.hits {
						if h != 1 {
							errs <- "an element was visited a wrong number of times"
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("GOMAXPROCS=%d: %s", procs, e)
		}
	}
}
