// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package figure_test

import (
	"errors"
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/gocinn/gocinn/cinn/figure"
)

// A corner plot of 10^4 posterior samples of two correlated parameters,
// rendered for a notebook at 96 dpi: the PNG has twice the logical size.
func ExampleCorner() {
	rng := rand.New(rand.NewPCG(1, 2))
	samples := mat.NewDense(10000, 2, nil)
	for i := range 10000 {
		a := rng.NormFloat64()
		samples.SetRow(i, []float64{8 + 0.1*a, 1.2 + 0.05*(a+rng.NormFloat64())})
	}
	f, err := figure.Corner(samples, []string{"log(age/yr)", "M / Msun"}, []float64{8.05, math.NaN()}, figure.CornerOptions{})
	if err != nil {
		log.Fatal(err)
	}
	img, err := figure.Render(f, 4*vg.Inch, 4*vg.Inch, 96)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("show at %d×%d px (metadata), PNG is twice that\n", img.Width, img.Height)
	// Output:
	// show at 384×384 px (metadata), PNG is twice that
}

// Bad data returns an error that names what to fix.
func ExampleLoss_error() {
	_, err := figure.Loss([]float64{2.1, 1.5, math.NaN()}, nil, figure.LossOptions{})
	fmt.Println(err)
	fmt.Println(errors.Is(err, plotter.ErrNaN))
	// Output:
	// figure: loss: training loss of epoch 3 is NaN (the training diverged; lower --lr): plotter: NaN data point
	// true
}

// Giving only a width keeps the figure's preferred aspect ratio.
func ExampleRender() {
	f, err := figure.Loss([]float64{3, 1, 0.5, 0.4}, []float64{3.2, 1.2, 0.7, 0.75}, figure.LossOptions{})
	if err != nil {
		log.Fatal(err)
	}
	img, err := figure.Render(f, 3*vg.Inch, 0, 96)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Width, img.Height)
	// Output:
	// 288 192
}
