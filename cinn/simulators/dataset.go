package simulators

import (
	"fmt"
	"math/rand/v2"

	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
)

// Dataset draws n parameter vectors from the prior of t, simulates one
// observation for each and returns them as a table whose columns are the
// parameters (t.ParamNames) followed by the observations (t.ObsNames).
// It panics if a parameter and an observation share a name (a bug in t).
func Dataset(t Task, n int, src rand.Source) *table.Table {
	theta, x := Simulations(t, n, src)
	return joinColumns(t.ParamNames(), theta, t.ObsNames(), x)
}

func joinColumns(an []string, a *mat.Dense, bn []string, b *mat.Dense) *table.Table {
	cols := make([][]float64, 0, len(an)+len(bn))
	for j := range an {
		cols = append(cols, column(a, j))
	}
	for j := range bn {
		cols = append(cols, column(b, j))
	}
	tb, err := table.New(append(append([]string{}, an...), bn...), cols)
	if err != nil {
		panic(fmt.Sprintf("simulators: %v", err))
	}
	return tb
}

func column(m *mat.Dense, j int) []float64 {
	if m.IsEmpty() {
		return []float64{}
	}
	return mat.Col(nil, j, m)
}
