package cinn

import (
	"os"

	"gonum.org/v1/gonum/blas/blas32"

	"github.com/gocinn/gocinn/cinn/sgemm"
)

// The engine's matrix products go through gonum's blas32; at start-up the
// package installs cinn/sgemm, a packed, cache-blocked, parallel float32
// GEMM with AVX2/AVX-512 kernels (pure Go elsewhere), which makes training
// and sampling several times faster than gonum's reference Sgemm.
//
// GOCINN_BLAS selects the implementation: "" or "sgemm" (default), "go"
// (sgemm's portable kernels: the same bits on every machine), or "gonum"
// (gonum's reference BLAS). A program may also call blas32.Use itself after
// importing this package.
func init() {
	switch os.Getenv("GOCINN_BLAS") {
	case "gonum":
	case "go":
		blas32.Use(sgemm.Implementation{Arch: "go"})
	default:
		blas32.Use(sgemm.Implementation{})
	}
}
