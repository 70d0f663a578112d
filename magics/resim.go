package magics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gocinn/gocinn/cinn/figure"
	"github.com/gocinn/gocinn/cinn/simulators"
	"github.com/gocinn/gocinn/cinn/simulators/hii"
	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
)

// hiiGridFile is where simulators.NewGenerator's hii generator reads its
// grid, relative to the data folder.
const hiiGridFile = "hii/C17_POPSTAR_1myr.dat"

// simOf finds the simulator behind a table of observations: a dataset made
// by %simulate, or a split of %data declared on one.
func (s *Session) simOf(name string) (gen, dir string, task simulators.Task) {
	s.smu.RLock()
	defer s.smu.RUnlock()
	if d, ok := s.datasets[name]; ok {
		return d.gen, d.dataDir, d.task
	}
	if r := s.data; r != nil && (name == "train" || name == "val" || name == "test") {
		return r.gen, r.dir, r.task
	}
	return "", "", nil
}

var resimulateCmd = &Command{
	Name: "resimulate",
	Flags: []Flag{
		{Name: "obs", Kind: Int, Default: "0", Usage: "which observation of the last %sample (0-based position)"},
		{Name: "n", Kind: Int, Default: "0", Usage: "resimulate at most this many samples (0: all)"},
		{Name: "as", Meta: "NAME", Default: "resim", Usage: "name of the dataset of resimulated observables"},
		{Name: "x", Meta: "EXPR", Usage: "also draw a 2-D histogram of the resimulated values: horizontal quantity", Complete: CompleteColumns},
		{Name: "y", Meta: "EXPR", Usage: "vertical quantity of that histogram", Complete: CompleteColumns},
		{Name: "seed", Kind: Int, Default: "0", Usage: "random seed (for stochastic simulators)"},
	},
	Short: "push posterior samples back through the simulator and compare with the observation",
	Long: `%resimulate takes the posterior samples of one observation of the last %sample,
simulates the observables for each of them (the HII-region grid without noise,
or an sbibm task's simulator) and shows, per observable, the observed value
beside the median and 68% range of the resimulated ones: a good posterior
reproduces the observation. The resimulated values become the dataset NAME; with
--x and --y a 2-D histogram of them is drawn with the observation marked.
Samples outside the grid give missing values, counted in the table.`,
	Example: "%resimulate --obs 0 --x log_NII_6584-log_OII_3727 --y log_OIII_5007",
	Run:     runResimulate,
}

func runResimulate(ctx context.Context, s *Session, inv *Invocation, out Output) error {
	s.smu.RLock()
	post := s.samples
	s.smu.RUnlock()
	if post == nil {
		return Errorf("StateError", "run %sample first", "no posterior samples to resimulate")
	}
	i := inv.Int("obs")
	if i < 0 || i >= len(post.samples) {
		return Errorf("UsageError", "", "--obs %d: the last %%sample has observations 0 to %d", i, len(post.samples)-1)
	}
	name := inv.String("as")
	if err := checkName(name); err != nil {
		return err
	}
	smp := post.samples[i]
	if n := inv.Int("n"); n > 0 && n < smp.RawMatrix().Rows {
		smp = mat.DenseCopyOf(smp.Slice(0, n, 0, smp.RawMatrix().Cols))
	}
	gen, dir, task := s.simOf(post.obsName)
	pick := func(names []string) (*mat.Dense, error) {
		cols := make([]int, len(names))
		for k, n := range names {
			if cols[k] = indexOf(post.params, n); cols[k] < 0 {
				return nil, Errorf("DataError", "", "the simulator needs the parameter %s, which the model does not infer (it infers %s)", n, strings.Join(post.params, ", "))
			}
		}
		return selectCols(smp, cols), nil
	}
	var res *table.Table
	switch {
	case gen == "hii":
		g, err := hii.Load(filepath.Join(dir, filepath.FromSlash(hiiGridFile)))
		if err != nil {
			return Errorf("SimulatorError", "", "%v", err)
		}
		theta, err := pick(hii.ParamNames)
		if err != nil {
			return err
		}
		ratios := g.Resimulate(theta)
		if res, err = table.NewFromMatrix(g.Lines(), ratios); err != nil {
			return Errorf("InternalError", "", "%v", err)
		}
		for k, l := range g.Lines() {
			v, _ := res.Col(l)
			lv := make([]float64, len(v))
			for j, x := range v {
				lv[j] = math.NaN()
				if x > 0 {
					lv[j] = math.Log10(x)
				}
			}
			if err := res.AddColumn(g.LogLines()[k], lv, "dex"); err != nil {
				return Errorf("InternalError", "", "%v", err)
			}
		}
	case task != nil:
		theta, err := pick(task.ParamNames())
		if err != nil {
			return err
		}
		x := task.Simulate(theta, rand.NewPCG(uint64(inv.Int("seed")), 0x7e51))
		if res, err = table.NewFromMatrix(task.ObsNames(), x); err != nil {
			return Errorf("InternalError", "", "%v", err)
		}
	default:
		return Errorf("UsageError", "it works on observations from %simulate hii or an sbibm task (or the splits of %data on them)",
			"%%resimulate does not know the simulator of %s", post.obsName)
	}
	tb := &Table{Caption: fmt.Sprintf("%s row %d: observed against resimulated from %d posterior samples", post.obsName, post.rows[i], res.Len()),
		Header: []string{"observable", "observed", "median", "16%", "84%", "within 68%", "missing"}, Index: true, MaxRows: 40}
	for _, c := range res.Names() {
		obs, err := post.obs.Col(c)
		if err != nil {
			continue // only the observables the observations have
		}
		v, _ := res.Col(c)
		st := describeColumn(v)
		within := "—"
		if !math.IsNaN(st.p16) {
			within = strconv.FormatBool(obs[i] >= st.p16 && obs[i] <= st.p84)
		}
		tb.Rows = append(tb.Rows, []string{c, fmtNum(obs[i]), fmtNum(st.med), fmtNum(st.p16), fmtNum(st.p84), within, strconv.Itoa(len(v) - st.n)})
	}
	s.setDataset(&dataset{name: name, t: res, source: fmt.Sprintf("%%resimulate of %s row %d", post.obsName, post.rows[i])})
	tb.Note = fmt.Sprintf("dataset %s holds the resimulated values", name)
	out.Display(tb.Display())
	xe, ye := inv.String("x"), inv.String("y")
	if xe == "" && ye == "" {
		return nil
	}
	if xe == "" || ye == "" {
		return Errorf("UsageError", "", "give both --x and --y for the histogram")
	}
	xv, _, err := evalExpr(res, xe)
	if err != nil {
		return err
	}
	yv, _, err := evalExpr(res, ye)
	if err != nil {
		return err
	}
	var cx, cy []float64
	for k := range xv {
		if !math.IsNaN(xv[k]) && !math.IsNaN(yv[k]) {
			cx, cy = append(cx, xv[k]), append(cy, yv[k])
		}
	}
	if len(cx) == 0 {
		return Errorf("DataError", "", "no resimulated sample has both values (all outside the grid?)")
	}
	opts := figure.Hist2DOptions{Title: fmt.Sprintf("resimulated %s row %d", post.obsName, post.rows[i])}
	ox, _, e1 := evalExpr(post.obs, xe)
	oy, _, e2 := evalExpr(post.obs, ye)
	if e1 == nil && e2 == nil && !math.IsNaN(ox[i]) && !math.IsNaN(oy[i]) {
		opts.Marks = []figure.Mark{{Label: "observed", X: ox[i], Y: oy[i]}}
	}
	f, err := figure.Hist2D(cx, cy, xe, ye, opts)
	if err != nil {
		return Errorf("PlotError", "", "%v", err)
	}
	return showFigure(s, out, f, plotSize{}, "")
}
