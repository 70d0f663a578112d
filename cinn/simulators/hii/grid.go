package hii

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strings"

	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
)

// ParamNames are the names of the three parameters in the tables this
// package returns: 12+log(O/H), log(N/O) and log U.
var ParamNames = []string{"OH", "NO", "logU"}

// paramCols are the grid file's names for ParamNames.
var paramCols = [][]string{
	{"12+log(O/H)", "OH", "12+log(o/h)"},
	{"log(N/O)", "NO", "log(n/o)"},
	{"log(U)", "logU", "log(u)"},
}

// ZeroFloor replaces line ratios of zero before taking logarithms:
// HII-CHI-Mistry grids give ratios to four decimals, so 0.0000 means a
// ratio below 0.00005.
const ZeroFloor = 5e-5

// ErrOutside is wrapped by the errors for parameters outside the grid.
var ErrOutside = errors.New("outside the photoionisation grid")

// ErrNoGrid is wrapped by Load's error for an absent file.
var ErrNoGrid = errors.New("photoionisation grid not found")

// HowToGet says where grids come from.
const HowToGet = "HII-CHI-Mistry grids are in https://github.com/Estallidos/HII-CHI-Mistry (HCm-opt/HCm_v6.0/Libraries_opt, e.g. C17_POPSTAR_1myr.dat); the project keeps one in ../shared/data/hii"

// Grid is a photoionisation-model grid made regular: emission-line ratios
// (relative to Hβ) on the nodes of a regular lattice in (12+log(O/H),
// log(N/O), log U), interpolated trilinearly in log10 of the ratios.
type Grid struct {
	name  string
	axes  [3][]float64
	lines []string    // line names, commas replaced by underscores
	logv  [][]float64 // log10 ratios per node, node (i*n1+j)*n2+k
	// Filled counts lattice nodes that the file lacks and that were filled
	// by linear interpolation along one axis; Duplicates counts rows
	// repeating a node (identical rows are dropped, differing ones
	// averaged); OffLattice counts rows off the lattice (used only to fill).
	Filled, Duplicates, OffLattice int
}

// Lines returns the names of the line ratios (commas in the file's names,
// as in SII_6717,31, become underscores).
func (g *Grid) Lines() []string { return append([]string(nil), g.lines...) }

// LogLines returns the names of the log10 columns: "log_" + Lines.
func (g *Grid) LogLines() []string {
	s := make([]string, len(g.lines))
	for i, l := range g.lines {
		s[i] = "log_" + l
	}
	return s
}

// Axes returns the lattice values of the three parameters.
func (g *Grid) Axes() [3][]float64 {
	var a [3][]float64
	for i := range a {
		a[i] = append([]float64(nil), g.axes[i]...)
	}
	return a
}

// Bounds returns the smallest and largest value of each parameter.
func (g *Grid) Bounds() (lo, hi [3]float64) {
	for i, a := range g.axes {
		lo[i], hi[i] = a[0], a[len(a)-1]
	}
	return lo, hi
}

// Load reads an HII-CHI-Mistry grid file and builds a Grid.
func Load(path string) (*Grid, error) {
	t, err := table.ReadFile(path, table.ReadOptions{Format: table.FormatASCII})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("hii: %s: %w; %s", path, ErrNoGrid, HowToGet)
		}
		return nil, fmt.Errorf("hii: %w", err)
	}
	return NewGrid(path, t)
}

func findCol(t *table.Table, cands []string) string {
	for _, c := range cands {
		for _, n := range t.Names() {
			if strings.EqualFold(n, c) {
				return n
			}
		}
	}
	return ""
}

// lattice returns a regular axis through the values vs (one per row): the
// most common spacing between consecutive distinct values, from the
// smallest to the largest value. Values carried by few rows (less than half
// the median number of rows per value: stray models off the lattice) do not
// vote on the spacing.
func lattice(vs []float64) ([]float64, error) {
	u := append([]float64(nil), vs...)
	sort.Float64s(u)
	var uniq []float64
	var rows []int
	for _, v := range u {
		if len(uniq) == 0 || v-uniq[len(uniq)-1] > 1e-9 {
			uniq = append(uniq, v)
			rows = append(rows, 0)
		}
		rows[len(rows)-1]++
	}
	if len(uniq) < 2 {
		return nil, fmt.Errorf("a single value (%v)", uniq)
	}
	med := append([]int(nil), rows...)
	sort.Ints(med)
	cut := med[len(med)/2] / 2
	var major []float64
	for i, v := range uniq {
		if rows[i] >= cut {
			major = append(major, v)
		}
	}
	if len(major) < 2 {
		major = uniq
	}
	count := map[int64]int{}
	for i := 1; i < len(major); i++ {
		count[int64(math.Round((major[i]-major[i-1])*1e6))]++
	}
	var step int64
	for d, c := range count {
		if c > count[step] || (c == count[step] && d > step) {
			step = d
		}
	}
	h := float64(step) / 1e6
	n := int(math.Round((major[len(major)-1]-major[0])/h)) + 1
	if n > 10000 {
		return nil, fmt.Errorf("spacing %g gives %d nodes", h, n)
	}
	ax := make([]float64, n)
	for i := range ax {
		ax[i] = major[0] + float64(i)*h
	}
	return ax, nil
}

// index returns the lattice index of v on ax, or -1 if v is off the lattice.
func index(ax []float64, v float64) int {
	h := ax[1] - ax[0]
	i := int(math.Round((v - ax[0]) / h))
	if i < 0 || i >= len(ax) || math.Abs(ax[i]-v) > 1e-6*h {
		return -1
	}
	return i
}

// NewGrid builds a Grid from a table with the three parameter columns
// (12+log(O/H), log(N/O), log(U)) and line-ratio columns (all others).
func NewGrid(name string, t *table.Table) (*Grid, error) {
	var pc [3][]float64
	used := map[string]bool{}
	for i, cands := range paramCols {
		c := findCol(t, cands)
		if c == "" {
			return nil, fmt.Errorf("hii: %s: no %s column among %v; is it an HII-CHI-Mistry grid? (%s)", name, cands[0], t.Names(), HowToGet)
		}
		pc[i], _ = t.Col(c)
		used[c] = true
	}
	g := &Grid{name: name}
	var lc [][]float64
	for _, n := range t.Names() {
		if used[n] {
			continue
		}
		v, _ := t.Col(n)
		lc = append(lc, v)
		g.lines = append(g.lines, strings.ReplaceAll(n, ",", "_"))
	}
	if len(g.lines) == 0 {
		return nil, fmt.Errorf("hii: %s: no line columns", name)
	}
	for r := 0; r < t.Len(); r++ {
		for i := range pc {
			if math.IsNaN(pc[i][r]) {
				return nil, fmt.Errorf("hii: %s: data row %d: missing %s", name, r+1, ParamNames[i])
			}
		}
		for j, v := range lc {
			if math.IsNaN(v[r]) || v[r] < 0 {
				return nil, fmt.Errorf("hii: %s: data row %d: line %s = %v (want a ratio ≥ 0)", name, r+1, g.lines[j], v[r])
			}
		}
	}
	for i := range pc {
		ax, err := lattice(pc[i])
		if err != nil {
			return nil, fmt.Errorf("hii: %s: %s: %v", name, ParamNames[i], err)
		}
		g.axes[i] = ax
	}
	n0, n1, n2 := len(g.axes[0]), len(g.axes[1]), len(g.axes[2])
	nl := len(g.lines)
	g.logv = make([][]float64, n0*n1*n2)
	type raw struct {
		p   [3]float64
		log []float64
	}
	var off []raw
	logRow := func(r int) []float64 {
		v := make([]float64, nl)
		for j := range v {
			v[j] = math.Log10(math.Max(lc[j][r], ZeroFloor))
		}
		return v
	}
	counts := make([]int, len(g.logv))
	for r := 0; r < t.Len(); r++ {
		i, j, k := index(g.axes[0], pc[0][r]), index(g.axes[1], pc[1][r]), index(g.axes[2], pc[2][r])
		v := logRow(r)
		if i < 0 || j < 0 || k < 0 {
			g.OffLattice++
			off = append(off, raw{[3]float64{pc[0][r], pc[1][r], pc[2][r]}, v})
			continue
		}
		nd := (i*n1+j)*n2 + k
		if g.logv[nd] == nil {
			g.logv[nd] = v
			counts[nd] = 1
			continue
		}
		g.Duplicates++
		for q := range v { // running mean of the duplicates
			g.logv[nd][q] += (v[q] - g.logv[nd][q]) / float64(counts[nd]+1)
		}
		counts[nd]++
	}
	// Fill missing nodes along one axis (N/O, then log U, then O/H) from
	// the nearest points below and above, on or off the lattice.
	point := func(nd int) [3]float64 {
		k := nd % n2
		j := (nd / n2) % n1
		i := nd / (n1 * n2)
		return [3]float64{g.axes[0][i], g.axes[1][j], g.axes[2][k]}
	}
	var missing []int
	for nd := range g.logv {
		if g.logv[nd] == nil {
			missing = append(missing, nd)
		}
	}
	for _, nd := range missing {
		p := point(nd)
		ok := false
		for _, ax := range []int{1, 2, 0} {
			var below, above *raw
			consider := func(q raw) {
				for a := 0; a < 3; a++ {
					if a != ax && math.Abs(q.p[a]-p[a]) > 1e-9 {
						return
					}
				}
				if q.p[ax] < p[ax] && (below == nil || q.p[ax] > below.p[ax]) {
					c := q
					below = &c
				}
				if q.p[ax] > p[ax] && (above == nil || q.p[ax] < above.p[ax]) {
					c := q
					above = &c
				}
			}
			for q := range g.logv {
				if g.logv[q] != nil && !isMissing(missing, q) {
					consider(raw{point(q), g.logv[q]})
				}
			}
			for _, q := range off {
				consider(q)
			}
			if below == nil || above == nil {
				continue
			}
			w := (p[ax] - below.p[ax]) / (above.p[ax] - below.p[ax])
			v := make([]float64, nl)
			for q := range v {
				v[q] = (1-w)*below.log[q] + w*above.log[q]
			}
			g.logv[nd] = v
			g.Filled++
			ok = true
			break
		}
		if !ok {
			return nil, fmt.Errorf("hii: %s: the grid lacks the model at %s = %g, %s = %g, %s = %g and it cannot be filled from neighbours along any axis", name, ParamNames[0], p[0], ParamNames[1], p[1], ParamNames[2], p[2])
		}
	}
	return g, nil
}

func isMissing(sorted []int, q int) bool {
	i := sort.SearchInts(sorted, q)
	return i < len(sorted) && sorted[i] == q
}

// Inside reports whether (oh, no, logU) lies in the grid's box.
func (g *Grid) Inside(oh, no, logU float64) bool {
	p := [3]float64{oh, no, logU}
	for i, ax := range g.axes {
		if !(p[i] >= ax[0]-1e-12 && p[i] <= ax[len(ax)-1]+1e-12) {
			return false
		}
	}
	return true
}

// logInterp writes the trilinearly interpolated log10 ratios into dst.
func (g *Grid) logInterp(p [3]float64, dst []float64) bool {
	var lo [3]int
	var w [3]float64
	for a, ax := range g.axes {
		h := ax[1] - ax[0]
		x := (p[a] - ax[0]) / h
		if !(x >= -1e-9 && x <= float64(len(ax)-1)+1e-9) {
			return false
		}
		i := int(math.Floor(x))
		if i < 0 {
			i = 0
		}
		if i > len(ax)-2 {
			i = len(ax) - 2
		}
		lo[a] = i
		w[a] = math.Min(math.Max(x-float64(i), 0), 1)
	}
	n1, n2 := len(g.axes[1]), len(g.axes[2])
	for q := range dst {
		dst[q] = 0
	}
	for c := 0; c < 8; c++ {
		wt := 1.0
		var idx [3]int
		for a := 0; a < 3; a++ {
			bit := (c >> a) & 1
			idx[a] = lo[a] + bit
			if bit == 1 {
				wt *= w[a]
			} else {
				wt *= 1 - w[a]
			}
		}
		if wt == 0 {
			continue
		}
		v := g.logv[(idx[0]*n1+idx[1])*n2+idx[2]]
		for q := range dst {
			dst[q] += wt * v[q]
		}
	}
	return true
}

// LogRatios returns the log10 line ratios at (oh, no, logU), interpolated
// trilinearly in log10 on the lattice.
func (g *Grid) LogRatios(oh, no, logU float64) ([]float64, error) {
	dst := make([]float64, len(g.lines))
	if !g.logInterp([3]float64{oh, no, logU}, dst) {
		lo, hi := g.Bounds()
		return nil, fmt.Errorf("hii: (%s, %s, %s) = (%g, %g, %g): %w (%v to %v)", ParamNames[0], ParamNames[1], ParamNames[2], oh, no, logU, ErrOutside, lo, hi)
	}
	return dst, nil
}

// Ratios returns the line ratios (to Hβ) at (oh, no, logU): 10^LogRatios.
func (g *Grid) Ratios(oh, no, logU float64) ([]float64, error) {
	v, err := g.LogRatios(oh, no, logU)
	for i := range v {
		v[i] = math.Pow(10, v[i])
	}
	return v, err
}

// Resimulate returns the noiseless line ratios for each row (OH, NO, logU)
// of params, for the resimulation check of posterior samples: a row outside
// the grid gives a row of NaN (missing), not an error. It panics if params
// does not have 3 columns.
func (g *Grid) Resimulate(params mat.Matrix) *mat.Dense {
	r, c := params.Dims()
	if r == 0 {
		return &mat.Dense{}
	}
	if c != 3 {
		panic(fmt.Sprintf("hii: Resimulate with %d parameter columns, want 3 (OH, NO, logU)", c))
	}
	out := mat.NewDense(r, len(g.lines), nil)
	row := make([]float64, len(g.lines))
	for i := 0; i < r; i++ {
		if !g.logInterp([3]float64{params.At(i, 0), params.At(i, 1), params.At(i, 2)}, row) {
			for q := range row {
				row[q] = math.NaN()
			}
		} else {
			for q := range row {
				row[q] = math.Pow(10, row[q])
			}
		}
		out.SetRow(i, row)
	}
	return out
}
