package simulators_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gocinn/gocinn/cinn/simulators"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func ExampleNames() {
	for _, name := range simulators.Names() {
		t, _ := simulators.Lookup(name)
		_, exact := t.(simulators.ReferencePosterior)
		fmt.Printf("%-24s θ %2d  x %2d  exact posterior: %v\n", name, t.DimTheta(), t.DimX(), exact)
	}
	// Output:
	// gaussian_linear          θ 10  x 10  exact posterior: true
	// gaussian_linear_uniform  θ 10  x 10  exact posterior: true
	// gaussian_mixture         θ  2  x  2  exact posterior: true
	// slcp                     θ  5  x  8  exact posterior: false
	// two_moons                θ  2  x  2  exact posterior: true
}

func ExampleDataset() {
	task, err := simulators.Lookup("two_moons")
	if err != nil {
		log.Fatal(err)
	}
	tb := simulators.Dataset(task, 1000, rand.NewPCG(1, 2))
	fmt.Println(tb.Len(), tb.Names())
	// Output:
	// 1000 [theta1 theta2 x1 x2]
}

// The reference posterior of two_moons for its first fixed observation:
// every sample, simulated again, could have produced x_obs.
func ExampleReferencePosterior() {
	task := simulators.NewTwoMoons()
	thetaTrue, xObs := simulators.Observations(task, 10, simulators.ObservationSeed)
	x := xObs.RawRowView(0)
	post, err := task.SamplePosterior(context.Background(), x, 10000, rand.NewPCG(3, 4))
	if err != nil {
		log.Fatal(err)
	}
	r, _ := post.Dims()
	consistent := 0
	for i := 0; i < r; i++ {
		if task.LogLikelihood(post.RawRowView(i), x) > -20 {
			consistent++
		}
	}
	fmt.Printf("θ_true = (%.3f, %.3f)\n", thetaTrue.At(0, 0), thetaTrue.At(0, 1))
	fmt.Printf("%d of %d samples explain x_obs\n", consistent, r)
	fmt.Printf("posterior sd of θ1: %.2f\n", stat.StdDev(mat.Col(nil, 0, post), nil))
	// Output:
	// θ_true = (-0.333, -0.087)
	// 10000 of 10000 samples explain x_obs
	// posterior sd of θ1: 0.24
}
