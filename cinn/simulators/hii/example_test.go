package hii_test

import (
	"fmt"
	"log"
	"math"

	"github.com/gocinn/gocinn/cinn/simulators/hii"
	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
)

// A 2×2×2 grid with one line (in practice: hii.Load on an HII-CHI-Mistry
// file), and the resimulation of two posterior samples, one outside.
func ExampleGrid_Resimulate() {
	var oh, no, u, l []float64
	for _, a := range []float64{8, 8.5} {
		for _, b := range []float64{-1, -0.5} {
			for _, c := range []float64{-3, -2} {
				oh, no, u = append(oh, a), append(no, b), append(u, c)
				l = append(l, math.Pow(10, a-8+b+0.5*c)) // log-linear line ratio
			}
		}
	}
	t, err := table.New([]string{"12+log(O/H)", "log(N/O)", "log(U)", "NII_6584"}, [][]float64{oh, no, u, l})
	if err != nil {
		log.Fatal(err)
	}
	g, err := hii.NewGrid("example", t)
	if err != nil {
		log.Fatal(err)
	}
	post := mat.NewDense(2, 3, []float64{8.25, -0.75, -2.5, 9, -0.75, -2.5})
	r := g.Resimulate(post)
	fmt.Printf("%.4f %v\n", r.At(0, 0), r.At(1, 0))
	// Output:
	// 0.0178 NaN
}
