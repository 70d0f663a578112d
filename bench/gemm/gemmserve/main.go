// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build unix

// Command gemmserve measures float32 matrix products for bench/gemm/run.sh,
// the Go counterpart of numpy_gemm.py --serve: it reads shape names on
// standard input, one a line, and answers each with one line per
// implementation,
//
//	name impl gflops cpu_gflops
//
// the best rates over chunks of at least 10 ms within -seconds, per second of
// wall clock and of CPU time (the whole process's, so with more than one
// thread it also counts helpers waiting for work). A name reads
// m×k×n/op(A)op(B), as 512x13x256/NN or 13x512x256/TN. It measures
// cinn/sgemm ("sgemm", capped by -arch) and gonum ("gonum"). A server that
// stays up and sleeps between requests is measured like numpy's: a process
// started anew for every shape is scheduled differently on a busy machine.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/gocinn/gocinn/cinn/sgemm"
)

func main() {
	seconds := flag.Float64("seconds", 0.1, "measuring time per shape and implementation")
	arch := flag.String("arch", "", "cap of cinn/sgemm's kernels: avx512, avx2 or go (empty: the fastest)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gemmserve: ")
	impl := sgemm.Implementation{Arch: *arch}
	impls := []struct {
		name string
		impl blas.Float32
	}{{"sgemm", impl}, {"gonum", gonum.Implementation{}}}
	arches := sgemm.Arches()
	if *arch != "" {
		arches = []string{*arch}
	}
	fmt.Printf("# sgemm kernels: %v of %v\n# ready\n", arches[0], sgemm.Arches())
	rnd := rand.New(rand.NewPCG(1, 1))
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		name := in.Text()
		s, err := parse(name)
		if err != nil {
			log.Printf("%v", err)
			fmt.Printf("%s error\n", name)
			continue
		}
		for _, im := range impls {
			wall, cpu := s.measure(im.impl, *seconds, rnd)
			fmt.Printf("%s %s %.2f %.2f\n", name, im.name, wall, cpu)
		}
		fmt.Println("# done")
	}
	if err := in.Err(); err != nil {
		log.Fatal(err)
	}
}

// shape is one product C(m×n) = op(A)·op(B) with op(A) m×k.
type shape struct {
	m, k, n int
	tA, tB  blas.Transpose
}

// parse reads a name m×k×n/op(A)op(B), as 512x13x256/NN.
func parse(name string) (shape, error) {
	var s shape
	var ta, tb byte
	if _, err := fmt.Sscanf(name, "%dx%dx%d/%c%c", &s.m, &s.k, &s.n, &ta, &tb); err != nil || s.m < 1 || s.k < 1 || s.n < 1 {
		return s, fmt.Errorf("shape %q: want m×k×n/op(A)op(B) with positive sizes and N or T, as 512x13x256/NN", name)
	}
	tr := func(c byte) (blas.Transpose, bool) {
		switch c {
		case 'N':
			return blas.NoTrans, true
		case 'T':
			return blas.Trans, true
		}
		return 0, false
	}
	var okA, okB bool
	s.tA, okA = tr(ta)
	s.tB, okB = tr(tb)
	if !okA || !okB {
		return s, fmt.Errorf("shape %q: transposes must be N or T", name)
	}
	return s, nil
}

// measure returns the best GFLOP/s of impl on s over chunks of at least
// 10 ms, per second of wall clock and of CPU time.
func (s shape) measure(impl blas.Float32, seconds float64, rnd *rand.Rand) (wall, cpu float64) {
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rnd.NormFloat64())
		}
		return x
	}
	a, b, c := fill(s.m*s.k), fill(s.k*s.n), make([]float32, s.m*s.n)
	lda, ldb := s.k, s.n
	if s.tA == blas.Trans {
		lda = s.m
	}
	if s.tB == blas.Trans {
		ldb = s.k
	}
	call := func() { impl.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) }
	call() // warm up
	flop := 2 * float64(s.m) * float64(s.n) * float64(s.k)
	reps := 1
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	for time.Now().Before(deadline) {
		t0, c0 := time.Now(), cpuTime()
		for range reps {
			call()
		}
		dt, dc := time.Since(t0), cpuTime()-c0
		wall = max(wall, flop*float64(reps)/dt.Seconds()/1e9)
		if dc > 0 {
			cpu = max(cpu, flop*float64(reps)/dc.Seconds()/1e9)
		}
		if dt < 10*time.Millisecond {
			reps *= 2
		}
	}
	return wall, cpu
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
