package simulators

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gocinn/gocinn/cinn/simulators/hii"
	"github.com/gocinn/gocinn/cinn/simulators/isochrone"
	"github.com/gocinn/gocinn/cinn/table"
)

// Generator makes training tables whose parameters are known: every
// registered Task (through TaskGenerator) and the simulators built on the
// real data in the project's data folder (NewGenerator).
type Generator interface {
	// Name is the name NewGenerator knows the generator by.
	Name() string
	// ParamNames are the columns of the physical parameters (the
	// quantities to infer) in the tables Generate returns.
	ParamNames() []string
	// ObsNames are the columns of the observations.
	ObsNames() []string
	// Generate returns n draws as a table with ParamNames then ObsNames
	// columns.
	Generate(ctx context.Context, n int, src rand.Source) (*table.Table, error)
}

// TaskGenerator returns a Generator for a Task: Generate is Dataset.
func TaskGenerator(t Task) Generator { return taskGen{t} }

type taskGen struct{ Task }

func (g taskGen) Generate(ctx context.Context, n int, src rand.Source) (*table.Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return Dataset(g.Task, n, src), nil
}

// Default noise of the data-based generators.
const (
	// PhotometricNoise is the σ (mag) NewGenerator's isochrone generators
	// add to every band.
	PhotometricNoise = 0.01
	// LineNoise is the relative σ NewGenerator's hii generator applies to
	// every line ratio.
	LineNoise = 0.05
)

// dataGenerators are the simulators on real tables: name, the file or
// folder under the data directory, and what they are.
var dataGenerators = map[string]struct {
	path, what string
}{
	"parsec_gaia": {"parsec-gaia", "PARSEC isochrones, Gaia EDR3 G, BP, RP; Z = 0.010-0.020, logAge 7-9.5 (isochrone package)"},
	"parsec_hst":  {"parsec-hst", "PARSEC 1.1 isochrones, HST ACS F435W, F555W, F814W; Z = 0.0152, logAge 7-8 (isochrone package)"},
	"hii":         {"hii/C17_POPSTAR_1myr.dat", "HII-CHI-Mistry Cloudy grid, 10 line ratios from O/H, N/O, log U (hii package)"},
}

// GeneratorNames returns the names NewGenerator accepts: the registered
// tasks and the data-based generators, in lexical order.
func GeneratorNames() []string {
	names := Names()
	for n := range dataGenerators {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DescribeGenerator returns a one-line description of a generator, for help.
func DescribeGenerator(name string) string {
	key := normalise(name)
	if d, ok := dataGenerators[key]; ok {
		return d.what
	}
	if _, err := Lookup(key); err == nil {
		return "sbibm task " + key + " (Lueckmann et al. 2021)"
	}
	return ""
}

func normalise(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
}

// NewGenerator returns the generator called name. The sbibm tasks need
// nothing else; parsec_gaia, parsec_hst and hii read their tables from
// dataDir (the project's ../shared/data, or wherever the user keeps them)
// and add the default noise (PhotometricNoise, LineNoise). For other
// settings use the isochrone and hii packages directly.
func NewGenerator(name, dataDir string) (Generator, error) {
	key := normalise(name)
	if t, err := Lookup(key); err == nil {
		return TaskGenerator(t), nil
	}
	d, ok := dataGenerators[key]
	if !ok {
		return nil, fmt.Errorf("simulators: unknown simulator %q (known: %s)", name, strings.Join(GeneratorNames(), ", "))
	}
	path := filepath.Join(dataDir, filepath.FromSlash(d.path))
	switch key {
	case "hii":
		g, err := hii.Load(path)
		if err != nil {
			return nil, err
		}
		return &hiiGen{s: &hii.Simulator{Grid: g, DefaultNoise: LineNoise}}, nil
	default:
		g, err := isochrone.Load(isochrone.Options{}, path)
		if err != nil {
			return nil, err
		}
		noise := map[string]float64{}
		for _, b := range g.Bands() {
			noise[b] = PhotometricNoise
		}
		return &isoGen{name: key, s: &isochrone.Simulator{Grid: g, Noise: noise}}, nil
	}
}

type isoGen struct {
	name string
	s    *isochrone.Simulator
}

func (g *isoGen) Name() string         { return g.name }
func (g *isoGen) ParamNames() []string { return g.s.ParamNames() }
func (g *isoGen) ObsNames() []string   { return g.s.ObsNames() }
func (g *isoGen) Generate(ctx context.Context, n int, src rand.Source) (*table.Table, error) {
	return g.s.Sample(ctx, n, src)
}

type hiiGen struct{ s *hii.Simulator }

func (*hiiGen) Name() string           { return "hii" }
func (g *hiiGen) ParamNames() []string { return g.s.ParamNames() }

// ObsNames are the log10 line ratios, the usual network input.
func (g *hiiGen) ObsNames() []string { return g.s.Grid.LogLines() }
func (g *hiiGen) Generate(ctx context.Context, n int, src rand.Source) (*table.Table, error) {
	t, err := g.s.Sample(ctx, n, src)
	if err != nil {
		return nil, err
	}
	return t.Select(append(g.ParamNames(), g.ObsNames()...)...)
}
