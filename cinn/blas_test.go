package cinn

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/gocinn/gocinn/cinn/sgemm"
)

// TestInstallBLAS: every GOCINN_BLAS value installs what it names, and BLAS
// names it; an unknown value installs the default and says it is unknown.
func TestInstallBLAS(t *testing.T) {
	old := blas32.Implementation()
	defer blas32.Use(old)
	fastest := sgemm.Implementation{}.Kernels()
	for _, tc := range []struct {
		env, want string
		impl      any
	}{
		{"", "sgemm " + fastest, sgemm.Implementation{}},
		{"sgemm", "sgemm " + fastest, sgemm.Implementation{}},
		{"avx2", "sgemm " + sgemm.Implementation{Arch: "avx2"}.Kernels() + " (GOCINN_BLAS=avx2)", sgemm.Implementation{Arch: "avx2"}},
		{"avx512", "sgemm " + fastest + " (GOCINN_BLAS=avx512)", sgemm.Implementation{Arch: "avx512"}},
		{"go", "sgemm go (GOCINN_BLAS=go)", sgemm.Implementation{Arch: "go"}},
		{"gonum", "gonum", gonum.Implementation{}},
		{"mkl", "sgemm " + fastest + " (GOCINN_BLAS=mkl is not known: want sgemm, avx512, avx2, go or gonum)", sgemm.Implementation{}},
	} {
		if got := installBLAS(tc.env); got != tc.want {
			t.Errorf("GOCINN_BLAS=%q: BLAS %q, want %q", tc.env, got, tc.want)
		}
		if got := blas32.Implementation(); got != tc.impl {
			t.Errorf("GOCINN_BLAS=%q installed %#v, want %#v", tc.env, got, tc.impl)
		}
	}
	if !strings.HasPrefix(BLAS(), "sgemm ") && BLAS() != "gonum" {
		t.Errorf("BLAS() = %q", BLAS())
	}
}
