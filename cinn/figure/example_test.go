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

// Calibration curves as cinn/diagnostics reports them; the figure's Text is
// the plain-text alternative of the PNG.
func ExampleCalibration() {
	q := []float64{0.1, 0.3, 0.5, 0.7, 0.9}
	ecal := [][]float64{
		{0.01, 0.03, 0.04, 0.03, 0.01},      // too wide
		{-0.02, -0.05, -0.06, -0.04, -0.01}, // too narrow
	}
	f, err := figure.Calibration(q, ecal, []string{"log(age/yr)", "M / Msun"}, figure.CalibrationOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Text)
	// Output:
	// calibration error e_cal(q) at 5 confidence levels; median |e_cal|:
	//   log(age/yr): 0.030
	//   M / Msun: 0.040
}

// MAP estimates against true values of a test set, with an N × d matrix
// converted to per-parameter columns.
func ExampleTruthVsMAP() {
	truth := mat.NewDense(4, 2, []float64{
		8.0, -1.0,
		8.5, -0.5,
		9.0, -1.5,
		7.5, -2.0,
	})
	pred := mat.NewDense(4, 2, []float64{
		8.1, -1.0,
		8.4, -0.7,
		9.0, -1.5,
		7.5, -1.8,
	})
	f, err := figure.TruthVsMAP(figure.Columns(truth), figure.Columns(pred), []string{"12+log(O/H)", "log(N/O)"}, figure.TruthOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Text)
	// Output:
	// MAP against true values for 4 test points; RMSE:
	//   12+log(O/H): 0.0707
	//   log(N/O): 0.141
}
