package magics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/diagnostics"
	"github.com/gocinn/gocinn/cinn/figure"
	"github.com/gocinn/gocinn/cinn/simulators"
	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
)

func colOf(m *mat.Dense, j int) []float64 {
	r, _ := m.Dims()
	out := make([]float64, r)
	for i := range out {
		out[i] = m.At(i, j)
	}
	return out
}

// parseRows reads a row selection: "all" or ":", "5", "0:10", ":10",
// "990:", "3,5,7" (0-based, end exclusive as in Python).
func parseRows(spec string, n int) ([]int, error) {
	spec = strings.TrimSpace(spec)
	bad := func() error {
		return Errorf("UsageError", "write --rows all, 5, 0:10, :10, 990: or 3,5,7 (0-based, end excluded)", "bad --rows %q for a table of %d rows", spec, n)
	}
	if spec == "all" || spec == ":" {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	if a, b, ok := strings.Cut(spec, ":"); ok {
		lo, hi := 0, n
		var err error
		if a = strings.TrimSpace(a); a != "" {
			if lo, err = strconv.Atoi(a); err != nil {
				return nil, bad()
			}
		}
		if b = strings.TrimSpace(b); b != "" {
			if hi, err = strconv.Atoi(b); err != nil {
				return nil, bad()
			}
		}
		if lo < 0 {
			lo += n
		}
		if hi < 0 {
			hi += n
		}
		hi = min(hi, n)
		if lo < 0 || lo >= hi {
			return nil, bad()
		}
		idx := make([]int, 0, hi-lo)
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
		return idx, nil
	}
	var idx []int
	for _, w := range SplitList(spec) {
		i, err := strconv.Atoi(w)
		if err != nil {
			return nil, bad()
		}
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil, Errorf("UsageError", "", "row %s is outside the table's %d rows", w, n)
		}
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return nil, bad()
	}
	return idx, nil
}

// observations finds the table of observations a command names: a dataset,
// a file, or a split of the declared data ("test", "val", "train").
func (s *Session) observations(name string) (*table.Table, string, error) {
	s.smu.RLock()
	d, ok := s.datasets[name]
	r := s.data
	s.smu.RUnlock()
	if ok {
		return d.t, name, nil
	}
	if r != nil {
		switch name {
		case "train":
			return r.train, "train", nil
		case "val":
			if r.val != nil {
				return r.val, "val", nil
			}
		case "test":
			if r.test != nil {
				return r.test, "test", nil
			}
		}
	}
	if _, err := os.Stat(s.Path(name)); err == nil {
		t, err := table.ReadFile(s.Path(name), table.ReadOptions{})
		if err != nil {
			return nil, "", Errorf("DataError", "", "%v", err)
		}
		return t, name, nil
	}
	_, err := s.dataset(name)
	var e *Error
	if errors.As(err, &e) {
		e.Msg += "; it is not a file either, and the splits of %data are train, val and test"
	}
	return nil, "", err
}

func (s *Session) taskOf(name string) simulators.Task {
	s.smu.RLock()
	defer s.smu.RUnlock()
	if d, ok := s.datasets[name]; ok && d.task != nil {
		return d.task
	}
	if s.data != nil && (name == "train" || name == "val" || name == "test") && s.data.task != nil {
		return s.data.task
	}
	return nil
}

var sampleCmd = &Command{
	Name: "sample",
	Flags: []Flag{
		{Name: "obs", Meta: "NAME|PATH", Usage: "the observations: a dataset, a table file, or a split of %data (train, val, test; default test)", Complete: CompleteDatasetOrFile},
		{Name: "rows", Meta: "A:B", Usage: "which rows: all, 5, 0:10, :10 or 3,5,7 (default: 0:10 of a split, all rows of a dataset)"},
		{Name: "values", Kind: List, Meta: "Y1,Y2,...", Usage: "one observation given as its observables, in the order of the model's y"},
		{Name: "n", Kind: Int, Default: "4096", Usage: "posterior samples per observation"},
		{Name: "seed", Kind: Int, Default: "0", Usage: "random seed"},
		{Name: "as", Meta: "NAME", Default: "posterior", Usage: "name of the summary dataset (NAME_samples holds the samples)"},
		{Name: "dropna", Kind: Bool, Usage: "skip observations with a missing observable (else they are an error)"},
		{Name: "c2st", Kind: Bool, Usage: "compare with the exact posterior of an sbibm task: classifier two-sample test per observation (0.5 = indistinguishable; about 2 s each)"},
		{Name: "noise", Kind: Bool, Default: "true", Usage: "add the %data --noise to the observations of a split once, as %eval does (--noise=false: noise-free)"},
	},
	Short: "draw posterior samples for observations and summarise them per parameter",
	Long: `%sample draws posterior samples of the parameters for each observation with the
trained model and shows, per parameter, the MAP (the mode of a kernel density
estimate), the median and the 16th and 84th percentiles, with the true values
beside them when the observations carry them. The summary becomes the dataset
NAME (one row per observation: its observables, then p_map, p_median, p_lo68,
p_hi68 and p_true per parameter p) and the samples NAME_samples (column obs, then
the parameters), for %plot and %export. When %data declared --noise, the
observations of the train, val and test splits get one draw of that noise first,
the same draw %eval gives a row with the same --seed (the network was trained on
noisy observations, and a posterior of a noise-free one is too wide for its true
values); the summary holds the noisy observables. Other datasets are taken as
observed.`,
	Example: "%sample --obs two_moons_obs --rows 0:3 --n 4096",
	Run:     runSample,
}

func runSample(ctx context.Context, s *Session, inv *Invocation, out Output) error {
	m, err := s.needModel(true)
	if err != nil {
		return err
	}
	sp := m.Spec()
	n := inv.Int("n")
	if n < 2 {
		return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "--n must be at least 2, not %d", n)
	}
	name := inv.String("as")
	if err := checkName(name); err != nil {
		return err
	}
	var obs *table.Table
	var obsName string
	var rows []int
	var split *table.Table // the %data split sampled, if any
	var roles *dataRoles   // its declaration
	if vals := inv.List("values"); len(vals) > 0 {
		if inv.Has("obs") {
			return Errorf("UsageError", "", "give either --obs or --values, not both")
		}
		if len(vals) != len(sp.YNames) {
			return Errorf("UsageError", "", "--values needs %d numbers, one per observable (%s), not %d", len(sp.YNames), strings.Join(sp.YNames, ", "), len(vals))
		}
		cols := make([][]float64, len(vals))
		for j, v := range vals {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return Errorf("UsageError", "", "--values: %q is not a number", v)
			}
			cols[j] = []float64{f}
		}
		obs, _ = table.New(sp.YNames, cols)
		obsName, rows = "values", []int{0}
	} else {
		src := inv.String("obs")
		if src == "" {
			if r, _ := s.needData(); r != nil {
				src = "test"
				if r.test == nil {
					src = "val"
					if r.val == nil {
						src = "train"
					}
				}
			} else {
				return Errorf("UsageError", "", "say which observations to sample for: --obs NAME|PATH or --values")
			}
		}
		t, nm, err := s.observations(src)
		if err != nil {
			return err
		}
		spec := inv.String("rows")
		if spec == "" {
			spec = "all"
			if nm == "train" || nm == "val" || nm == "test" {
				spec = "0:10"
			}
		}
		if rows, err = parseRows(spec, t.Len()); err != nil {
			return err
		}
		obs, obsName = t.Rows(rows), nm
		if r, _ := s.needData(); r != nil && (t == r.train || t == r.val || t == r.test) {
			split, roles = t, r
		}
		if inv.Bool("dropna") {
			var keep []int
			for i := range rows {
				ok := true
				for _, c := range sp.YNames {
					if v, err := obs.Col(c); err == nil && math.IsNaN(v[i]) {
						ok = false
					}
				}
				if ok {
					keep = append(keep, i)
				}
			}
			if skipped := len(rows) - len(keep); skipped > 0 {
				kept := make([]int, len(keep))
				for k, i := range keep {
					kept[k] = rows[i]
				}
				obs, rows = obs.Rows(keep), kept
				out.Stderr(fmt.Sprintf("skipped %d observations with a missing observable\n", skipped))
			}
			if len(rows) == 0 {
				return Errorf("DataError", "", "every observation of %s misses an observable", obsName)
			}
		}
	}
	if total := len(rows) * n; total > maxTotalSamples {
		return Errorf("UsageError", "sample fewer rows (--rows) or fewer samples per observation (--n)",
			"%d observations × %d samples is more than the %d samples one %%sample may hold", len(rows), n, maxTotalSamples)
	}
	noisy := ""
	if split != nil && inv.Bool("noise") {
		ny, text, err := splitNoise(m, roles, split, rows, inv.Int("seed"))
		if err != nil {
			return err
		}
		if ny != nil {
			for j, c := range sp.YNames {
				v, _ := obs.Col(c) // splitNoise found every column in split
				for i := range v {
					v[i] = ny.At(i, j)
				}
			}
			noisy = fmt.Sprintf(", observations with the %%data noise (%s)", text)
		}
	}
	y, err := obs.Matrix(sp.YNames...)
	if err != nil {
		hint := "the observations need the model's observables: " + strings.Join(sp.YNames, ", ")
		if errors.Is(err, table.ErrMissing) {
			hint = "--dropna skips observations with missing values (or %filter NAME --dropna)"
		}
		return Errorf("DataError", hint, "%s: %v", obsName, err)
	}
	var truth *mat.Dense
	if t, err := obs.Matrix(sp.XNames...); err == nil {
		truth = t
	}
	samples, err := m.Sample(ctx, y, n, rand.NewPCG(uint64(inv.Int("seed")), 0x5a3b1e))
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		var de *cinn.DataError
		if errors.As(err, &de) && de.Row >= 0 && de.Row < len(rows) {
			return Errorf("DataError", "", "%s row %d: %v", obsName, rows[de.Row], err)
		}
		return Errorf("DataError", "", "%v", err)
	}
	sum, err := diagnostics.SummarizeAll(ctx, samples, []float64{0.68, 0.95})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return Errorf("SampleError", "the model may have diverged: look at %plot loss, or train again with a lower --lr", "%v", err)
	}
	if lo, hi := m.TrainingRange(); lo != nil {
		if w := extrapolationWarning(samples, sp.XNames, lo, hi, rows); w != "" {
			out.Stderr(w)
		}
	}
	post := &posterior{name: name, obsName: obsName, obs: obs, rows: rows, params: sp.XNames, samples: samples, summary: sum, truth: truth}
	post.task = s.taskOf(obsName)
	var c2st []float64
	if inv.Bool("c2st") {
		rp, ok := post.task.(simulators.ReferencePosterior)
		if post.task == nil || !ok {
			return Errorf("UsageError", "only sbibm tasks (except slcp) have an exact posterior: use --obs NAME_obs from %simulate TASK --obs K", "--c2st: the observations of %s have no exact reference posterior", obsName)
		}
		if c2st, err = compareExact(ctx, post, rp); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return Errorf("EvalError", "", "C2ST: %v", err)
		}
	}
	summary, sampTab, err := posteriorTables(post)
	if err != nil {
		return Errorf("InternalError", "", "%v", err)
	}
	if c2st != nil {
		summary.AddColumn("c2st", c2st, "")
	}
	s.smu.Lock()
	s.samples = post
	s.smu.Unlock()
	s.setDataset(&dataset{name: name, t: summary, source: fmt.Sprintf("%%sample of %s, %d rows, n=%d", obsName, len(rows), n)})
	note := ""
	if sampTab != nil {
		s.setDataset(&dataset{name: name + "_samples", t: sampTab, source: fmt.Sprintf("%%sample of %s: %d × %d samples", obsName, len(rows), n)})
		note = fmt.Sprintf("datasets %s (summaries) and %s_samples (samples) hold these for %%plot and %%export", name, name)
	} else {
		note = fmt.Sprintf("dataset %s holds the summaries; the samples (%d rows) are too many to keep as a table", name, len(rows)*n)
	}
	for j, p := range sp.XNames {
		hdr := []string{"row", "MAP", "median", "16%", "84%"}
		if truth != nil {
			hdr = append(hdr, "true")
		}
		tb := &Table{Caption: fmt.Sprintf("%s: posterior of %s (%d samples per observation%s)", obsName, p, n, noisy), Header: hdr, Index: true}
		for i := range rows {
			sm := sum[i][j]
			iv, _ := sm.Interval(0.68)
			r := []string{strconv.Itoa(rows[i]), fmtNum(sm.MAP), fmtNum(sm.Median), fmtNum(iv.Lo), fmtNum(iv.Hi)}
			if truth != nil {
				r = append(r, fmtNum(truth.At(i, j)))
			}
			tb.Rows = append(tb.Rows, r)
		}
		if j == len(sp.XNames)-1 && c2st == nil {
			tb.Note = note
		}
		out.Display(tb.Display())
	}
	if c2st != nil {
		tb := &Table{Caption: "comparison with the exact posterior (C2ST, sbibm's recipe)", Header: []string{"row", "C2ST accuracy"}, Index: true,
			Note: "0.5: indistinguishable from the exact posterior; 1: fully separable. " + note}
		for i, v := range c2st {
			tb.Rows = append(tb.Rows, []string{strconv.Itoa(rows[i]), fmt.Sprintf("%.3f", v)})
		}
		out.Display(tb.Display())
	}
	return nil
}

// maxTotalSamples bounds the samples of one %sample or %eval, so that a
// typo cannot exhaust the kernel's memory (20 million rows of 5 parameters
// take 800 MB).
const maxTotalSamples = 20_000_000

// maxC2ST caps the samples per set of the classifier test (sbibm uses
// 10,000; 2,000 keep it to a couple of seconds per observation).
const maxC2ST = 2000

// compareExact runs the classifier two-sample test of each observation's
// samples against as many draws from the exact posterior.
func compareExact(ctx context.Context, post *posterior, rp simulators.ReferencePosterior) ([]float64, error) {
	out := make([]float64, len(post.samples))
	names := post.task.ObsNames()
	params := post.task.ParamNames()
	for i, smp := range post.samples {
		yv := make([]float64, len(names))
		for j, c := range names {
			v, err := post.obs.Col(c)
			if err != nil {
				return nil, err
			}
			yv[j] = v[i]
		}
		n := min(smp.RawMatrix().Rows, maxC2ST)
		cols := make([]int, len(params))
		for k, p := range params {
			if cols[k] = indexOf(post.params, p); cols[k] < 0 {
				return nil, fmt.Errorf("the model does not infer the task's parameter %s", p)
			}
		}
		mine := selectCols(mat.DenseCopyOf(smp.Slice(0, n, 0, smp.RawMatrix().Cols)), cols)
		ref, err := rp.SamplePosterior(ctx, yv, n, rand.NewPCG(uint64(post.rows[i]), 0xc257))
		if err != nil {
			return nil, err
		}
		if out[i], err = diagnostics.C2ST(ctx, ref, mine, 1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

const maxSampleRows = 2_000_000

func posteriorTables(p *posterior) (summary, samples *table.Table, err error) {
	k := len(p.rows)
	obsCol := make([]float64, k)
	for i, r := range p.rows {
		obsCol[i] = float64(r)
	}
	summary, err = table.New([]string{"obs"}, [][]float64{obsCol})
	if err != nil {
		return nil, nil, err
	}
	// The observations' own columns come along (identifiers exactly, text
	// too), except the parameters and names the summary itself makes.
	made := map[string]bool{"obs": true, "c2st": true}
	for _, name := range p.params {
		made[name] = true
		for _, suf := range []string{"map", "median", "lo68", "hi68", "true"} {
			made[name+"_"+suf] = true
		}
	}
	for _, c := range p.obs.AllNames() {
		if made[c] {
			continue
		}
		var err error
		if v, ok := p.obs.Int64(c); ok {
			err = summary.AddInt64(c, append([]int64(nil), v...), p.obs.Unit(c))
		} else if v, e := p.obs.Col(c); e == nil {
			err = summary.AddColumn(c, append([]float64(nil), v...), p.obs.Unit(c))
		} else if v, e := p.obs.Text(c); e == nil {
			err = summary.AddText(c, append([]string(nil), v...), p.obs.Unit(c))
		}
		if err != nil {
			return nil, nil, err
		}
	}
	for j, name := range p.params {
		cols := map[string][]float64{}
		for _, suf := range []string{"map", "median", "lo68", "hi68", "true"} {
			cols[suf] = make([]float64, k)
		}
		for i := 0; i < k; i++ {
			sm := p.summary[i][j]
			iv, _ := sm.Interval(0.68)
			cols["map"][i], cols["median"][i], cols["lo68"][i], cols["hi68"][i] = sm.MAP, sm.Median, iv.Lo, iv.Hi
			if p.truth != nil {
				cols["true"][i] = p.truth.At(i, j)
			}
		}
		for _, suf := range []string{"map", "median", "lo68", "hi68", "true"} {
			if suf == "true" && p.truth == nil {
				continue
			}
			cn := name + "_" + suf
			if err := summary.AddColumn(cn, cols[suf], ""); err != nil {
				return nil, nil, err
			}
		}
	}
	total := 0
	for _, sm := range p.samples {
		total += sm.RawMatrix().Rows
	}
	if total > maxSampleRows {
		return summary, nil, nil
	}
	obsIdx := make([]float64, 0, total)
	cols := make([][]float64, len(p.params))
	for i, sm := range p.samples {
		r, _ := sm.Dims()
		for a := 0; a < r; a++ {
			obsIdx = append(obsIdx, float64(p.rows[i]))
			for j := range cols {
				cols[j] = append(cols[j], sm.At(a, j))
			}
		}
	}
	samples, err = table.New(append([]string{"obs"}, p.params...), append([][]float64{obsIdx}, cols...))
	return summary, samples, err
}

// splitNoise returns the observables of the given rows of t, a split of the
// %data declaration r, plus one draw of the declared noise (the network was
// trained on noisy observations, and real ones carry it), with the noise's
// description; nil when r declares no noise or m's observables are not r's.
// The noise is drawn for rows 0…max(rows) in order from seed, so that a row
// gets the same draw in %sample and %eval with the same --seed. Missing
// values stay missing.
func splitNoise(m *cinn.Model, r *dataRoles, t *table.Table, rows []int, seed int) (*mat.Dense, string, error) {
	sp := m.Spec()
	if r == nil || r.noise == nil || len(rows) == 0 || strings.Join(r.y, ",") != strings.Join(sp.YNames, ",") {
		return nil, "", nil
	}
	n := slices.Max(rows) + 1
	all := mat.NewDense(n, len(sp.YNames), nil)
	for j, c := range sp.YNames {
		v, err := t.Col(c)
		if err != nil {
			return nil, "", Errorf("DataError", "", "%v", err)
		}
		for i := range n {
			all.Set(i, j, v[i])
		}
	}
	noisy, err := m.AddNoise(all, r.noise, rand.NewPCG(uint64(seed), 0x0b5e))
	if err != nil {
		return nil, "", Errorf("DataError", "", "%v", err)
	}
	out := mat.NewDense(len(rows), len(sp.YNames), nil)
	for k, i := range rows {
		out.SetRow(k, noisy.RawRowView(i))
	}
	return out, r.noiseText, nil
}

var evalCmd = &Command{
	Name: "eval",
	Flags: []Flag{
		{Name: "on", Meta: "SPLIT|NAME", Default: "test", Usage: "the labelled observations: test, val, train or a dataset with the parameter columns", Complete: CompleteDataset},
		{Name: "n", Kind: Int, Default: "1024", Usage: "posterior samples per observation"},
		{Name: "max", Kind: Int, Default: "500", Usage: "use at most this many observations (the first ones)"},
		{Name: "seed", Kind: Int, Default: "0", Usage: "random seed"},
		{Name: "noise", Kind: Bool, Default: "true", Usage: "add the %data --noise to the observations of a split once, as real observations carry it (--noise=false: noise-free)"},
	},
	Short: "calibration, accuracy and coverage of the posteriors on a labelled test set",
	Long: `%eval samples the posterior of every observation of a labelled set and compares
it with the true parameters: the RMSE of the MAP estimate, the calibration error
e_cal(q) of Ksoll et al. (2020) (positive: posteriors too wide, negative: too
narrow) and its median |e_cal|, with e_cal p, the probability that calibrated
posteriors score at least as much on as many observations (on 500 observations
they score 1.1% typically and 3.6% in one test set of a hundred: a small p means
a miscalibration beyond the test set's noise), the median width u68 of the 68%
intervals, the coverage of the 68% and 95% intervals and the p-value of
simulation-based calibration. It shows a table and the calibration curves, over a
grey band that calibrated posteriors' curves stay inside at each level in 95% of
test sets of this size; %plot truth, sbc and calibration draw more. When %data
declared --noise, the observations of the train, val and test splits get one draw
of that noise first (the network was trained on noisy observations); other
datasets are taken as observed.`,
	Example: "%eval --on test --n 1024",
	Run:     runEval,
}

func runEval(ctx context.Context, s *Session, inv *Invocation, out Output) error {
	m, err := s.needModel(true)
	if err != nil {
		return err
	}
	on := inv.String("on")
	if _, err := s.needData(); err != nil && (on == "test" || on == "val" || on == "train") {
		s.smu.RLock()
		_, isDS := s.datasets[on]
		s.smu.RUnlock()
		if !isDS {
			return Errorf("StateError", "run %data to declare a test split, or give --on DATASET with the parameter columns", "no %s split", on)
		}
	}
	t, nm, err := s.observations(on)
	if err != nil {
		return err
	}
	s.smu.RLock()
	r := s.data
	s.smu.RUnlock()
	split := r != nil && (t == r.train || t == r.val || t == r.test)
	n, max := inv.Int("n"), inv.Int("max")
	if n < 2 || max < 1 {
		return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "--n must be at least 2 and --max at least 1")
	}
	if t.Len() > max {
		t = t.Head(max)
	}
	if total := t.Len() * n; total > maxTotalSamples {
		return Errorf("UsageError", "use fewer observations (--max) or samples (--n)", "%d observations × %d samples is more than %d", t.Len(), n, maxTotalSamples)
	}
	sp := m.Spec()
	y, err := t.Matrix(sp.YNames...)
	if err != nil {
		return Errorf("DataError", "", "%s: %v", nm, err)
	}
	truth, err := t.Matrix(sp.XNames...)
	if err != nil {
		return Errorf("DataError", "%eval needs the true parameters; %sample works without them", "%s: %v", nm, err)
	}
	noisy := ""
	if split && inv.Bool("noise") {
		rows := make([]int, t.Len())
		for i := range rows {
			rows[i] = i
		}
		ny, text, err := splitNoise(m, r, t, rows, inv.Int("seed"))
		if err != nil {
			return err
		}
		if ny != nil {
			y, noisy = ny, fmt.Sprintf(", observations with the %%data noise (%s)", text)
		}
	}
	samples, err := m.Sample(ctx, y, n, rand.NewPCG(uint64(inv.Int("seed")), 0xe7a1))
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return Errorf("DataError", "", "%v", err)
	}
	rep, err := diagnostics.Evaluate(ctx, samples, truth, diagnostics.Options{Names: sp.XNames})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return Errorf("EvalError", "the model may have diverged: look at %plot loss", "%v", err)
	}
	pvals := calibrationPValues(rep, n)
	s.smu.Lock()
	s.eval = &evaluation{on: nm, report: rep, truth: truth, n: n}
	s.smu.Unlock()
	evTab, err := evalTable(rep, pvals)
	if err == nil {
		s.setDataset(&dataset{name: "eval", t: evTab, source: fmt.Sprintf("%%eval on %s", nm)})
	}
	tb := &Table{Caption: fmt.Sprintf("%s: %d observations × %d samples%s", nm, rep.Observations, n, noisy),
		Header: []string{"parameter", "RMSE(MAP)", "median |e_cal|", "e_cal p", "e_cal(68%)", "u68", "coverage 68%", "coverage 95%", "SBC p"}, Index: true,
		Note: fmt.Sprintf("e_cal > 0: posteriors too wide; < 0: too narrow. e_cal p: how often calibrated posteriors score at least this median |e_cal| on %d observations × %d samples (10,000 simulated test sets); below 0.01 the size of the test set does not explain the miscalibration. Dataset eval holds this table; %%plot calibration, truth and sbc draw it.", rep.Observations, n)}
	for j, p := range rep.Params {
		tb.Rows = append(tb.Rows, []string{p.Name, fmtNum(p.RMSEMAP), fmtNum(p.MedianCal), fmtNum(pvals[j]), fmtNum(p.Calibration.At(0.68)), fmtNum(p.U68),
			fmt.Sprintf("%.3f", p.Coverage68), fmt.Sprintf("%.3f", p.Coverage95), fmtNum(p.Rank.PValue)})
	}
	out.Display(tb.Display())
	q, ecal := rep.CalibrationCurves()
	f, err := figure.Calibration(q, ecal, rep.Names(), calibrationOptions(rep, n, ""))
	if err != nil {
		return Errorf("PlotError", "", "%v", err)
	}
	return showFigure(s, out, f, plotSize{}, "")
}

// calibrationPValues returns, per parameter of rep, the probability that
// calibrated posteriors score at least its median |e_cal| on as many
// observations with n samples each (10,000 simulated test sets, seeded by
// the shape so that a rerun shows the same numbers).
func calibrationPValues(rep diagnostics.Report, n int) []float64 {
	null := diagnostics.NullMedianCal(rep.Observations, diagnostics.NullOptions{Samples: n}, rand.NewPCG(uint64(rep.Observations), uint64(n)))
	ps := make([]float64, len(rep.Params))
	for j, p := range rep.Params {
		ps[j] = diagnostics.NullPValue(null, p.MedianCal)
	}
	return ps
}

// calibrationOptions draws, behind the calibration curves of rep, the 95%
// band that calibrated posteriors' curves stay inside by chance on as many
// observations with n samples each.
func calibrationOptions(rep diagnostics.Report, n int, title string) figure.CalibrationOptions {
	q, _ := rep.CalibrationCurves()
	lo, hi := diagnostics.CalibrationBand(rep.Observations, n, q, 0.95)
	return figure.CalibrationOptions{Title: title, BandLo: lo, BandHi: hi,
		BandLabel: fmt.Sprintf("95%% of calibrated test sets (%d observations)", rep.Observations)}
}

func evalTable(rep diagnostics.Report, pvals []float64) (*table.Table, error) {
	names := []string{"rmse_map", "rmse_samples", "median_abs_ecal", "ecal_pvalue", "ecal_68", "u68", "coverage68", "coverage95", "in_support", "sbc_pvalue"}
	cols := make([][]float64, len(names))
	for j, p := range rep.Params {
		vals := []float64{p.RMSEMAP, p.RMSESamples, p.MedianCal, pvals[j], p.Calibration.At(0.68), p.U68, p.Coverage68, p.Coverage95, p.InSupport, p.Rank.PValue}
		for i, v := range vals {
			cols[i] = append(cols[i], v)
		}
	}
	t, err := table.New(names, cols)
	if err != nil {
		return nil, err
	}
	if err := t.AddText("parameter", rep.Names(), ""); err != nil {
		return nil, err
	}
	return t.Select(append([]string{"parameter"}, names...)...)
}

// extrapolationWarning describes the samples that lie more than half the
// training range outside it (lo, hi per parameter), where the network
// extrapolates, or returns "" when there are none. rows are the
// observations' row numbers, for the message.
func extrapolationWarning(samples []*mat.Dense, names []string, lo, hi []float64, rows []int) string {
	var obs []int
	worst := make([]float64, len(names)) // the farthest value per parameter
	count := make([]int, len(names))
	mid := func(j int) float64 { return (lo[j] + hi[j]) / 2 }
	for i, p := range samples {
		o := diagnostics.Extrapolated(p, lo, hi, 0.5)
		if o.Rows == 0 {
			continue
		}
		obs = append(obs, rows[i])
		for j, n := range o.Count {
			if n > 0 && (count[j] == 0 || math.Abs(o.Farthest[j]-mid(j)) > math.Abs(worst[j]-mid(j))) {
				worst[j] = o.Farthest[j]
			}
			count[j] += n
		}
	}
	if len(obs) == 0 {
		return ""
	}
	var params []string
	for j, n := range names {
		if count[j] > 0 {
			params = append(params, fmt.Sprintf("%s (%d samples, as far as %.4g; trained on %.4g to %.4g)", n, count[j], worst[j], lo[j], hi[j]))
		}
	}
	show := obs
	more := ""
	if len(show) > 8 {
		show, more = show[:8], fmt.Sprintf(" and %d more", len(obs)-8)
	}
	rs := make([]string, len(show))
	for i, r := range show {
		rs[i] = strconv.Itoa(r)
	}
	return fmt.Sprintf("warning: samples of %d of %d observations (rows %s%s) lie more than half the training range outside it: %s. "+
		"The network extrapolates there and those samples are not to be trusted; check the observations against the training data.\n",
		len(obs), len(samples), strings.Join(rs, ", "), more, strings.Join(params, "; "))
}
