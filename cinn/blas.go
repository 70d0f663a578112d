package cinn

import (
	"os"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/gocinn/gocinn/cinn/sgemm"
)

// The engine's matrix products go through gonum's blas32; at start-up the
// package installs cinn/sgemm, a packed, cache-blocked, parallel float32
// GEMM with AVX2/AVX-512 kernels (pure Go elsewhere), which makes training
// and sampling several times faster than gonum's reference Sgemm.
//
// GOCINN_BLAS selects the implementation: "" or "sgemm" (default, the
// fastest kernels the machine has), "avx512" or "avx2" (sgemm capped at
// those kernels, to repeat a run of a machine that had only those), "go"
// (sgemm's portable kernels: the same bits on every machine), or "gonum"
// (gonum's reference BLAS). Any other value is ignored (BLAS says so). A
// program may also call blas32.Use itself after importing this package.
func init() {
	blasName = installBLAS(os.Getenv("GOCINN_BLAS"))
}

// blasName is what BLAS reports.
var blasName string

// installBLAS installs the products GOCINN_BLAS=env asks for and returns
// their name.
func installBLAS(env string) string {
	var arch, note string
	switch env {
	case "gonum":
		blas32.Use(gonum.Implementation{})
		return "gonum"
	case "avx512", "avx2", "go":
		arch, note = env, " (GOCINN_BLAS="+env+")"
	case "", "sgemm":
	default:
		note = " (GOCINN_BLAS=" + env + " is not known: want sgemm, avx512, avx2, go or gonum)"
	}
	impl := sgemm.Implementation{Arch: arch}
	blas32.Use(impl)
	return "sgemm " + impl.Kernels() + note
}

// BLAS names the matrix products this package installed at start-up:
// "gonum", or "sgemm" and its kernel set ("avx512", "avx2" or "go"), with
// the GOCINN_BLAS setting that chose them. Training on two machines with
// different kernel sets rounds differently and, over many steps, gives
// different networks from the same seeds; record BLAS beside results that
// should be repeatable, and set GOCINN_BLAS to repeat them elsewhere. (A
// program that calls blas32.Use itself makes this stale.)
func BLAS() string { return blasName }
