// Copyright ©2026 The gocinn Authors. All rights reserved.

package validation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/diagnostics"
	"github.com/gocinn/gocinn/cinn/simulators"
	"github.com/gocinn/gocinn/cinn/simulators/isochrone"
)

func TestDenseCodec(t *testing.T) {
	m := mat.NewDense(3, 2, []float64{1, -2, 3.5, 1e-300, -0, 7})
	got, err := decodeDense(encodeDense(m))
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got, m) {
		t.Fatalf("round trip: got %v, want %v", mat.Formatted(got), mat.Formatted(m))
	}
	b := encodeDense(m)
	for _, bad := range [][]byte{nil, b[:7], b[:len(b)-1], append(b, 0)} {
		if _, err := decodeDense(bad); err == nil {
			t.Errorf("decodeDense accepted %d bytes", len(bad))
		}
	}
}

func TestReferenceCache(t *testing.T) {
	dir := t.TempDir()
	ref := ReferenceCache(dir, 500, simulators.MCMCSettings{})
	a, err := ref("two_moons", 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := a.Dims(); r != 500 || c != 2 {
		t.Fatalf("dims %d×%d, want 500×2", r, c)
	}
	file := filepath.Join(dir, "two_moons-2-500.f64")
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	b, err := ref("two_moons", 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(a, b) {
		t.Fatal("cached reference differs from the one built")
	}
	// The cache holds the same draws as ReferenceSamples with the seed
	// RunTask uses.
	task, _ := simulators.Lookup("two_moons")
	_, xObs := simulators.Observations(task, 3, simulators.ObservationSeed)
	c, _, err := ReferenceSamples(context.Background(), task, xObs.RawRowView(2), 500,
		rand.NewPCG(uint64(simulators.ObservationSeed), 2002), simulators.MCMCSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(a, c) {
		t.Fatal("cache differs from ReferenceSamples")
	}
	if err := os.WriteFile(file, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ref("two_moons", 2, false); err == nil || !strings.Contains(err.Error(), "delete the file") {
		t.Fatalf("corrupt cache: err = %v, want a message saying to delete the file", err)
	}
}

// TestReferenceCacheConcurrent builds one missing reference file from
// several goroutines at once, as two validate runs side by side do: every
// call gets the reference, and only the file itself is left behind.
func TestReferenceCacheConcurrent(t *testing.T) {
	dir := t.TempDir()
	ref := ReferenceCache(dir, 2000, simulators.MCMCSettings{})
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			m, err := ref("gaussian_linear", 0, false)
			if err == nil {
				if r, c := m.Dims(); r != 2000 || c != 10 {
					err = fmt.Errorf("dims %d×%d, want 2000×10", r, c)
				}
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "gaussian_linear-0-2000.f64"); !slices.Equal(names, []string{want}) {
		t.Errorf("files left in the cache: %v, want only %s", names, want)
	}
}

func TestC2STTable(t *testing.T) {
	tab := C2STTable([]TaskResult{
		{Task: "two_moons", Budget: 1000, Samples: 1000, C2ST: []float64{0.6, 0.7}, Mean: 0.65, Std: 0.0707, Epochs: 30, BestEpoch: 20, TrainSeconds: 12},
		{Task: "slcp", Budget: 10000, Samples: 10000, C2ST: []float64{0.95}, Mean: 0.95, Epochs: 5, BestEpoch: 5},
		{Task: "slcp", Budget: 100000, Samples: 10000, C2ST: []float64{0.65, 0.7}, Mean: 0.675, Std: 0.035, Epochs: 5, BestEpoch: 4, Published: true},
		// Above the rounded 0.506, at or below the full-precision 0.50601.
		{Task: "gaussian_linear", Budget: 100000, Samples: 10000, C2ST: []float64{0.506005}, Mean: 0.506005, Epochs: 25, BestEpoch: 15},
		// Below the rounded 0.509, above the full-precision 0.50928.
		{Task: "gaussian_linear_uniform", Budget: 100000, Samples: 10000, C2ST: []float64{0.5093}, Mean: 0.5093, Epochs: 27, BestEpoch: 17},
	})
	for _, want := range []string{
		"| two_moons | 10^3 | 0.650 ± 0.071 (2 × 1000) ✓ | 0.725 | 0.820 ✓ | — | 30 (20) | 12 s |",
		"| slcp | 10^4 | 0.950 ± 0.000 (1 × 10000) | 0.901 | — | — | 5 (5) |",
		"| slcp | 10^5 | 0.675 ± 0.035 (2 × 10000, sbibm's observations) ✓ | 0.831 (0.83150) | — | 0.578 ✗ | 5 (4) |",
		"| two_moons | 10^5 | — | 0.542 (0.54169) | — | 0.530 | — | — |",
		"| gaussian_mixture | 10^3 | — | 0.716 |",
		"| gaussian_mixture | 10^5 | — | 0.548 | — |",
		"| gaussian_linear | 10^5 | 0.506 ± 0.000 (1 × 10000) ✓ | 0.506 (0.50601) |",
		"| gaussian_linear_uniform | 10^5 | 0.509 ± 0.000 (1 × 10000) | 0.509 (0.50928) |",
	} {
		if !strings.Contains(tab, want) {
			t.Errorf("table lacks %q:\n%s", want, tab)
		}
	}
	if n := strings.Count(tab, "\n"); n != 2+3*len(Published) {
		t.Errorf("table has %d lines, want %d:\n%s", n, 2+3*len(Published), tab)
	}
}

func TestRunIsochroneMissingData(t *testing.T) {
	_, err := RunIsochrone(context.Background(), t.TempDir(), IsochroneSettings{})
	if err == nil || !strings.Contains(err.Error(), "-data") {
		t.Fatalf("err = %v, want an error naming the -data flag", err)
	}
}

// TestRejectOutsidePrior: with prior rejection every sample lies inside the
// prior's support, and the first draw of a barely trained network on
// gaussian_linear_uniform (U(-1, 1)^10) left some outside.
func TestRejectOutsidePrior(t *testing.T) {
	task, err := simulators.Lookup("gaussian_linear_uniform")
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := TrainTask(context.Background(), task, Settings{Budget: 500, Seed: 3,
		Config: cinn.Config{Blocks: 2, Hidden: 16, Layers: 1},
		Train:  cinn.TrainSettings{Epochs: 1, BatchSize: 100}})
	if err != nil {
		t.Fatal(err)
	}
	_, xObs := simulators.Observations(task, 1, simulators.ObservationSeed)
	post, err := m.Sample(context.Background(), xObs, 400, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	kept, acc, err := rejectOutsidePrior(context.Background(), m, task, xObs, post[0], 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !(acc > 0 && acc < 1) {
		t.Errorf("accepted fraction %v: the test needs a first draw partly outside the prior", acc)
	}
	if r, c := kept.Dims(); r != 400 || c != 10 {
		t.Fatalf("kept %d×%d", r, c)
	}
	for i := range 400 {
		if lp := task.LogPrior(kept.RawRowView(i)); math.IsInf(lp, -1) {
			t.Fatalf("sample %d %v is outside the prior", i, kept.RawRowView(i))
		}
	}
}

// TestRunTaskPrevious: a run with more observations keeps the scores of an
// earlier run of the same network, which are the scores it would compute
// itself, and ignores an earlier run of another network.
func TestRunTaskPrevious(t *testing.T) {
	task, err := simulators.Lookup("two_moons")
	if err != nil {
		t.Fatal(err)
	}
	s := Settings{Budget: 300, Samples: 200, Seed: 4,
		Config: cinn.Config{Blocks: 2, Hidden: 16, Layers: 1},
		Train:  cinn.TrainSettings{Epochs: 3, BatchSize: 100},
		C2ST:   diagnostics.C2STSettings{MaxIter: 20}}
	s.Observations = 1
	one, err := RunTask(context.Background(), task, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(one); err != nil || one.Std != 0 {
		t.Fatalf("one observation: Std %v, JSON error %v (validate writes every result as JSON)", one.Std, err)
	}
	s.Observations = 2
	full, err := RunTask(context.Background(), task, s)
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	s.Log = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	s.Previous = &one
	resumed, err := RunTask(context.Background(), task, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(resumed.C2ST, full.C2ST) {
		t.Errorf("resumed scores %v, full run %v", resumed.C2ST, full.C2ST)
	}
	logs := func(want string) bool {
		return slices.ContainsFunc(logged, func(l string) bool { return strings.Contains(l, want) })
	}
	if !logs("kept the scores of its 1 observations") {
		t.Errorf("log %q does not say the earlier score was kept", logged)
	}

	// A forged earlier score of another network is not kept.
	other := one
	other.C2ST = []float64{0.99}
	other.BestValLoss += 1e-9
	s.Previous = &other
	logged = nil
	again, err := RunTask(context.Background(), task, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.C2ST, full.C2ST) {
		t.Errorf("with another network's scores: %v, want %v", again.C2ST, full.C2ST)
	}
	if !logs("training ended differently") {
		t.Errorf("log %q does not say why the earlier scores were not kept", logged)
	}
	if one.BLAS == "" || one.BLAS != cinn.BLAS() {
		t.Errorf("result records matrix kernels %q, want cinn.BLAS() %q", one.BLAS, cinn.BLAS())
	}
	// The earlier run's kernels are named when they may explain the
	// difference.
	other.BLAS = "sgemm avx2"
	s.Previous = &other
	logged = nil
	if _, err := RunTask(context.Background(), task, s); err != nil {
		t.Fatal(err)
	}
	if one.BLAS != "sgemm avx2" && !logs("the earlier run used the matrix kernels sgemm avx2, this run "+one.BLAS) {
		t.Errorf("log %q does not name the two runs' kernels", logged)
	}
}

// TestKernelHint: a resumed run that trained differently names the matrix
// kernels when they differ or were not recorded, and nothing otherwise.
func TestKernelHint(t *testing.T) {
	for _, tc := range []struct{ earlier, now, want string }{
		{"sgemm avx2", "sgemm avx2", ""},
		{"sgemm avx2", "sgemm avx512", "; the earlier run used the matrix kernels sgemm avx2, this run sgemm avx512, and kernel sets round differently (set GOCINN_BLAS to repeat it)"},
		{"", "sgemm avx512", "; the earlier run did not record its matrix kernels, this run used sgemm avx512, and kernel sets round differently (older runs checked used avx512 or avx2: try GOCINN_BLAS=avx512, then avx2)"},
	} {
		if got := kernelHint(tc.earlier, tc.now); got != tc.want {
			t.Errorf("kernelHint(%q, %q) = %q, want %q", tc.earlier, tc.now, got, tc.want)
		}
	}
}

// sharedData returns the project's real data folder ($GOCINN_DATA, else
// shared/data beside the repository), failing with where it should be.
func sharedData(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GOCINN_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatalf("the shared real data folder is absent (%v): TestSharedData… tests read the PARSEC Gaia tables in ../shared/data beside the repository; set GOCINN_DATA to its path, or skip them with -skip TestSharedData", err)
	}
	return dir
}

// TestSharedDataIsochroneDerived runs the derived-parameter isochrone
// validation on a tiny network: the network infers logAge, Mini and Zini,
// and every reported sample is a star on an isochrone.
func TestSharedDataIsochroneDerived(t *testing.T) {
	figs := t.TempDir()
	res, err := RunIsochrone(context.Background(), sharedData(t), IsochroneSettings{
		TrainStars: 1000, TestStars: 20, Samples: 100, Derived: true, Figures: figs,
		Config: cinn.Config{Blocks: 2, Hidden: 16, Layers: 1},
		Train:  cinn.TrainSettings{Epochs: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{"in-family", "held-out"} {
		for _, fig := range []string{"calibration", "truth-vs-map"} {
			name := filepath.Join(figs, "validation-iso-"+set+"-"+fig+".png")
			if b, err := os.ReadFile(name); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
				t.Errorf("figure %s: %v, %d bytes: want a PNG", name, err, len(b))
			}
		}
	}
	if !res.Derived || len(res.Redrawn) != 2 {
		t.Fatalf("Derived %v, Redrawn %v: want true and one fraction per test set", res.Derived, res.Redrawn)
	}
	if len(res.History) != res.Epochs || res.Epochs != 2 || !(res.History[1].LR > 0) {
		t.Errorf("history %+v of %d epochs: want the learning rate of every epoch", res.History, res.Epochs)
	}
	for _, f := range res.Redrawn {
		if !(f >= 0 && f < 1) {
			t.Errorf("redrawn fraction %v outside [0, 1)", f)
		}
	}
	for _, set := range [][]IsochroneParam{res.InFamily, res.HeldOut} {
		if len(set) != len(IsochroneParams) {
			t.Fatalf("%d parameters reported, want %d (%v)", len(set), len(IsochroneParams), IsochroneParams)
		}
		for j, p := range set {
			if p.Name != IsochroneParams[j] || math.IsNaN(p.MedianCal) || math.IsNaN(p.RMSEMAP) || p.InSupport < 0 || p.InSupport > 1 {
				t.Errorf("parameter %d: %+v", j, p)
			}
			// The central 95% interval holds the 68% one.
			if p.Coverage95 < p.Coverage68 || p.Coverage95 > 1 {
				t.Errorf("parameter %d: coverage of the 95%% interval %v below the 68%% one's %v", j, p.Coverage95, p.Coverage68)
			}
			// The p-value of the median |e_cal| is the null's tail at the
			// network's value, on as many stars with as many samples.
			null := diagnostics.NullMedianCal(res.TestStars, diagnostics.NullOptions{Samples: res.Samples}, rand.NewPCG(uint64(res.TestStars), 9001))
			if want := diagnostics.NullPValue(null, p.MedianCal); p.MedianCalP != want || !(want > 0 && want <= 1) {
				t.Errorf("parameter %d: median |e_cal| %v has p %v, want %v", j, p.MedianCal, p.MedianCalP, want)
			}
		}
	}
	// Two epochs leave the held-out metallicity's posteriors far off.
	if p := res.HeldOut[0].MedianCalP; p > 0.01 {
		t.Errorf("held-out metallicity after two epochs: p %v of median |e_cal| %v, want below 0.01", p, res.HeldOut[0].MedianCal)
	}
}

// TestSharedDataIsochroneLoad evaluates a saved isochrone network again:
// it records the network's seeds, on the same test stars it reproduces the
// first run's diagnostics, on
// another test seed it draws other stars, and a network of other
// parameters, or Load with Model, is refused.
func TestSharedDataIsochroneLoad(t *testing.T) {
	ctx := context.Background()
	data := sharedData(t)
	file := filepath.Join(t.TempDir(), "iso.cinn")
	small := func(s IsochroneSettings) IsochroneSettings {
		s.TrainStars, s.TestStars, s.Samples = 1000, 50, 100
		s.Config = cinn.Config{Blocks: 2, Hidden: 16, Layers: 1, Seed: 5, PermSeed: 7, Permute: cinn.PermuteBalanced, LinearMix: true, MixInit: cinn.MixRotation}
		s.Train = cinn.TrainSettings{Epochs: 2, Seed: 6}
		return s
	}
	trained, err := RunIsochrone(ctx, data, small(IsochroneSettings{Model: file}))
	if err != nil {
		t.Fatal(err)
	}
	again, err := RunIsochrone(ctx, data, small(IsochroneSettings{Load: file}))
	if err != nil {
		t.Fatal(err)
	}
	if again.Loaded != file || again.TrainStars != 0 || again.Epochs != 0 || again.History != nil || again.TestSeed != 0 {
		t.Errorf("loaded run: Loaded %q, TrainStars %d, Epochs %d, History %v, TestSeed %d: want %q and no training", again.Loaded, again.TrainStars, again.Epochs, again.History, again.TestSeed, file)
	}
	if again.NetSeed != 5 || again.BatchSeed != 6 || again.PermSeed != 7 || again.Permute != cinn.PermuteBalanced || !again.LinearMix || again.MixInit != cinn.MixRotation {
		t.Errorf("loaded run records the network's seeds %d, %d, %d, permutations %q and mixing %v from %q: want the file's 5, 6, 7, %q and true from %q",
			again.NetSeed, again.BatchSeed, again.PermSeed, again.Permute, again.LinearMix, again.MixInit, cinn.PermuteBalanced, cinn.MixRotation)
	}
	if !slices.Equal(again.InFamily, trained.InFamily) || !slices.Equal(again.HeldOut, trained.HeldOut) {
		t.Errorf("the saved network on the same test stars:\n%+v\nwant\n%+v", again.InFamily, trained.InFamily)
	}
	other, err := RunIsochrone(ctx, data, small(IsochroneSettings{Load: file, TestSeed: 9}))
	if err != nil {
		t.Fatal(err)
	}
	if other.TestSeed != 9 || slices.Equal(other.InFamily, trained.InFamily) {
		t.Errorf("test seed 9: TestSeed %d, in-family %+v: want 9 and other test stars' diagnostics", other.TestSeed, other.InFamily)
	}
	for _, c := range []struct {
		s    IsochroneSettings
		want string
	}{
		{IsochroneSettings{Load: file, Derived: true}, "-iso-derived"},
		{IsochroneSettings{Load: file, Model: file}, "not both"},
		{IsochroneSettings{Load: filepath.Join(t.TempDir(), "none.cinn")}, "none.cinn"},
	} {
		if _, err := RunIsochrone(ctx, data, small(c.s)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load %q, Derived %v, Model %q: error %v, want one naming %q", c.s.Load, c.s.Derived, c.s.Model, err, c.want)
		}
	}
}

// TestSharedDataIsochroneSeeds checks that the network's seed, the
// mini-batch seed and the permutation seed each change the trained network
// on the same training stars and are recorded only when they differ from
// their defaults.
func TestSharedDataIsochroneSeeds(t *testing.T) {
	ctx := context.Background()
	data := sharedData(t)
	run := func(netSeed, batchSeed int64, edit ...func(*cinn.Config)) IsochroneResult {
		t.Helper()
		cfg := cinn.Config{Blocks: 2, Hidden: 16, Layers: 1, Seed: netSeed}
		for _, e := range edit {
			e(&cfg)
		}
		res, err := RunIsochrone(ctx, data, IsochroneSettings{
			TrainStars: 1000, TestStars: 50, Samples: 100, Seed: 3,
			Config: cfg,
			Train:  cinn.TrainSettings{Epochs: 2, Seed: batchSeed},
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	def := run(0, 0)
	if def.NetSeed != 0 || def.BatchSeed != 0 {
		t.Errorf("default seeds recorded as NetSeed %d, BatchSeed %d: want neither", def.NetSeed, def.BatchSeed)
	}
	losses := func(r IsochroneResult) []float64 {
		var l []float64
		for _, e := range r.History {
			l = append(l, e.TrainLoss, e.ValLoss)
		}
		return l
	}
	if explicit := run(3, 4); explicit.NetSeed != 0 || explicit.BatchSeed != 0 || !slices.Equal(losses(explicit), losses(def)) {
		t.Errorf("the defaults spelt out (3, 4): NetSeed %d, BatchSeed %d, losses %v: want neither recorded and the default run's %v", explicit.NetSeed, explicit.BatchSeed, losses(explicit), losses(def))
	}
	for _, c := range []struct{ net, batch int64 }{{9, 0}, {0, 9}} {
		res := run(c.net, c.batch)
		if res.NetSeed != c.net || res.BatchSeed != c.batch {
			t.Errorf("seeds (%d, %d) recorded as (%d, %d)", c.net, c.batch, res.NetSeed, res.BatchSeed)
		}
		if l := losses(res); l[0] == losses(def)[0] {
			t.Errorf("seeds (%d, %d): first epoch's training loss %v, as with the default seeds: want another network", c.net, c.batch, l[0])
		}
	}
	// Other permutations with the default weights: recorded, another network.
	if res := run(0, 0, func(c *cinn.Config) { c.PermSeed = 9 }); res.PermSeed != 9 || res.NetSeed != 0 || losses(res)[0] == losses(def)[0] {
		t.Errorf("permutation seed 9: recorded PermSeed %d, NetSeed %d, first loss %v (default %v): want 9, 0 and another network", res.PermSeed, res.NetSeed, losses(res)[0], losses(def)[0])
	}
	// The balanced design: recorded, another network.
	if res := run(0, 0, func(c *cinn.Config) { c.Permute = cinn.PermuteBalanced }); res.Permute != cinn.PermuteBalanced || losses(res)[0] == losses(def)[0] {
		t.Errorf("balanced permutations: recorded Permute %q, first loss %v (default %v): want %q and another network", res.Permute, losses(res)[0], losses(def)[0], cinn.PermuteBalanced)
	}
	// Learned mixing: recorded, another network once trained.
	if res := run(0, 0, func(c *cinn.Config) { c.LinearMix = true }); !res.LinearMix || losses(res)[1] == losses(def)[1] {
		t.Errorf("learned mixing: recorded LinearMix %v, first validation loss %v (default %v): want true and another network", res.LinearMix, losses(res)[1], losses(def)[1])
	}
}

// TestSharedDataIsoDeriver checks the derived-parameter mapping against
// the simulator: the (logAge, Mini, Zini) of simulated stars, with Zini
// dequantized as in training, give back the stars' own Mass, logL, logTe
// and logg, and a mass beyond every isochrone gives no star.
func TestSharedDataIsoDeriver(t *testing.T) {
	g, err := isochrone.Load(isochrone.Options{}, filepath.Join(sharedData(t), "parsec-gaia"))
	if err != nil {
		t.Fatal(err)
	}
	zs := []float64{0.015, 0.02}
	ctx := context.Background()
	raw, _, err := isoStars(ctx, g, zs, 200, 0, 7, 0, []string{"logAge", "Mini", "Zini"})
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := isoStars(ctx, g, zs, 200, 0, 7, 0, IsochroneParams)
	if err != nil {
		t.Fatal(err)
	}
	d, err := newIsoDeriver(g, zs)
	if err != nil {
		t.Fatal(err)
	}
	jit := 0.49 * zStep(zs)
	got := make([]float64, len(IsochroneParams))
	for i := range 200 {
		r := append([]float64(nil), raw.RawRowView(i)...)
		r[2] += jit * float64(1-2*(i%2)) // within half a step of the star's Zini
		if !d.derive(got, r) {
			t.Fatalf("star %d %v: no star derived", i, r)
		}
		for j, name := range IsochroneParams {
			if w := want.At(i, j); math.Abs(got[j]-w) > 1e-9*math.Max(1, math.Abs(w)) {
				t.Errorf("star %d %v: %s = %v, want %v", i, r, name, got[j], w)
			}
		}
	}
	if d.derive(got, []float64{8, 1e6, 0.015}) {
		t.Errorf("a star of 10^6 solar masses was derived: %v", got)
	}
}

func TestZStepNearest(t *testing.T) {
	for _, c := range []struct {
		zs         []float64
		step, z, n float64
	}{
		{[]float64{0.015}, 0, 0.3, 0.015},
		{[]float64{0.020, 0.015}, 0.005, 0.0176, 0.020},
		{[]float64{0.020, 0.015}, 0.005, 0.0174, 0.015},
		{[]float64{0.03, 0.01, 0.015}, 0.005, -1, 0.01},
	} {
		if got := zStep(c.zs); math.Abs(got-c.step) > 1e-15 {
			t.Errorf("zStep(%v) = %v, want %v", c.zs, got, c.step)
		}
		if got := nearest(c.zs, c.z); got != c.n {
			t.Errorf("nearest(%v, %v) = %v, want %v", c.zs, c.z, got, c.n)
		}
	}
}

// TestPublishedObservations checks the copied sbibm observations against
// the simulator: at its true parameters each observation is typical of the
// simulator's own draws there, by the log-likelihood for slcp and by the
// squared distance from the parameters for the Gaussian linear tasks (a
// number far off, observations paired with the wrong parameters, or for
// slcp a layout other than (x11, x12, x21, ...), put it far outside them;
// a small slip in a digit of the Gaussian tasks' numbers would pass).
func TestPublishedObservations(t *testing.T) {
	cases := []struct {
		task string
		stat func(task simulators.Task, theta, x []float64) float64
	}{
		{"slcp", func(task simulators.Task, theta, x []float64) float64 {
			return task.(*simulators.SLCP).LogLikelihood(theta, x)
		}},
		{"gaussian_linear", sqDist},
		{"gaussian_linear_uniform", sqDist},
	}
	for _, c := range cases {
		task, _ := simulators.Lookup(c.task)
		theta, x, ok := PublishedObservations(c.task, 10)
		if !ok {
			t.Fatalf("no published %s observations", c.task)
		}
		_, d := theta.Dims()
		const sims = 20000
		for i := range 10 {
			th := theta.RawRowView(i)
			rep := mat.NewDense(sims, d, nil)
			for k := range sims {
				rep.SetRow(k, th)
			}
			xs := task.Simulate(rep, rand.NewPCG(5, uint64(i)))
			st := make([]float64, sims)
			for k := range sims {
				st[k] = c.stat(task, th, xs.RawRowView(k))
			}
			slices.Sort(st)
			got := c.stat(task, th, x.RawRowView(i))
			if lo, hi := st[sims/2000], st[sims-1-sims/2000]; !(got >= lo && got <= hi) {
				t.Errorf("%s observation %d: statistic %.3g at its true parameters, outside the simulator's central 99.9%% [%.3g, %.3g]", c.task, i+1, got, lo, hi)
			}
			if lp := task.LogPrior(th); math.IsInf(lp, -1) {
				t.Errorf("%s observation %d: true parameters outside the prior", c.task, i+1)
			}
		}
	}
	if _, _, ok := PublishedObservations("two_moons", 10); ok {
		t.Error("two_moons has published observations")
	}
	if _, _, ok := PublishedObservations("slcp", 11); ok {
		t.Error("11 published slcp observations")
	}
	tm, _ := simulators.Lookup("two_moons")
	_, err := RunTask(context.Background(), tm, Settings{Budget: 100, Published: true})
	if err == nil || !strings.Contains(err.Error(), "only for slcp, gaussian_linear and gaussian_linear_uniform") {
		t.Errorf("two_moons with published observations: %v", err)
	}
}

// sqDist is the squared distance of x from theta.
func sqDist(_ simulators.Task, theta, x []float64) float64 {
	var s float64
	for j := range theta {
		s += (x[j] - theta[j]) * (x[j] - theta[j])
	}
	return s
}

// TestReferenceCachePublished checks that the cache keeps the references
// of the published observations apart and builds them for those.
func TestReferenceCachePublished(t *testing.T) {
	dir := t.TempDir()
	mcmc := simulators.MCMCSettings{Chains: 4, Burn: 400, Screen: 2000, MaxRhat: 10}
	a, err := ReferenceCache(dir, 200, mcmc)("slcp", 3, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "slcp-sbibm-3-200.f64")); err != nil {
		t.Fatal(err)
	}
	task, _ := simulators.Lookup("slcp")
	_, x, _ := PublishedObservations("slcp", 4)
	b, _, err := ReferenceSamples(context.Background(), task, x.RawRowView(3), 200,
		rand.NewPCG(uint64(simulators.ObservationSeed), 2003), mcmc)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(a, b) {
		t.Error("the cached reference is not the published observation's")
	}
}

// TestRunTaskPublishedReference checks that RunTask asks the reference
// source for the published observations' references, so that a cache
// cannot pair them with those of the prior-drawn observations.
func TestRunTaskPublishedReference(t *testing.T) {
	task, _ := simulators.Lookup("slcp")
	for _, published := range []bool{false, true} {
		var asked []bool
		res, err := RunTask(context.Background(), task, Settings{
			Budget: 200, Observations: 1, Samples: 200, Published: published,
			Config: cinn.Config{Blocks: 2, Hidden: 8, Layers: 1},
			Train:  cinn.TrainSettings{Epochs: 1},
			Reference: func(name string, i int, p bool) (*mat.Dense, error) {
				asked = append(asked, p)
				return task.SamplePrior(200, rand.NewPCG(1, 1)), nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(asked) != 1 || asked[0] != published || res.Published != published {
			t.Errorf("Published %v: reference asked with %v, result says %v", published, asked, res.Published)
		}
	}
}

// TestIsochroneTable formats the criteria as Markdown: a result with
// p-values shows them beside the median |e_cal|, one written before they
// were recorded shows the bare percentages.
func TestIsochroneTable(t *testing.T) {
	for _, c := range []struct {
		name string
		res  IsochroneResult
		want string
	}{
		{"with p", IsochroneResult{HeldOutZ: 0.01,
			InFamily: []IsochroneParam{{Name: "logL", MedianCal: 0.0188, MedianCalP: 0.0002, InSupport: 0.998, RMSEMAP: 0.0103, U68: 0.0134}},
			HeldOut:  []IsochroneParam{{Name: "logL", MedianCal: 0.44, MedianCalP: 0.0001, InSupport: 0.378, RMSEMAP: 0.0374}}},
			"| logL | 1.88% (p 0.0002) | 99.8% | 0.010 | 0.013 | 44.00% (p 0.0001) | 37.8% | 0.037 |\n"},
		{"before p", IsochroneResult{HeldOutZ: 0.01,
			InFamily: []IsochroneParam{{Name: "Mass", MedianCal: 0.0072, InSupport: 0.997, RMSEMAP: 0.026, U68: 0.0196}}},
			"| Mass | 0.72% | 99.7% | 0.026 | 0.020 |\n"},
	} {
		tab := c.res.Table()
		lines := strings.SplitAfter(tab, "\n")
		if len(lines) < 3 || !strings.Contains(lines[0], "held-out Z=0.01") || lines[2] != c.want {
			t.Errorf("%s:\n%s\nwant the row\n%s", c.name, tab, c.want)
		}
	}
}

// TestNPEPerObservation checks the copied per-observation scores against
// sbibm's published means (three decimals). It is a weak check: a slip of
// 0.01 in one score moves its task's mean by 0.001 and fails it, but a slip
// in the third decimal or beyond, or two observations swapped, passes.
func TestNPEPerObservation(t *testing.T) {
	for task, scores := range NPEPerObservation {
		var mean float64
		for _, s := range scores {
			if s < 0.45 || s > 1 {
				t.Errorf("%s: score %v is no C2ST", task, s)
			}
			mean += s / float64(len(scores))
		}
		if want := Published[task][2]; math.Abs(mean-want) > 0.0005 {
			t.Errorf("%s: mean of the copied scores %.5f, sbibm publishes %.3f", task, mean, want)
		}
	}
}

func TestPairedNPE(t *testing.T) {
	gl := NPEPerObservation["gaussian_linear"]
	for _, tc := range []struct {
		name string
		r    TaskResult
		ok   bool
		want Paired
	}{
		{"equal scores", TaskResult{Task: "gaussian_linear", Budget: 100000, Published: true, C2ST: gl[:]},
			true, Paired{N: 10, NPE: 0.50601, Diff: 0, SE: 0, Lower: 10}},
		{"two observations", TaskResult{Task: "gaussian_linear", Budget: 100000, Published: true, C2ST: []float64{gl[0] + 0.01, gl[1] - 0.01}},
			true, Paired{N: 2, NPE: (gl[0] + gl[1]) / 2, Diff: 0, SE: 0.01, Lower: 1}},
		{"gocinn's observations", TaskResult{Task: "gaussian_linear", Budget: 100000, C2ST: gl[:]}, false, Paired{}},
		{"budget 10^4", TaskResult{Task: "gaussian_linear", Budget: 10000, Published: true, C2ST: gl[:]}, false, Paired{}},
		{"no scores copied", TaskResult{Task: "gaussian_mixture", Budget: 100000, Published: true, C2ST: gl[:]}, false, Paired{}},
		{"more observations than sbibm's", TaskResult{Task: "gaussian_linear", Budget: 100000, Published: true, C2ST: make([]float64, 11)}, false, Paired{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := PairedNPE(tc.r)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			const tol = 1e-9
			if p.N != tc.want.N || p.Lower != tc.want.Lower || math.Abs(p.NPE-tc.want.NPE) > tol || math.Abs(p.Diff-tc.want.Diff) > tol || math.Abs(p.SE-tc.want.SE) > tol {
				t.Errorf("PairedNPE = %+v, want %+v", p, tc.want)
			}
		})
	}
	tab := PairedNPETable([]TaskResult{
		{Task: "gaussian_linear", Budget: 100000, Published: true, C2ST: []float64{gl[0] + 0.01, gl[1] - 0.01}, Mean: (gl[0] + gl[1]) / 2},
		{Task: "gaussian_linear", Budget: 10000, Published: true, C2ST: gl[:]},
	})
	if want := "| gaussian_linear | 10^5 | 0.5036 | 0.5036 | +0.0000 ± 0.0100 | 1 of 2 |\n"; !strings.HasSuffix(tab, want) || strings.Count(tab, "\n") != 3 {
		t.Errorf("PairedNPETable =\n%s\nwant the header and the row %q", tab, want)
	}
	if tab := PairedNPETable([]TaskResult{{Task: "slcp", Budget: 100000, C2ST: gl[:]}}); tab != "" {
		t.Errorf("PairedNPETable of gocinn's observations = %q, want empty", tab)
	}
}

// TestExactC2ST scores a second draw of two_moons' exact posterior against
// the reference: indistinguishable, so near 0.5 on every observation, and
// reproducible from the seed. The mismatch case (exact samples of another
// observation) must score clearly higher, so the test can tell a right
// pairing from a wrong one.
func TestExactC2ST(t *testing.T) {
	task, _ := simulators.Lookup("two_moons")
	c2st := diagnostics.C2STSettings{Seed: 1, MaxIter: 200}
	var asked []int
	s := Settings{Observations: 2, Samples: 400, C2ST: c2st, Reference: func(name string, i int, p bool) (*mat.Dense, error) {
		asked = append(asked, i)
		return nil, nil // no cache: ExactC2ST draws the reference itself
	}}
	res, err := ExactC2ST(context.Background(), task, s)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Exact || res.Budget != 0 || res.Epochs != 0 || len(res.C2ST) != 2 || !slices.Equal(asked, []int{0, 1}) {
		t.Fatalf("result %+v, reference asked for %v", res, asked)
	}
	for i, c := range res.C2ST {
		if c > 0.6 {
			t.Errorf("observation %d: exact samples score %.3f against the reference, want near 0.5", i+1, c)
		}
	}
	again, err := ExactC2ST(context.Background(), task, Settings{Observations: 2, Samples: 400, C2ST: c2st})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.C2ST, res.C2ST) {
		t.Errorf("same seed, scores %v then %v", res.C2ST, again.C2ST)
	}

	// Samples of observation 1's posterior against observation 2's
	// reference: what a wrong pairing would score.
	_, x := simulators.Observations(task, 2, simulators.ObservationSeed)
	ref, _, err := ReferenceSamples(context.Background(), task, x.RawRowView(1), 400, rand.NewPCG(uint64(simulators.ObservationSeed), 2001), simulators.MCMCSettings{})
	if err != nil {
		t.Fatal(err)
	}
	wrong, _, err := ReferenceSamples(context.Background(), task, x.RawRowView(0), 400, rand.NewPCG(1, 3001), simulators.MCMCSettings{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := diagnostics.C2STWith(context.Background(), ref, wrong, c2st)
	if err != nil {
		t.Fatal(err)
	}
	if w.Accuracy < 0.7 {
		t.Errorf("another observation's posterior scores %.3f, want clearly above the exact %v", w.Accuracy, res.C2ST)
	}
	t.Logf("exact %v, wrong observation %.3f", res.C2ST, w.Accuracy)

	tab := ExactTable([]TaskResult{res, {Task: "slcp", Budget: 1000, C2ST: []float64{0.9}}})
	want := fmt.Sprintf("| two_moons | 2 × 400 | %.4f ± %.4f | %.3f %.3f |\n", res.Mean, res.Std, res.C2ST[0], res.C2ST[1])
	if !strings.Contains(tab, want) || strings.Contains(tab, "slcp") {
		t.Errorf("ExactTable:\n%s\nwant the row %q and no trained network's", tab, want)
	}
	if strings.Contains(C2STTable([]TaskResult{res}), "400") {
		t.Errorf("C2STTable shows an exact result")
	}
}
