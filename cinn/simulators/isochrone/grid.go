package isochrone

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/gocinn/gocinn/cinn/table"
)

// Units of the physical quantities and of the initial mass and age.
var units = map[string]string{
	"logAge": "dex(yr)",
	"Mini":   "Msun",
	"Mass":   "Msun",
	"logL":   "dex(Lsun)",
	"logTe":  "dex(K)",
	"logg":   "dex(cm s-2)",
	"Zini":   "",
}

// quantityNames are the physical columns interpolated when a table has
// them, in output order.
var quantityNames = []string{"Mass", "logL", "logTe", "logg"}

// Grid is a set of isochrones: for each metallicity, isochrones at a list of
// ages, each a sequence of points ordered as in the file (by initial mass
// and evolutionary phase), with physical quantities and magnitudes.
type Grid struct {
	quantities []string // physical columns, subset of quantityNames
	bands      []string // magnitude columns
	zs         []float64
	isos       map[float64][]*iso // by Z, sorted by age
	pairs      map[float64][]*pair
	source     string
}

// iso is one isochrone.
type iso struct {
	z, logAge float64
	mini      []float64
	phase     []int       // evolutionary phase, made non-decreasing
	vals      [][]float64 // vals[k] = quantities then bands at point k
}

// Quantities returns the names of the physical columns interpolated (those
// of Mass, logL, logTe, logg that the table has).
func (g *Grid) Quantities() []string { return append([]string(nil), g.quantities...) }

// Bands returns the names of the magnitude columns.
func (g *Grid) Bands() []string { return append([]string(nil), g.bands...) }

// Metallicities returns the grid's metallicities Z, increasing.
func (g *Grid) Metallicities() []float64 { return append([]float64(nil), g.zs...) }

// Ages returns the log ages of the isochrones of metallicity z, increasing.
func (g *Grid) Ages(z float64) []float64 {
	var a []float64
	for _, is := range g.isos[z] {
		a = append(a, is.logAge)
	}
	return a
}

// AgeRange returns the smallest and largest log age of the grid common to
// all metallicities.
func (g *Grid) AgeRange() (lo, hi float64) {
	lo, hi = math.Inf(-1), math.Inf(1)
	for _, z := range g.zs {
		a := g.isos[z]
		lo = math.Max(lo, a[0].logAge)
		hi = math.Min(hi, a[len(a)-1].logAge)
	}
	return lo, hi
}

// Columns returns the names of the values Interpolate returns: the
// physical quantities, then the bands.
func (g *Grid) Columns() []string {
	return append(g.Quantities(), g.bands...)
}

// Options control how a Grid is built from tables. The zero value suits
// CMD/PARSEC and pydol files.
type Options struct {
	// Bands lists the magnitude columns to use. nil means: every column
	// whose name ends in "mag" (except mbolmag) or looks like an HST/JWST
	// filter (F555W, F814W, F200LP...).
	Bands []string
	// MaxLabel drops points whose evolutionary label (PARSEC "label")
	// exceeds it. 0 means 8 (TP-AGB): PARSEC's label 9 (post-AGB, white
	// dwarfs) carries logL = -9.999 and magnitudes of 30 or more. Use a
	// negative value to keep every point.
	MaxLabel int
}

var filterName = regexp.MustCompile(`^F\d{3,4}[A-Z]{1,2}$`)

// column names, first match wins (case-insensitive).
var (
	ageCols   = []string{"logAge", "Log_AGE", "log_age"}
	massCols  = []string{"Mini", "M_ini", "initial_mass", "mass"}
	zCols     = []string{"Zini", "Z"}
	labelCols = []string{"label", "ph", "phase"}
)

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

// NewGrid builds a grid from one or more tables (one per file), each
// holding one or more isochrones one after the other. name identifies the
// source in error messages. Every table needs an age column (logAge or
// Log_AGE) and an initial-mass column (Mini, or pydol's mass); a metallicity
// column (Zini or Z) and a phase column (label or ph) are used when present.
func NewGrid(name string, tabs []*table.Table, opts Options) (*Grid, error) {
	if len(tabs) == 0 {
		return nil, fmt.Errorf("isochrone: %s: no tables", name)
	}
	maxLabel := opts.MaxLabel
	if maxLabel == 0 {
		maxLabel = 8
	}
	g := &Grid{isos: map[float64][]*iso{}, source: name}
	for ti, t := range tabs {
		where := fmt.Sprintf("%s (table %d)", name, ti+1)
		if len(tabs) == 1 {
			where = name
		}
		ageC, massC := findCol(t, ageCols), findCol(t, massCols)
		if ageC == "" || massC == "" {
			return nil, fmt.Errorf("isochrone: %s: need an age column (logAge) and an initial-mass column (Mini); the table has %v. Is it a CMD/PARSEC isochrone table? (see the isochrone package documentation for how to get one)", where, t.Names())
		}
		zC, labC := findCol(t, zCols), findCol(t, labelCols)
		var quants, bands []string
		for _, q := range quantityNames {
			if t.Has(q) && q != massC {
				quants = append(quants, q)
			}
		}
		if opts.Bands != nil {
			bands = opts.Bands
			for _, b := range bands {
				if !t.Has(b) {
					return nil, fmt.Errorf("isochrone: %s: no band %q; the table has %v", where, b, t.Names())
				}
			}
		} else {
			for _, n := range t.Names() {
				if (strings.HasSuffix(n, "mag") && n != "mbolmag") || filterName.MatchString(n) {
					bands = append(bands, n)
				}
			}
		}
		if len(bands) == 0 {
			return nil, fmt.Errorf("isochrone: %s: no magnitude columns (names ending in mag, or filters like F555W) among %v; name them in Options.Bands", where, t.Names())
		}
		if ti == 0 {
			g.quantities, g.bands = quants, bands
		} else if !equalStrings(quants, g.quantities) || !equalStrings(bands, g.bands) {
			return nil, fmt.Errorf("isochrone: %s: columns %v + %v differ from the first table's %v + %v", where, quants, bands, g.quantities, g.bands)
		}
		if err := g.addTable(where, t, ageC, massC, zC, labC, maxLabel); err != nil {
			return nil, err
		}
	}
	for z, list := range g.isos {
		sort.Slice(list, func(i, j int) bool { return list[i].logAge < list[j].logAge })
		for i := 1; i < len(list); i++ {
			if list[i].logAge == list[i-1].logAge {
				return nil, fmt.Errorf("isochrone: %s: two isochrones with Z = %g and logAge = %g", name, z, list[i].logAge)
			}
		}
		g.zs = append(g.zs, z)
	}
	sort.Float64s(g.zs)
	massIdx := -1
	for j, q := range g.quantities {
		if q == "Mass" {
			massIdx = j
		}
	}
	g.pairs = map[float64][]*pair{}
	for _, z := range g.zs {
		list := g.isos[z]
		for i := 0; i+1 < len(list); i++ {
			g.pairs[z] = append(g.pairs[z], newPair(list[i], list[i+1], massIdx))
		}
	}
	return g, nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (g *Grid) addTable(where string, t *table.Table, ageC, massC, zC, labC string, maxLabel int) error {
	col := func(n string) []float64 {
		v, err := t.Col(n)
		if err != nil {
			panic("isochrone: internal: " + err.Error())
		}
		return v
	}
	age, mass := col(ageC), col(massC)
	var z, lab []float64
	if zC != "" {
		z = col(zC)
	}
	if labC != "" {
		lab = col(labC)
	}
	names := append(append([]string{}, g.quantities...), g.bands...)
	cols := make([][]float64, len(names))
	for j, n := range names {
		cols[j] = col(n)
	}
	var cur *iso
	seen := map[[2]float64]bool{}
	for r := 0; r < t.Len(); r++ {
		zr := 0.0
		if z != nil {
			zr = z[r]
		}
		if math.IsNaN(age[r]) || math.IsNaN(mass[r]) || math.IsNaN(zr) {
			return fmt.Errorf("isochrone: %s: data row %d: missing %s, %s or %s", where, r+1, ageC, massC, zC)
		}
		if cur == nil || cur.logAge != age[r] || cur.z != zr {
			key := [2]float64{zr, age[r]}
			if seen[key] {
				return fmt.Errorf("isochrone: %s: data row %d: the isochrone Z = %g, logAge = %g appears twice, not in one block", where, r+1, zr, age[r])
			}
			seen[key] = true
			cur = &iso{z: zr, logAge: age[r]}
			g.isos[zr] = append(g.isos[zr], cur)
		}
		ph := 0
		if lab != nil {
			ph = int(math.Floor(lab[r]))
			if maxLabel >= 0 && ph > maxLabel {
				continue
			}
		}
		v := make([]float64, len(names))
		bad := false
		for j := range names {
			v[j] = cols[j][r]
			if math.IsNaN(v[j]) || math.IsInf(v[j], 0) {
				bad = true
			}
		}
		if bad {
			continue // a point without a value cannot be interpolated
		}
		if n := len(cur.phase); n > 0 && ph < cur.phase[n-1] {
			ph = cur.phase[n-1] // phases must not go back (PMS/MS interleave)
		}
		m := mass[r]
		if n := len(cur.mini); n > 0 && m < cur.mini[n-1] {
			// Initial mass must not decrease along an isochrone; CMD
			// tables round Mini in rare places. Keep the order, clamp.
			m = cur.mini[n-1]
		}
		cur.mini = append(cur.mini, m)
		cur.phase = append(cur.phase, ph)
		cur.vals = append(cur.vals, v)
	}
	for _, list := range g.isos {
		for _, is := range list {
			if len(is.mini) < 2 {
				return fmt.Errorf("isochrone: %s: the isochrone Z = %g, logAge = %g has fewer than 2 usable points", where, is.z, is.logAge)
			}
		}
	}
	return nil
}

// ErrNoTable is wrapped by the errors Load returns for absent files.
var ErrNoTable = errors.New("isochrone table not found")

// HowToGet says where isochrone tables come from; it is part of the error
// for an absent table.
const HowToGet = "download PARSEC isochrones from the CMD web form, http://stev.oapd.inaf.it/cgi-bin/cmd (choose the photometric system, ages and metallicities; output: isochrone tables), or fetch them from Go with isochrone.Fetch"

// Load reads isochrone tables from files or directories (every .dat, .isoc,
// .cmd, .iso and .txt file in a directory, in name order) and builds a Grid
// with the given options.
func Load(opts Options, paths ...string) (*Grid, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("isochrone: %s: %w; %s", p, ErrNoTable, HowToGet)
			}
			return nil, fmt.Errorf("isochrone: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("isochrone: %w", err)
		}
		n := len(files)
		for _, e := range ents {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".dat", ".isoc", ".cmd", ".iso", ".txt":
				if !e.IsDir() {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
		if len(files) == n {
			return nil, fmt.Errorf("isochrone: %s: %w: the directory holds no .dat/.isoc/.cmd/.iso files; %s", p, ErrNoTable, HowToGet)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("isochrone: Load: no paths given")
	}
	tabs := make([]*table.Table, len(files))
	for i, f := range files {
		t, err := table.ReadFile(f, table.ReadOptions{Format: table.FormatASCII})
		if err != nil {
			return nil, fmt.Errorf("isochrone: %w", err)
		}
		tabs[i] = t
	}
	name := strings.Join(paths, ", ")
	if len(files) > 1 {
		name = fmt.Sprintf("%s (%d files)", name, len(files))
	}
	return NewGrid(name, tabs, opts)
}
