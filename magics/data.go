package magics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/simulators"
	"github.com/gocinn/gocinn/cinn/table"
)

// fmtNum formats a number compactly for tables.
func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v == 0:
		return "0"
	case math.Abs(v) >= 1e5 || math.Abs(v) < 1e-3:
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 5, 64)
}

// describeTable shows a table as %load and %simulate do: one summary row per
// column (unit, count, missing, min, max, mean), then the first rows.
func describeTable(out Output, name, source string, t *table.Table) {
	sum := &Table{
		Caption: fmt.Sprintf("%s: %d rows × %d columns (%s)", name, t.Len(), len(t.AllNames()), source),
		Header:  []string{"column", "unit", "count", "missing", "min", "max", "mean"},
		Index:   true, MaxRows: 40,
	}
	desc := map[string]table.Summary{}
	for _, d := range t.Describe() {
		desc[d.Name] = d
	}
	for _, c := range t.AllNames() {
		d, ok := desc[c]
		if !ok {
			sum.Rows = append(sum.Rows, []string{c, t.Unit(c), strconv.Itoa(t.Len()), "0", "text", "", ""})
			continue
		}
		sum.Rows = append(sum.Rows, []string{c, d.Unit, strconv.Itoa(d.Count), strconv.Itoa(d.Missing), fmtNum(d.Min), fmtNum(d.Max), fmtNum(d.Mean)})
	}
	out.Display(sum.Display())
	out.Display(headTable(t, 5, "first rows").Display())
}

// headTable shows the first n rows of t.
func headTable(t *table.Table, n int, caption string) *Table {
	names := t.AllNames()
	const maxCols = 12
	shown := names
	note := ""
	if len(names) > maxCols {
		shown = append(append([]string{}, names[:maxCols-1]...), names[len(names)-1])
		note = fmt.Sprintf("%d columns, %d not shown", len(names), len(names)-maxCols)
	}
	tb := &Table{Caption: caption, Header: append([]string{""}, shown...), Index: true, Note: note}
	for i := 0; i < min(n, t.Len()); i++ {
		row := []string{strconv.Itoa(i)}
		for _, c := range shown {
			if v, err := t.Col(c); err == nil {
				row = append(row, fmtNum(v[i]))
			} else if s, err := t.Text(c); err == nil {
				row = append(row, s[i])
			}
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

// datasetName makes a dataset name from a file name: its base without
// extensions, with characters other than letters, digits and _ replaced.
func datasetName(path string) string {
	base := filepath.Base(path)
	for {
		ext := filepath.Ext(base)
		if ext == "" || len(ext) > 6 {
			break
		}
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	for _, r := range base {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	name := b.String()
	if name == "" || unicode.IsDigit([]rune(name)[0]) {
		name = "t" + name
	}
	return name
}

func checkName(name string) error {
	if name == "" {
		return Errorf("UsageError", "", "a dataset name must not be empty")
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.') {
			return Errorf("UsageError", "use letters, digits, _, - and .", "%q is not a valid dataset name", name)
		}
	}
	return nil
}

var loadCmd = &Command{
	Name: "load",
	Args: []Arg{{Name: "PATH", Usage: "the table file (.csv .tsv .dat .txt .isoc .npy .npz .fits, optionally .gz)", Complete: CompleteFile}},
	Flags: []Flag{
		{Name: "as", Meta: "NAME", Usage: "the dataset's name (default: the file name without extension)"},
		{Name: "format", Usage: "the file format (default: from the extension or the first bytes)", Choices: []string{"csv", "tsv", "ascii", "npy", "npz", "fits"}, Complete: CompleteChoice},
		{Name: "hdu", Kind: Int, Usage: "the FITS HDU holding the table (0: the first table)"},
		{Name: "columns", Kind: List, Usage: "read only these columns", Complete: CompleteColumns},
		{Name: "max-bytes", Meta: "SIZE", Usage: "memory a table may take, e.g. 8GB or 500MB (default: half the machine's memory, at most 4GB)"},
	},
	Short: "read a table (CSV, ASCII, NumPy or FITS) into a dataset and summarise it",
	Long: `%load reads a table file into the session under a name and shows, per column,
the count of values, the missing ones, the minimum, maximum and mean, then the
first rows. Missing values (empty cells, NA, NaN, FITS TNULL) are NaN.`,
	Example: "%load ../shared/data/gaia/cluster.csv --as cluster",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		path := inv.Arg(0)
		name := inv.String("as")
		if name == "" {
			name = datasetName(path)
		}
		if err := checkName(name); err != nil {
			return err
		}
		var maxBytes int64
		if v := inv.String("max-bytes"); v != "" {
			n, err := parseSize(v)
			if err != nil {
				return inv.Cmd.usageErr("--max-bytes: %v", err)
			}
			maxBytes = n
		}
		t, err := table.ReadFileContext(ctx, s.Path(path), table.ReadOptions{Format: inv.String("format"), HDU: inv.Int("hdu"), Columns: inv.List("columns"), MaxBytes: maxBytes})
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%%load %s stopped; the session's datasets are unchanged: %w", path, err)
			}
			hint := "check the file; --format and --hdu choose how it is read"
			switch {
			case errors.Is(err, fs.ErrNotExist):
				hint = fmt.Sprintf("paths are relative to %s; Tab completes file names", s.Dir)
			case errors.Is(err, table.ErrTooLarge):
				hint = "read fewer columns with --columns, or raise the limit with --max-bytes SIZE (e.g. --max-bytes 16GB) if the machine has the memory"
			}
			return Errorf("DataError", hint, "%v", err)
		}
		s.setDataset(&dataset{name: name, t: t, source: path})
		describeTable(out, name, path, t)
		return nil
	},
}

// maxSimulations bounds %simulate --n, so that a typo cannot exhaust the
// kernel's memory.
const maxSimulations = 5_000_000

var simulateCmd = &Command{
	Name: "simulate",
	Args: []Arg{{Name: "TASK", Usage: "the simulator (Tab completes; %help simulate lists them)", Complete: CompleteSimulator}},
	Flags: []Flag{
		{Name: "n", Kind: Int, Default: "10000", Usage: "number of simulations"},
		{Name: "seed", Kind: Int, Default: "0", Usage: "random seed"},
		{Name: "as", Meta: "NAME", Usage: "the dataset's name (default: the simulator's name)"},
		{Name: "obs", Kind: Int, Default: "0", Usage: "also make NAME_obs with this many fixed test observations of an sbibm task (true values and observations, as sbibm's)"},
		{Name: "quiet", Kind: Bool, Usage: "do not show the summary of the table"},
		{Name: "data-dir", Meta: "DIR", Usage: "folder of the real tables for parsec_gaia, parsec_hst and hii (default $GOCINN_DATA or ../shared/data)", Complete: CompleteFile},
	},
	Short: "draw a training set from a built-in simulator (sbibm tasks, isochrones, HII grid)",
	Long: func() string {
		var b strings.Builder
		b.WriteString("%simulate draws parameters from the simulator's prior and simulates one observation\nfor each; the dataset has the parameter columns first, then the observations, and\n%data NAME with no --x/--y uses exactly those. Simulators:\n")
		for _, n := range simulators.GeneratorNames() {
			fmt.Fprintf(&b, "  %-24s %s\n", n, simulators.DescribeGenerator(n))
		}
		return b.String()
	}(),
	Example: "%simulate two_moons --n 20000 --seed 1 --obs 10",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		task := inv.Arg(0)
		n := inv.Int("n")
		if n <= 0 {
			return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "--n must be between 1 and %d, not %d", maxSimulations, n)
		}
		dir := inv.String("data-dir")
		if dir == "" {
			dir = s.defaultDataDir()
		} else {
			dir = s.Path(dir)
		}
		g, err := simulators.NewGenerator(task, dir)
		if err != nil {
			msg := err.Error()
			hint := "Tab after %simulate lists the simulators"
			if near := nearest(task, simulators.GeneratorNames()); near != "" && simulators.DescribeGenerator(task) == "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			} else if simulators.DescribeGenerator(task) != "" {
				hint = "this simulator reads tables from " + dir + "; point --data-dir (or $GOCINN_DATA) to the folder holding them"
			}
			return Errorf("SimulatorError", hint, "%s", msg)
		}
		if cols := len(g.ParamNames()) + len(g.ObsNames()); n > maxSimulations || int64(n)*int64(cols)*8 > table.DefaultMaxBytes() {
			return Errorf("UsageError", "simulate in parts with different --seed values and combine what you need, or use fewer simulations",
				"%%simulate %s --n %d would hold %d rows × %d columns = %s in memory; the limit is %d rows and %s (half the machine's memory, at most 4 GiB)",
				g.Name(), n, n, cols, table.HumanBytes(int64(n)*int64(cols)*8), maxSimulations, table.HumanBytes(table.DefaultMaxBytes()))
		}
		name := inv.String("as")
		if name == "" {
			name = g.Name()
		}
		if err := checkName(name); err != nil {
			return err
		}
		seed := uint64(inv.Int("seed"))
		t, err := g.Generate(ctx, n, rand.NewPCG(seed, 0x5eed))
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return Errorf("SimulatorError", "", "%v", err)
		}
		var tk simulators.Task
		if tt, err := simulators.Lookup(g.Name()); err == nil {
			tk = tt
		}
		var obs *dataset
		if k := inv.Int("obs"); k > 0 {
			if tk == nil {
				return Errorf("UsageError", "for the data-based simulators, make a second dataset with another --seed", "--obs needs an sbibm task; %s is not one", g.Name())
			}
			theta, x := simulators.Observations(tk, k, simulators.ObservationSeed)
			names := append(append([]string{}, tk.ParamNames()...), tk.ObsNames()...)
			cols := make([][]float64, 0, len(names))
			for j := 0; j < theta.RawMatrix().Cols; j++ {
				cols = append(cols, colOf(theta, j))
			}
			for j := 0; j < x.RawMatrix().Cols; j++ {
				cols = append(cols, colOf(x, j))
			}
			ot, err := table.New(names, cols)
			if err != nil {
				return Errorf("InternalError", "", "%v", err)
			}
			obs = &dataset{name: name + "_obs", t: ot, source: fmt.Sprintf("%s: %d fixed observations (sbibm recipe)", g.Name(), k), params: tk.ParamNames(), obs: tk.ObsNames(), task: tk, gen: g.Name(), dataDir: dir}
		}
		src := fmt.Sprintf("%s, n=%d, seed=%d", g.Name(), n, seed)
		s.setDataset(&dataset{name: name, t: t, source: src, params: g.ParamNames(), obs: g.ObsNames(), task: tk, gen: g.Name(), dataDir: dir})
		if !inv.Bool("quiet") {
			describeTable(out, name, src, t)
		}
		if obs != nil {
			s.setDataset(obs)
			if !inv.Bool("quiet") {
				out.Stdout(fmt.Sprintf("%s: %d fixed observations with their true parameters (use %%sample --obs %s)\n", obs.name, obs.t.Len(), obs.name))
			}
		}
		return nil
	},
}

var deriveCmd = &Command{
	Name: "derive",
	Args: []Arg{
		{Name: "NAME", Usage: "the dataset to extend", Complete: CompleteDataset},
		{Name: "COL=EXPR", Usage: "a new column and its expression over existing columns", Variadic: true, Complete: CompleteColumns},
	},
	Flags: []Flag{{Name: "unit", Usage: "the unit of the new columns"}},
	Short: "add derived columns: colours, line ratios, logarithms, distance moduli",
	Long: `%derive adds columns computed row by row from expressions over the dataset's
columns: + - * / ^, parentheses, numbers and log10, ln, exp, sqrt, abs, pow10.
Column names that are not plain identifiers go in [brackets]. Quote an
expression that contains spaces. A missing input, a logarithm of a non-positive
value or a division by zero gives a missing value.`,
	Example: `%derive cluster BP_RP=G_BPmag-G_RPmag "M_G=Gmag+5*log10(plx)-10"`,
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		d, err := s.dataset(inv.Arg(0))
		if err != nil {
			return err
		}
		if len(inv.Args) < 2 {
			return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "give at least one COL=EXPR")
		}
		// Work on a copy so that a failing expression changes nothing.
		t, err := d.t.Select(d.t.AllNames()...)
		if err != nil {
			return Errorf("InternalError", "", "%v", err)
		}
		var added []string
		for _, a := range inv.Args[1:] {
			col, expr, ok := strings.Cut(a, "=")
			col, expr = strings.TrimSpace(col), strings.TrimSpace(expr)
			if !ok || col == "" || expr == "" {
				return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "%q is not COL=EXPR", a)
			}
			v, _, err := evalExpr(t, expr)
			if err != nil {
				return err
			}
			if t.Has(col) {
				t, _ = t.Drop(col)
			}
			if err := t.AddColumn(col, v, inv.String("unit")); err != nil {
				return Errorf("ValueError", "", "%v", err)
			}
			added = append(added, col)
		}
		nd := *d
		nd.t = t
		s.setDataset(&nd)
		tb := &Table{Caption: fmt.Sprintf("%s: added %s", d.name, strings.Join(added, ", ")), Header: []string{"column", "count", "missing", "min", "max", "mean"}, Index: true}
		for _, sm := range t.Describe() {
			if contains(added, sm.Name) {
				tb.Rows = append(tb.Rows, []string{sm.Name, strconv.Itoa(sm.Count), strconv.Itoa(sm.Missing), fmtNum(sm.Min), fmtNum(sm.Max), fmtNum(sm.Mean)})
			}
		}
		out.Display(tb.Display())
		return nil
	},
}

var dataCmd = &Command{
	Name: "data",
	Args: []Arg{{Name: "NAME", Usage: "the dataset to train on", Complete: CompleteDataset}},
	Flags: []Flag{
		{Name: "x", Kind: List, Meta: "COLS", Usage: "the parameters to infer (default: a simulator's parameters)", Complete: CompleteColumns},
		{Name: "y", Kind: List, Meta: "COLS", Usage: "the observables the network is conditioned on (default: a simulator's observations)", Complete: CompleteColumns},
		{Name: "log", Kind: List, Meta: "COLS", Usage: "columns the network sees as log10 (positive values)", Complete: CompleteColumns},
		{Name: "bounded", Kind: List, Meta: "COL=LO:HI,...", Usage: "columns mapped from (LO, HI) to the real line (a probit: a uniform prior on (LO, HI) becomes a standard normal), so that samples stay inside; prior: every parameter of a simulated task on its prior's box", Complete: CompleteColumns},
		{Name: "noise", Kind: List, Meta: "COL=SIGMA,...", Usage: "Gaussian noise added to observables while training: SIGMA absolute or N% relative; all=SIGMA for every observable", Complete: CompleteColumns},
		{Name: "split", Kind: List, Default: "0.8,0.1,0.1", Meta: "TRAIN,VAL,TEST", Usage: "fractions of the rows for training, validation and test"},
		{Name: "seed", Kind: Int, Default: "0", Usage: "seed of the shuffle before the split"},
		{Name: "dropna", Kind: Bool, Usage: "drop rows with a missing value in the chosen columns (else they are an error)"},
	},
	Short: "declare parameters (x) and observables (y), their transforms and noise, and split the rows",
	Long: `%data chooses the columns of a dataset the network infers (--x, the physical
parameters) and those it is conditioned on (--y, the observables), how each is
pre-processed (--log, --bounded) and the observational noise added while training
(--noise), and splits the rows into training, validation and test sets
(shuffled with --seed). %model, %train, %sample and %eval use this declaration.

--bounded prior maps every parameter of a simulated task with a uniform prior
(two_moons, gaussian_linear_uniform, gaussian_mixture, slcp) from its prior's box
to the real line, so that no posterior sample falls outside the prior.`,
	Example: "%data parsec_gaia --x logAge,Mass,logL,logTe,logg --y Gmag,G_BPmag,G_RPmag --noise all=0.01",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		d, err := s.dataset(inv.Arg(0))
		if err != nil {
			return err
		}
		x, y := inv.List("x"), inv.List("y")
		if len(x) == 0 {
			x = d.params
		}
		if len(y) == 0 {
			y = d.obs
		}
		if len(x) == 0 || len(y) == 0 {
			return Errorf("UsageError", fmt.Sprintf("columns of %s: %s", d.name, strings.Join(d.t.Names(), ", ")), "say which columns are the parameters (--x) and which the observables (--y)")
		}
		for _, c := range append(append([]string{}, x...), y...) {
			if _, err := d.t.Col(c); err != nil {
				return Errorf("ColumnError", "", "%v", err)
			}
		}
		for _, c := range x {
			if contains(y, c) {
				return Errorf("UsageError", "", "column %s is both a parameter (--x) and an observable (--y)", c)
			}
		}
		xTr := make([]cinn.Transform, len(x))
		yTr := make([]cinn.Transform, len(y))
		setTr := func(col string, tr cinn.Transform) error {
			if i := indexOf(x, col); i >= 0 {
				xTr[i] = tr
				return nil
			}
			if i := indexOf(y, col); i >= 0 {
				yTr[i] = tr
				return nil
			}
			return Errorf("UsageError", "", "column %s is neither in --x (%s) nor in --y (%s)", col, strings.Join(x, ","), strings.Join(y, ","))
		}
		for _, c := range inv.List("log") {
			if err := setTr(c, cinn.Transform{Kind: cinn.Log10}); err != nil {
				return err
			}
		}
		for _, b := range inv.List("bounded") {
			if b == "prior" {
				box, ok := d.task.(simulators.BoxPrior)
				if !ok {
					return Errorf("UsageError", "write --bounded COL=LO:HI, e.g. --bounded theta1=-1:1", "--bounded prior needs a dataset simulated from a task with a uniform box prior (two_moons, gaussian_linear_uniform, gaussian_mixture, slcp); %s has none", d.name)
				}
				lo, hi := box.PriorBox()
				for j, c := range d.task.ParamNames() {
					if indexOf(x, c) >= 0 {
						xTr[indexOf(x, c)] = cinn.Transform{Kind: cinn.Probit, Lo: lo[j], Hi: hi[j]}
					}
				}
				continue
			}
			col, rng, ok := strings.Cut(b, "=")
			los, his, ok2 := strings.Cut(rng, ":")
			lo, err1 := strconv.ParseFloat(los, 64)
			hi, err2 := strconv.ParseFloat(his, 64)
			if !ok || !ok2 || err1 != nil || err2 != nil || !(lo < hi) {
				return Errorf("UsageError", "write --bounded COL=LO:HI, e.g. --bounded theta1=-1:1", "bad --bounded entry %q", b)
			}
			if err := setTr(col, cinn.Transform{Kind: cinn.Probit, Lo: lo, Hi: hi}); err != nil {
				return err
			}
		}
		var noise []cinn.Noise
		if spec := inv.List("noise"); len(spec) > 0 {
			noise = make([]cinn.Noise, len(y))
			for _, e := range spec {
				col, sig, ok := strings.Cut(e, "=")
				rel := strings.HasSuffix(sig, "%")
				v, err := strconv.ParseFloat(strings.TrimSuffix(sig, "%"), 64)
				if !ok || err != nil || v < 0 {
					return Errorf("UsageError", "write --noise COL=SIGMA or COL=5% (relative), or all=SIGMA", "bad --noise entry %q", e)
				}
				nz := cinn.Noise{Abs: v}
				if rel {
					nz = cinn.Noise{Rel: v / 100}
				}
				if col == "all" {
					for i := range noise {
						noise[i] = nz
					}
					continue
				}
				i := indexOf(y, col)
				if i < 0 {
					return Errorf("UsageError", "", "--noise column %s is not an observable (--y: %s)", col, strings.Join(y, ","))
				}
				noise[i] = nz
			}
		}
		var fr []float64
		for _, f := range inv.List("split") {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v < 0 {
				return Errorf("UsageError", "write --split 0.8,0.1,0.1", "bad --split fraction %q", f)
			}
			fr = append(fr, v)
		}
		if len(fr) < 1 || len(fr) > 3 || fr[0] <= 0 {
			return Errorf("UsageError", "write --split TRAIN[,VAL[,TEST]], e.g. 0.8,0.1,0.1", "--split needs one to three fractions with a positive training fraction")
		}
		// Keep only the columns in play (and the remaining ones are not
		// needed for training); rows with missing values are refused or
		// dropped.
		cols := append(append([]string{}, x...), y...)
		t, err := d.t.Select(cols...)
		if err != nil {
			return Errorf("ColumnError", "", "%v", err)
		}
		dropped := 0
		if inv.Bool("dropna") {
			nt, err := t.DropMissing(cols...)
			if err != nil {
				return Errorf("ValueError", "", "%v", err)
			}
			dropped = t.Len() - nt.Len()
			t = nt
		} else {
			for _, c := range cols {
				if m, _ := t.Missing(c); m > 0 {
					return Errorf("DataError", "add --dropna to drop incomplete rows", "column %s of %s has %d missing values", c, d.name, m)
				}
			}
		}
		var nonzero []float64
		var names []string
		for i, f := range fr {
			if f > 0 {
				nonzero = append(nonzero, f)
				names = append(names, []string{"train", "val", "test"}[i])
			}
		}
		parts, err := t.Split(nonzero, rand.NewPCG(uint64(inv.Int("seed")), 0xda7a))
		if err != nil {
			return Errorf("UsageError", "the fractions must be positive and sum to at most 1", "%v", err)
		}
		r := &dataRoles{dataset: d.name, x: x, y: y, xTr: xTr, yTr: yTr, noise: noise, noiseText: strings.Join(inv.List("noise"), ","),
			split: fr, seed: int64(inv.Int("seed")), task: d.task, gen: d.gen, dir: d.dataDir, totalRows: t.Len(), splitNames: names}
		for i, n := range names {
			switch n {
			case "train":
				r.train = parts[i]
			case "val":
				r.val = parts[i]
			case "test":
				r.test = parts[i]
			}
		}
		if r.train.Len() < 2 {
			return Errorf("DataError", "simulate or load more rows", "the training set has %d rows", r.train.Len())
		}
		for _, p := range []*table.Table{r.val, r.test} {
			if p != nil && p.Len() == 0 {
				return Errorf("DataError", "use larger fractions or more rows", "a split of %d rows with fractions %v leaves an empty set", t.Len(), fr)
			}
		}
		// Check the transforms' domains now rather than at %train.
		for i, c := range cols {
			tr := cinn.Transform{}
			if i < len(x) {
				tr = xTr[i]
			} else {
				tr = yTr[i-len(x)]
			}
			v, _ := t.Col(c)
			for row, val := range v {
				if !tr.InDomain(val) {
					return Errorf("DataError", "choose another transform for this column, or filter the rows", "column %s row %d = %v is outside the domain of its %s transform", c, row, val, tr.Kind)
				}
			}
		}
		s.smu.Lock()
		s.data = r
		s.smu.Unlock()
		showRoles(out, r, t, dropped)
		return nil
	},
}

func showRoles(out Output, r *dataRoles, t *table.Table, dropped int) {
	tb := &Table{Header: []string{"column", "role", "transform", "noise σ", "min", "max"}, Index: true, MaxRows: 60}
	desc := map[string]table.Summary{}
	for _, d := range t.Describe() {
		desc[d.Name] = d
	}
	trText := func(tr cinn.Transform) string {
		switch tr.Kind {
		case cinn.Log10:
			return "log10"
		case cinn.Bounded:
			return fmt.Sprintf("logit (%g, %g)", tr.Lo, tr.Hi)
		case cinn.Probit:
			return fmt.Sprintf("probit (%g, %g)", tr.Lo, tr.Hi)
		}
		return "—"
	}
	for i, c := range r.x {
		tb.Rows = append(tb.Rows, []string{c, "parameter x", trText(r.xTr[i]), "", fmtNum(desc[c].Min), fmtNum(desc[c].Max)})
	}
	for i, c := range r.y {
		nz := ""
		if r.noise != nil {
			switch n := r.noise[i]; {
			case n.Rel > 0:
				nz = fmt.Sprintf("%g%%", n.Rel*100)
			case n.Abs > 0:
				nz = fmtNum(n.Abs)
			}
		}
		tb.Rows = append(tb.Rows, []string{c, "observable y", trText(r.yTr[i]), nz, fmtNum(desc[c].Min), fmtNum(desc[c].Max)})
	}
	var parts []string
	for _, p := range []struct {
		n string
		t *table.Table
	}{{"train", r.train}, {"val", r.val}, {"test", r.test}} {
		if p.t != nil {
			parts = append(parts, fmt.Sprintf("%s %d", p.n, p.t.Len()))
		}
	}
	tb.Caption = fmt.Sprintf("%s: %d parameters from %d observables; %d rows: %s", r.dataset, len(r.x), len(r.y), r.totalRows, strings.Join(parts, ", "))
	if dropped > 0 {
		tb.Note = fmt.Sprintf("%d rows with missing values dropped", dropped)
	}
	out.Display(tb.Display())
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

var showCmd = &Command{
	Name: "show",
	Args: []Arg{{Name: "NAME", Usage: "a dataset, or a split of %data (train, val, test)", Complete: CompleteDataset}},
	Flags: []Flag{
		{Name: "columns", Kind: List, Usage: "only these columns", Complete: CompleteColumns},
		{Name: "head", Kind: Int, Default: "5", Usage: "how many first rows to show (0: none)"},
	},
	Short: "describe a dataset: count, missing, percentiles, mean and spread per column, and the first rows",
	Long: `%show summarises the numeric columns of a dataset: the number of values and of
missing ones, the minimum, the 16th, 50th and 84th percentiles, the maximum, the
mean and the standard deviation; then the first rows. On a posterior summary
(%sample --as NAME) it gives, for example, the spread of the MAP ages of a
cluster's stars.`,
	Example: "%show posterior --columns logAge_map,logAge_median",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		t, name, err := s.observations(inv.Arg(0))
		if err != nil {
			return err
		}
		if cols := inv.List("columns"); len(cols) > 0 {
			if t, err = t.Select(cols...); err != nil {
				return Errorf("ColumnError", "", "%v", err)
			}
		}
		tb := &Table{Caption: fmt.Sprintf("%s: %d rows × %d columns", name, t.Len(), len(t.AllNames())),
			Header: []string{"column", "count", "missing", "min", "16%", "median", "84%", "max", "mean", "std"}, Index: true, MaxRows: 60}
		for _, c := range t.Names() {
			v, _ := t.Col(c)
			st := describeColumn(v)
			tb.Rows = append(tb.Rows, []string{c, strconv.Itoa(st.n), strconv.Itoa(len(v) - st.n), fmtNum(st.min), fmtNum(st.p16), fmtNum(st.med), fmtNum(st.p84), fmtNum(st.max), fmtNum(st.mean), fmtNum(st.std)})
		}
		if tn := t.TextNames(); len(tn) > 0 {
			tb.Note = "text columns: " + strings.Join(tn, ", ")
		}
		out.Display(tb.Display())
		if h := inv.Int("head"); h > 0 {
			out.Display(headTable(t, h, "first rows").Display())
		}
		return nil
	},
}

type colStats struct {
	n                                  int
	min, p16, med, p84, max, mean, std float64
}

// describeColumn computes the statistics %show prints, ignoring missing
// values; percentiles as numpy.percentile's default.
func describeColumn(v []float64) colStats {
	var x []float64
	for _, f := range v {
		if !math.IsNaN(f) {
			x = append(x, f)
		}
	}
	st := colStats{n: len(x)}
	if len(x) == 0 {
		nan := math.NaN()
		st.min, st.p16, st.med, st.p84, st.max, st.mean, st.std = nan, nan, nan, nan, nan, nan, nan
		return st
	}
	sort.Float64s(x)
	pct := func(p float64) float64 {
		h := float64(len(x)-1) * p
		i := int(math.Floor(h))
		if i+1 >= len(x) {
			return x[len(x)-1]
		}
		return x[i] + (h-float64(i))*(x[i+1]-x[i])
	}
	sum := 0.0
	for _, f := range x {
		sum += f
	}
	st.mean = sum / float64(len(x))
	ss := 0.0
	for _, f := range x {
		ss += (f - st.mean) * (f - st.mean)
	}
	if len(x) > 1 {
		st.std = math.Sqrt(ss / float64(len(x)-1))
	}
	st.min, st.p16, st.med, st.p84, st.max = x[0], pct(0.16), pct(0.5), pct(0.84), x[len(x)-1]
	return st
}

var filterCmd = &Command{
	Name: "filter",
	Args: []Arg{
		{Name: "NAME", Usage: "the dataset", Complete: CompleteDataset},
		{Name: "CONDITION", Usage: "an expression; rows where it is true (non-zero) are kept", Optional: true, Variadic: true, Complete: CompleteColumns},
	},
	Flags: []Flag{
		{Name: "as", Meta: "NEW", Usage: "keep the result as a new dataset (default: replace NAME)"},
		{Name: "dropna", Kind: Bool, Usage: "without a condition: keep the rows that have no missing value"},
		{Name: "columns", Kind: List, Usage: "with --dropna: look only at these columns", Complete: CompleteColumns},
	},
	Short: "keep the rows of a dataset that meet a condition, or that have no missing values",
	Long: `%filter keeps the rows where the condition is true: comparisons < <= > >= == !=
joined by & (and) and | (or), over expressions of the columns (see %derive). A
row where the condition is missing (a missing input) is dropped. With --dropna
it drops the rows that have a missing value (in --columns, or in any numeric
column). The words of the condition are joined, so it needs no quotes unless
it contains # or quotes.`,
	Example: "%filter cluster Plx > 2 & [BP-RP] < 3 --as members\n%filter cluster --dropna --columns Gmag,BP-RP",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		d, err := s.dataset(inv.Arg(0))
		if err != nil {
			return err
		}
		cond := strings.TrimSpace(strings.Join(inv.Args[1:], " "))
		var t *table.Table
		switch {
		case inv.Bool("dropna") && cond != "":
			return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "give either a condition or --dropna")
		case inv.Bool("dropna"):
			if t, err = d.t.DropMissing(inv.List("columns")...); err != nil {
				return Errorf("ColumnError", "", "%v", err)
			}
		case cond == "":
			return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "give a condition such as Plx > 2, or --dropna")
		default:
			v, _, err := evalExpr(d.t, cond)
			if err != nil {
				return err
			}
			t = d.t.Filter(func(i int) bool { return v[i] != 0 && !math.IsNaN(v[i]) })
		}
		nd := *d
		nd.t = t
		if as := inv.String("as"); as != "" {
			if err := checkName(as); err != nil {
				return err
			}
			nd.name = as
			nd.source = fmt.Sprintf("%%filter of %s", d.name)
		}
		s.setDataset(&nd)
		out.Stdout(fmt.Sprintf("%s: kept %d of %d rows\n", nd.name, t.Len(), d.t.Len()))
		return nil
	},
}

// parseSize reads a byte count such as 500MB, 8GB, 1.5GiB or 123456.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"K", 1e3}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || x <= 0 || math.IsInf(x, 0) || x*mult > 1<<62 {
		return 0, fmt.Errorf("%q is not a size such as 500MB or 8GB", s)
	}
	return int64(x * mult), nil
}
