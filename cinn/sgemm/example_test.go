// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/gocinn/gocinn/cinn/sgemm"
)

// Install the fast Sgemm behind blas32; every float32 product made through
// blas32 then uses it.
func Example() {
	blas32.Use(sgemm.Implementation{})

	x := blas32.General{Rows: 2, Cols: 3, Stride: 3, Data: []float32{
		1, 2, 3,
		4, 5, 6,
	}}
	w := blas32.General{Rows: 3, Cols: 2, Stride: 2, Data: []float32{
		1, 0,
		0, 1,
		1, 1,
	}}
	y := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float32, 4)}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, x, w, 0, y)
	fmt.Println(y.Data)

	// The weight gradient xᵀ·y, 3×2.
	g := blas32.General{Rows: 3, Cols: 2, Stride: 2, Data: make([]float32, 6)}
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, x, y, 0, g)
	fmt.Println(g.Data)
	// Output:
	// [4 5 10 11]
	// [44 49 58 65 72 81]
}
