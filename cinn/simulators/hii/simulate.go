package hii

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gocinn/gocinn/cinn/table"
)

// Simulator draws HII regions from a Grid: parameters uniform in a box,
// line ratios interpolated, and relative noise. The zero values of its
// fields (apart from Grid) are documented defaults.
type Simulator struct {
	Grid *Grid

	// Min and Max bound the uniform parameter box (OH, NO, logU); a zero
	// pair for a parameter means the grid's full range.
	Min, Max [3]float64

	// Noise is the relative error σ per line (by Lines name), and
	// DefaultNoise applies to lines not in Noise. Noise is multiplicative
	// and log-normal: a ratio R becomes R·10^(ε·σ/ln 10), ε ~ N(0, 1), which
	// is a relative error σ for small σ and keeps ratios positive, so
	// their log10 is defined.
	Noise        map[string]float64
	DefaultNoise float64
}

// ObsNames returns the names of the observed columns of Sample's tables:
// the line ratios (Grid.Lines) then their log10 (Grid.LogLines).
func (s *Simulator) ObsNames() []string {
	return append(s.Grid.Lines(), s.Grid.LogLines()...)
}

// ParamNames returns OH, NO, logU.
func (s *Simulator) ParamNames() []string { return append([]string(nil), ParamNames...) }

// Sample draws n models and returns a table with columns ParamNames then
// ObsNames, with units (dex for the parameters and logarithms).
func (s *Simulator) Sample(ctx context.Context, n int, src rand.Source) (*table.Table, error) {
	if s.Grid == nil {
		panic("hii: Simulator without a Grid")
	}
	if n < 0 {
		panic("hii: negative number of models")
	}
	g := s.Grid
	glo, ghi := g.Bounds()
	lo, hi := glo, ghi
	for a := 0; a < 3; a++ {
		if s.Min[a] == 0 && s.Max[a] == 0 {
			continue
		}
		lo[a], hi[a] = s.Min[a], s.Max[a]
		if !(lo[a] <= hi[a]) || lo[a] < glo[a]-1e-12 || hi[a] > ghi[a]+1e-12 {
			return nil, fmt.Errorf("hii: %s range [%g, %g] is not inside the grid's [%g, %g]", ParamNames[a], lo[a], hi[a], glo[a], ghi[a])
		}
	}
	nl := len(g.lines)
	sig := make([]float64, nl)
	for q, l := range g.lines {
		sig[q] = s.DefaultNoise
		if v, ok := s.Noise[l]; ok {
			sig[q] = v
		}
		if sig[q] < 0 {
			return nil, fmt.Errorf("hii: negative noise %g for line %s", sig[q], l)
		}
	}
	for l := range s.Noise {
		found := false
		for _, m := range g.lines {
			found = found || m == l
		}
		if !found {
			return nil, fmt.Errorf("hii: Noise names line %q, which the grid does not have (lines: %v)", l, g.lines)
		}
	}
	cols := make([][]float64, 3+2*nl)
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	rnd := rand.New(src)
	logv := make([]float64, nl)
	for i := 0; i < n; i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var p [3]float64
		for a := range p {
			p[a] = lo[a] + (hi[a]-lo[a])*rnd.Float64()
			cols[a][i] = p[a]
		}
		if !g.logInterp(p, logv) {
			panic("hii: internal: sampled point outside the grid")
		}
		for q := range logv {
			lv := logv[q]
			if sig[q] > 0 {
				lv += sig[q] / math.Ln10 * rnd.NormFloat64()
			}
			cols[3+q][i] = math.Pow(10, lv)
			cols[3+nl+q][i] = lv
		}
	}
	t, err := table.New(append(s.ParamNames(), s.ObsNames()...), cols)
	if err != nil {
		panic("hii: internal: " + err.Error())
	}
	for _, nm := range ParamNames {
		_ = t.SetUnit(nm, "dex")
	}
	for _, nm := range g.LogLines() {
		_ = t.SetUnit(nm, "dex")
	}
	return t, nil
}
