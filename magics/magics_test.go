package magics

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/table"
)

// snapshot is what must survive a failing command.
type snapshot struct {
	datasets []string
	tables   []any
	data     *dataRoles
	model    any
	samples  *posterior
	eval     *evaluation
}

func snap(s *Session) snapshot {
	s.smu.RLock()
	defer s.smu.RUnlock()
	sn := snapshot{datasets: append([]string(nil), s.order...), data: s.data, model: s.model, samples: s.samples, eval: s.eval}
	for _, n := range s.order {
		sn.tables = append(sn.tables, s.datasets[n].t)
	}
	return sn
}

// TestErrorsBeforeState runs every magic that needs something first on an
// empty session: each must say which command to run.
func TestErrorsBeforeState(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"%data moons", []string{"no datasets yet", "%simulate"}},
		{"%model", []string{"no training data declared", "%simulate"}},
		{"%train", []string{"no training data declared"}},
		{"%sample --obs x", []string{"no model yet", "%data", "%model"}},
		{"%eval", []string{"no model yet"}},
		{"%plot loss", []string{"run %train first"}},
		{"%plot corner", []string{"run %sample first"}},
		{"%plot calibration", []string{"run %eval first"}},
		{"%plot truth", []string{"run %eval first"}},
		{"%plot sbc", []string{"run %eval first"}},
		{"%plot cmd", []string{"run %sample"}},
		{"%plot hist2d", []string{"--data NAME"}},
		{"%save m.cinn", []string{"no model yet"}},
		{"%export moons a.csv", []string{`no dataset "moons"`, "%load"}},
		{"%derive moons c=a-b", []string{`no dataset "moons"`}},
		{"%load nosuch.csv", []string{"nosuch.csv", "paths are relative to"}},
		{"%load", []string{"missing PATH", "usage: %load PATH"}},
		{"%simulate two_mons", []string{"did you mean two_moons"}},
		{"%simulate two_moons --n -5", []string{"--n must be between 1 and"}},
		{"%simulate two_moons --n 6000000", []string{"would hold 6000000 rows × 4 columns = 183.1 MiB", "simulate in parts"}},
		{"%simulate slcp --n 1000000000000", []string{"would hold 1000000000000 rows × 13 columns = 96857.5 GiB"}},
		{"%simulate two_moons --n many", []string{"whole number", "usage: %simulate"}},
		{"%simulate slcp --obs 2 --as 'bad name'", []string{"not a valid dataset name"}},
		{"%open nosuch.cinn", []string{"nosuch.cinn"}},
		{"%reset nothing", []string{`nothing called "nothing"`}},
		{"%plot nosuch", []string{"KIND must be one of"}},
		{"%plot cornr", []string{"did you mean corner"}},
		{"%sleep soon", []string{"SECONDS must be a number"}},
		{"%trian", []string{"did you mean %train"}},
		{"%model --blocks 0", []string{"no training data declared"}},
		{"%%model\nblocks: 4", []string{"no training data declared"}},
	} {
		before := snap(s)
		e := runErr(t, s, tc.code, tc.want...)
		if e.Line != 1 {
			t.Errorf("%s: error at line %d", tc.code, e.Line)
		}
		if !reflect.DeepEqual(before, snap(s)) {
			t.Errorf("%s changed the session's state", tc.code)
		}
	}
}

// newWorkSession returns a session holding a small simulated dataset, its
// %data declaration and an untrained model.
func newWorkSession(t *testing.T) *Session {
	t.Helper()
	s := NewSession(Options{Dir: t.TempDir()})
	run(t, s, "%simulate two_moons --n 600 --seed 4 --obs 2 --quiet\n%data two_moons --seed 1\n%model --blocks 2 --hidden 16 --layers 1")
	return s
}

// TestBadInput runs every magic with bad input on a session that holds
// data and a model: each fails with a useful message, and nothing of the
// session changes.
func TestBadInput(t *testing.T) {
	s := newWorkSession(t)
	os.WriteFile(filepath.Join(s.Dir, "table.csv"), []byte("a,b\n1,2\n3,x\n"), 0o644)
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"%sample --obs two_moons_obs", []string{"not trained yet", "%train"}},
		{"%eval", []string{"not trained yet"}},
		{"%data two_moons --x theta1,thetaa --y x1", []string{"thetaa", `"x1"`, `"x2"`}},
		{"%data two_moons --x theta1 --y theta1", []string{"both a parameter"}},
		{"%data two_moons --split 0.5,0.6", []string{"sum"}},
		{"%data two_moons --split 0.8,x", []string{"bad --split"}},
		{"%data two_moons --log x1", []string{"outside the domain of its log10 transform", "x1"}},
		{"%data two_moons --noise x9=0.1", []string{"not an observable"}},
		{"%data two_moons --noise x1=-1", []string{"bad --noise"}},
		{"%data two_moons --bounded theta1=1:-1", []string{"bad --bounded"}},
		{"%data two_moons --x theta1,theta2 --y x1 --lgo x1", []string{"did you mean --log"}},
		{"%data two_moons_ob", []string{"did you mean two_moons_obs"}},
		{"%model --blocks 0", []string{"--blocks must be positive"}},
		{"%model --hidden 100000", []string{"more than this kernel allows"}},
		{"%simulate two_moons --n 999999999", []string{"29.8 GiB", "the limit is 5000000 rows"}},
		{"%model --cond-net 64,x", []string{"bad --cond-net"}},
		{"%%model\nblocks: 4\nblokcs: 4", []string{"did you mean blocks"}},
		{"%%model\nblocks four", []string{"not key: value"}},
		{"%train --epochs -1", []string{"--epochs must be 0 (automatic) or more"}},
		{"%train --lr fast", []string{"needs a number", "usage: %train"}},
		{"%train --ema 1", []string{"--ema must be in [0, 1)"}},
		{"%train --schedule cosine --gamma 0.9", []string{"--gamma 0.9 sets an exponential schedule", "--schedule cosine"}},
		{"%derive two_moons y=nosuch+1", []string{"nosuch", "theta1"}},
		{"%derive two_moons y=(x1", []string{"missing )"}},
		{"%derive two_moons y=", []string{"is not COL=EXPR"}},
		{"%derive two_moons", []string{"missing COL=EXPR"}},
		{"%export two_moons out.xlsx", []string{"extension"}},
		{"%export two_moons out.csv --columns nosuch", []string{"nosuch"}},
		{"%export two_moons nodir/sub/out.csv", []string{"nodir"}},
		{"%load table.csv", []string{"table.csv", "line 3"}},
		{"%open table.csv", []string{"not a gocinn model file", "%load"}},
		{"%plot loss --out loss.jpg", []string{"ending in .png"}},
		{"%plot loss --width -1", []string{"--width"}},
		{"%reset nothing", []string{"two_moons_obs"}},
		{"%echo ok\n%simulate nosuch", []string{"unknown simulator"}},
	} {
		before := snap(s)
		runErr(t, s, tc.code, tc.want...)
		if !reflect.DeepEqual(before, snap(s)) {
			t.Errorf("%s changed the session's state", tc.code)
		}
	}
	// Errors after a trained model and a posterior.
	run(t, s, "%train --epochs 1 --batch 128 --ema 0.9 --schedule cosine\n%sample --obs two_moons_obs --n 200")
	if ls, _ := s.model.LastSettings(); ls.EMA != 0.9 || ls.Schedule != (cinn.Schedule{Kind: cinn.CosineSchedule}) {
		t.Errorf("%%train --ema 0.9 --schedule cosine trained with EMA %v, schedule %+v", ls.EMA, ls.Schedule)
	}
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"%sample --values 1", []string{"needs 2 numbers", "x1, x2"}},
		{"%sample --values 1,b", []string{"not a number"}},
		{"%sample --obs two_moons_obs --rows 5:2", []string{"bad --rows"}},
		{"%sample --obs two_moons_obs --rows 7", []string{"outside the table's 2 rows"}},
		{"%sample --obs two_moons_obs --values 1,2", []string{"either --obs or --values"}},
		{"%sample --obs nosuch", []string{`no dataset "nosuch"`, "not a file either"}},
		{"%sample --n 1", []string{"at least 2"}},
		{"%sample --obs two_moons --rows all --n 100000", []string{"more than the"}},
		{"%sample --obs posterior --c2st", []string{"no exact reference posterior"}},
		{"%sample --obs two_moons_obs --as 'a b'", []string{"not a valid dataset name"}},
		{"%plot corner --obs 9", []string{"observations 0 to 1"}},
		{"%plot corner --param nosuch", []string{"no parameter", "theta1, theta2"}},
		{"%plot cmd --x nosuch --y x1", []string{"nosuch"}},
		{"%plot cmd --data posterior", []string{"needs --color"}},
		{"%plot hist2d --data two_moons --x x1", []string{"--x EXPR and --y EXPR"}},
		{"%plot hist2d --data two_moons --x x1 --y x2 --mark 1", []string{"--mark takes X,Y"}},
		{"%eval --on two_moons_obs --n 1", []string{"--n must be at least 2"}},
		{"%eval --on posterior", []string{"%eval needs the true parameters"}},
	} {
		before := snap(s)
		runErr(t, s, tc.code, tc.want...)
		if !reflect.DeepEqual(before, snap(s)) {
			t.Errorf("%s changed the session's state", tc.code)
		}
	}
	// A %data that changes the columns makes %train ask for a new model.
	run(t, s, "%data two_moons --x theta1 --y x1,x2")
	runErr(t, s, "%train --epochs 1", "run %model again")
}

// TestDataMagics covers %load, %derive, %data, %who, %reset and %clear.
func TestDataMagics(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	csv := "name,G,BP,RP,plx\na,10,10.5,9.7,2.0\nb,12,12.8,11.3,\nc,14,15.1,13.1,0.5\n"
	os.WriteFile(filepath.Join(s.Dir, "stars.csv"), []byte(csv), 0o644)
	rec := run(t, s, "%load stars.csv")
	checkDisplays(t, "load", rec.Displays)
	plain := rec.Displays[0].Data["text/plain"].(string)
	for _, w := range []string{"stars: 3 rows × 5 columns", "plx", "text"} {
		if !strings.Contains(plain, w) {
			t.Errorf("load summary lacks %q:\n%s", w, plain)
		}
	}
	if !regexpLine(plain, "plx", "2", "1") {
		t.Errorf("load summary: plx should have count 2, missing 1:\n%s", plain)
	}
	rec = run(t, s, `%derive stars BP_RP=BP-RP "M_G=G+5*log10(plx)-10" --unit mag`)
	v, _ := s.datasets["stars"].t.Col("BP_RP")
	if bp, rp := 10.5, 9.7; v[0] != bp-rp {
		t.Errorf("BP_RP = %v", v)
	}
	mg, _ := s.datasets["stars"].t.Col("M_G")
	if want := 14 + 5*(-0.30102999566398120) - 10; mg[1] == mg[1] || abs(int(1e9*(mg[2]-want))) > 1 {
		t.Errorf("M_G = %v (row b must be missing, row c %v)", mg, want)
	}
	if !strings.Contains(rec.Displays[0].Data["text/plain"].(string), "M_G") {
		t.Error("derive does not show the new columns")
	}
	runErr(t, s, "%data stars --x BP_RP --y G,M_G", "missing values", "--dropna")
	runErr(t, s, "%data stars --x BP_RP --y G,M_G --dropna --split 0.5,0.5", "training set has 1 rows")
	rec = run(t, s, "%data stars --x BP_RP --y G,M_G --dropna --split 1 --noise G=0.01,M_G=5%")
	p := rec.Displays[0].Data["text/plain"].(string)
	for _, w := range []string{"1 rows with missing values dropped", "5%", "observable y", "train 2"} {
		if !strings.Contains(p, w) {
			t.Errorf("data table lacks %q:\n%s", w, p)
		}
	}
	rec = run(t, s, "%who")
	if len(rec.Results) != 1 || !strings.Contains(rec.Results[0].Data["text/plain"].(string), "declaration") {
		t.Errorf("who: %+v", rec.Results)
	}
	run(t, s, "%reset stars")
	if _, ok := s.datasets["stars"]; ok {
		t.Error("%reset stars kept the dataset")
	}
	rec = run(t, s, "%clear --wait\n%sleep 0.01\n%echo --result done")
	if rec.Clears != 1 || rec.Results[0].Data["text/plain"] != "done" {
		t.Errorf("clear/result: %+v", rec)
	}
	// %reset without input support (Recorder) forgets everything.
	run(t, s, "%reset")
	rec = run(t, s, "%who")
	if !strings.Contains(rec.Results[0].Data["text/plain"].(string), "empty") {
		t.Errorf("who after reset: %v", rec.Results[0].Data)
	}
}

func regexpLine(text, first string, fields ...string) bool {
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) > len(fields) && f[0] == first {
			// column unit? count missing …: find count and missing in order.
			j := 0
			for _, x := range f[1:] {
				if j < len(fields) && x == fields[j] {
					j++
				}
			}
			return j == len(fields)
		}
	}
	return false
}

// inputOutput is a Recorder that answers Input.
type inputOutput struct {
	Recorder
	answer  string
	prompts []string
}

func (o *inputOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	o.prompts = append(o.prompts, prompt)
	return o.answer, nil
}

func TestResetConfirmation(t *testing.T) {
	s := newWorkSession(t)
	out := &inputOutput{answer: "n"}
	if err := s.Execute(context.Background(), "%reset", out); err != nil {
		t.Fatal(err)
	}
	if len(out.prompts) != 1 || s.model == nil || len(s.order) == 0 {
		t.Errorf("answer n: prompts %q, state forgotten", out.prompts)
	}
	out = &inputOutput{answer: "y"}
	s.Execute(context.Background(), "%reset", out)
	if s.model != nil || len(s.order) != 0 {
		t.Error("answer y kept the state")
	}
	s = newWorkSession(t)
	out = &inputOutput{answer: "n"}
	s.Execute(context.Background(), "%reset --force", out)
	if len(out.prompts) != 0 || s.model != nil {
		t.Error("--force asked or kept the state")
	}
}

// TestCompleteMagics checks completion of dataset, column, simulator and
// choice values from the session's state.
func TestCompleteMagics(t *testing.T) {
	s := newWorkSession(t)
	os.WriteFile(filepath.Join(s.Dir, "stars.csv"), nil, 0o644)
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"%data two", []string{"two_moons", "two_moons_obs"}},
		{"%data two_moons --x theta1,th", []string{"theta1", "theta2"}},
		{"%data two_moons --y=x", []string{"x1", "x2"}},
		{"%export two_moons_obs --columns x", []string{"x1", "x2"}},
		{"%sample --obs two_moons_o", []string{"two_moons_obs"}},
		{"%sample --obs st", []string{"stars.csv"}},
		{"%simulate two_", []string{"two_moons"}},
		{"%simulate gaussian_l", []string{"gaussian_linear", "gaussian_linear_uniform"}},
		{"%plot co", []string{"corner"}},
		{"%plot corner --param theta", []string{"theta1", "theta2"}},
		{"%load st", []string{"stars.csv"}},
		{"%load --format n", []string{"npy", "npz"}},
		{"%model --coupling s", []string{"spline"}},
		{"%model --coupling ", []string{"affine", "spline", "mixed"}},
		{"%reset two_moons_", []string{"two_moons_obs"}},
		{"%help tr", []string{"train"}},
		{"%tr", []string{"%train"}},
		{"%%mo", []string{"%%model"}},
	} {
		got, _, _ := s.Complete(tc.code, len([]rune(tc.code)))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Complete(%q) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

// TestEveryCommandDocumented checks that every magic has a summary, an
// example that parses with its own definition, and help text naming it.
func TestEveryCommandDocumented(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	want := []string{"clear", "data", "derive", "echo", "eval", "export", "filter", "help", "load", "model", "open", "plot", "reset", "resimulate", "sample", "save", "show", "simulate", "sleep", "train", "who"}
	if got := s.reg.Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("magics = %q, want %q", got, want)
	}
	for _, c := range s.reg.Commands() {
		if c.Short == "" || c.Example == "" {
			t.Errorf("%%%s lacks a summary or an example", c.Name)
		}
		for _, ex := range strings.Split(c.Example, "\n") {
			lines, err := Parse(ex)
			if err != nil || len(lines) != 1 || lines[0].Name != c.Name {
				t.Errorf("%%%s: example %q does not parse: %v", c.Name, ex, err)
				continue
			}
			if _, err := c.parseArgs(lines[0].Args); err != nil {
				t.Errorf("%%%s: example %q: %v", c.Name, ex, err)
			}
		}
		// %help lists every magic with its summary.
	}
	rec := run(t, s, "%help")
	h := rec.Displays[0].Data["text/plain"].(string)
	for _, c := range s.reg.Commands() {
		if !strings.Contains(h, "%"+c.Name) || !strings.Contains(h, c.Short) {
			t.Errorf("%%help list lacks %%%s", c.Name)
		}
	}
}

func TestExpr(t *testing.T) {
	tb, _ := newTable(t, []string{"a", "b", "12+log(O/H)"}, [][]float64{{1, 2, -1}, {4, 0, 2}, {8.5, 8.6, 8.7}})
	for _, tc := range []struct {
		expr string
		want []float64
	}{
		{"a-b", []float64{-3, 2, -3}},
		{"a/b", []float64{0.25, nan, -0.5}},
		{"-a^2 + 2*a", []float64{1, 0, -3}},
		{"log10(a)", []float64{0, 0.3010299956639812, nan}},
		{"[12+log(O/H)] - 8", []float64{0.5, 0.6, 0.7}},
		{"pow10(b) * 1e-1", []float64{1000, 0.1, 10}},
		{"sqrt(abs(a)) + exp(0) - ln(1)", []float64{2, 2.414213562373095, 2}},
		{"(a+b)*2.5e0", []float64{12.5, 5, 2.5}},
	} {
		got, _, err := evalExpr(tb, tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		for i := range got {
			if !(got[i] == tc.want[i] || (got[i] != got[i] && tc.want[i] != tc.want[i]) || abs(int(1e12*(got[i]-tc.want[i]))) <= 1) {
				t.Errorf("%s = %v, want %v", tc.expr, got, tc.want)
				break
			}
		}
	}
	for _, bad := range []string{"a +", "(a", "a b", "nosuch", "[a", "a $ b", ""} {
		if _, _, err := evalExpr(tb, bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

var nan = math.NaN()

func newTable(t *testing.T, names []string, cols [][]float64) (*table.Table, error) {
	t.Helper()
	tb, err := table.New(names, cols)
	if err != nil {
		t.Fatal(err)
	}
	return tb, nil
}

// TestShowAndResimulate covers %show and %resimulate on two moons (an
// sbibm task) and, with the project's data folder, on the HII grid.
func TestShowAndResimulate(t *testing.T) {
	s := newWorkSession(t)
	runErr(t, s, "%resimulate", "run %sample first")
	run(t, s, "%train --epochs 2 --batch 128\n%sample --obs two_moons_obs --n 400")
	rec := run(t, s, "%show posterior --columns theta1_map,theta1_true --head 0")
	p := rec.Displays[0].Data["text/plain"].(string)
	if len(rec.Displays) != 1 || !strings.Contains(p, "median") || !strings.Contains(p, "theta1_true") {
		t.Errorf("show: %s", p)
	}
	run(t, s, "%show test --head 2")
	runErr(t, s, "%show nosuch", "no dataset")
	rec = run(t, s, "%resimulate --obs 1 --x x1 --y x2 --as back")
	if n := checkDisplays(t, "resimulate", rec.Displays); n != 1 {
		t.Errorf("resimulate: %d PNGs", n)
	}
	if tb := rec.Displays[0].Data["text/plain"].(string); !strings.Contains(tb, "observed") || !strings.Contains(tb, "x2") {
		t.Errorf("resimulate table: %s", tb)
	}
	if d := s.datasets["back"]; d == nil || d.t.Len() != 400 || !d.t.Has("x1") {
		t.Errorf("resimulated dataset: %+v", d)
	}
	runErr(t, s, "%resimulate --obs 5", "observations 0 to 1")

	dir, _ := filepath.Abs(filepath.Join("..", "..", "shared", "data"))
	if _, err := os.Stat(filepath.Join(dir, hiiGridFile)); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the HII grid is missing from %s: %v", dir, err)
		}
		t.Skipf("the project's data folder %s is absent", dir)
	}
	h := NewSession(Options{Dir: t.TempDir()})
	run(t, h, "%simulate hii --n 1500 --quiet --data-dir "+dir+"\n%data hii\n%model --blocks 2 --hidden 32 --layers 1\n%train --epochs 2 --batch 256\n%sample --rows 0:2 --n 300")
	rec = run(t, h, "%resimulate --obs 0 --x log_NII_6584-log_OII_3727 --y log_OIII_5007")
	if n := checkDisplays(t, "resimulate hii", rec.Displays); n != 1 {
		t.Errorf("resimulate hii: %d PNGs", n)
	}
	tb := rec.Displays[0].Data["text/plain"].(string)
	if !strings.Contains(tb, "log_OIII_5007") || strings.Count(tb, "\n") < 10 {
		t.Errorf("resimulate hii table:\n%s", tb)
	}
	if d := h.datasets["resim"]; d == nil || d.t.Len() != 300 || !d.t.Has("OIII_5007") || !d.t.Has("log_OIII_5007") {
		t.Errorf("resim dataset: %v", d)
	}
}

// TestCompleteWhileRunning completes, inspects and checks completeness
// while cells change the session (run it with -race).
func TestCompleteWhileRunning(t *testing.T) {
	s := newWorkSession(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			s.Complete("%data two_moons --x th", 21)
			s.Complete("%sample --obs t", 15)
			s.Inspect("%train", 3, 1)
			s.IsComplete("%train --epochs 2")
		}
	}()
	run(t, s, "%simulate gaussian_linear --n 300 --quiet\n%derive gaussian_linear s=x1+x2\n%train --epochs 1 --batch 128\n%reset gaussian_linear")
	<-done
}

// TestSampleKeepsObservationColumns samples a loaded table with an
// identifier beyond 2^53 and a text column, and samples a posterior
// summary again: the summary keeps the observations' columns exactly and
// does not clash with its own.
func TestSampleKeepsObservationColumns(t *testing.T) {
	s := newWorkSession(t)
	csv := "source_id,name,x1,x2\n4295806720000000001,a,0.1,0.2\n4295806720000000003,b,-0.3,0.1\n"
	os.WriteFile(filepath.Join(s.Dir, "obs.csv"), []byte(csv), 0o644)
	run(t, s, "%train --epochs 1 --batch 128\n%sample --obs obs.csv --n 100 --as first")
	ids, ok := s.datasets["first"].t.Int64("source_id")
	if !ok || ids[1] != 4295806720000000003 {
		t.Errorf("source_id not kept exactly: %v %v", ids, ok)
	}
	if names, err := s.datasets["first"].t.Text("name"); err != nil || names[0] != "a" {
		t.Errorf("text column: %v %v", names, err)
	}
	run(t, s, "%sample --obs first --n 100 --as second --seed 1")
	a, _ := s.datasets["second"].t.Col("theta1_median")
	b, _ := s.datasets["first"].t.Col("theta1_median")
	if len(a) != 2 || a[0] == b[0] {
		t.Errorf("second summary reuses the first's columns: %v %v", a, b)
	}
	run(t, s, "%export second "+filepath.Join(s.Dir, "second.fits"))
}

func TestFilter(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	os.WriteFile(filepath.Join(s.Dir, "c.csv"), []byte("Plx,BP-RP,G\n2.5,1,10\n1.5,2,11\n3,,12\n2.2,3.5,13\n"), 0o644)
	run(t, s, "%load c.csv")
	rec := run(t, s, "%filter c Plx > 2 & [BP-RP] < 3 --as members")
	if got := s.datasets["members"].t.Len(); got != 1 || !strings.Contains(rec.StdoutText(), "kept 1 of 4") {
		t.Errorf("members: %d rows, %q", got, rec.StdoutText())
	}
	run(t, s, "%filter c --dropna --columns BP-RP")
	if got := s.datasets["c"].t.Len(); got != 3 {
		t.Errorf("dropna: %d rows", got)
	}
	run(t, s, "%filter c G == 10 | G >= 13")
	if v, _ := s.datasets["c"].t.Col("G"); len(v) != 2 || v[0] != 10 || v[1] != 13 {
		t.Errorf("or: %v", v)
	}
	before := snap(s)
	runErr(t, s, "%filter c", "give a condition")
	runErr(t, s, "%filter c Plx > --dropna", "either a condition or --dropna")
	runErr(t, s, "%filter c nosuch > 1", "nosuch")
	runErr(t, s, "%filter c Plx >", "ends too early")
	if !reflect.DeepEqual(before, snap(s)) {
		t.Errorf("a failing %%filter changed the session")
	}
}

// TestStellarWorkflowRealData runs the stellar-parameter workflow of the
// tutorials in miniature on the project's data folder (PARSEC Gaia
// isochrones and the real Gaia cluster): parallax to absolute magnitude,
// missing colours skipped, a CMD coloured by MAP log age.
func TestStellarWorkflowRealData(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "shared", "data"))
	if _, err := os.Stat(filepath.Join(dir, "gaia", "cluster.csv")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the project's data folder is missing: %v", err)
		}
		t.Skipf("the project's data folder %s is absent", dir)
	}
	s := NewSession(Options{Dir: t.TempDir()})
	run(t, s, "%simulate parsec_gaia --n 3000 --seed 1 --quiet --data-dir "+dir+`
%derive parsec_gaia BP_RP=G_BPmag-G_RPmag
%data parsec_gaia --x logAge,Mass,logTe --y Gmag,BP_RP --noise all=0.01
%model --blocks 2 --hidden 32 --layers 1
%train --epochs 1 --batch 256`)
	run(t, s, "%load "+filepath.Join(dir, "gaia", "cluster.csv")+` --as cluster
%derive cluster "Gmag=Gmag+5*log10(Plx)-10" BP_RP=[BP-RP]`)
	runErr(t, s, "%sample --obs cluster --n 50", "missing", "--dropna")
	rec := run(t, s, "%sample --obs cluster --n 50 --dropna --as stars")
	if !strings.Contains(strings.Join(rec.Stderrs, ""), "skipped 9 observations") {
		t.Errorf("stderr: %q", rec.Stderrs)
	}
	if n := s.datasets["stars"].t.Len(); n != 1419 {
		t.Errorf("%d stars sampled, want 1419", n)
	}
	rec = run(t, s, "%plot cmd --x BP_RP --y Gmag --param logAge")
	if checkDisplays(t, "cmd", rec.Displays) != 1 {
		t.Error("no CMD")
	}
	rec = run(t, s, "%show stars --columns logAge_map --head 0")
	if !strings.Contains(rec.Displays[0].Data["text/plain"].(string), "1419") {
		t.Errorf("show: %s", rec.Displays[0].Data["text/plain"])
	}
}

// TestModelTablePermutations checks that %model's table names the
// permutation designs it does not offer when a network has them (a file
// written by the validation command, for example), and only then.
func TestModelTablePermutations(t *testing.T) {
	for _, c := range []struct {
		cfg  cinn.Config
		want string // "" for no permutations row
	}{
		{cinn.Config{}, ""},
		{cinn.Config{LinearMix: true}, "random, each followed by a learned linear mixing"},
		{cinn.Config{LinearMix: true, MixInit: cinn.MixRotation}, "random, each followed by a learned linear mixing (from a random rotation)"},
		{cinn.Config{Permute: cinn.PermuteBalanced}, "balanced"},
		{cinn.Config{PermSeed: 274}, "random (seed 274)"},
	} {
		c.cfg.DimX, c.cfg.DimY, c.cfg.Blocks, c.cfg.Hidden, c.cfg.Layers = 3, 2, 2, 4, 1
		m, err := cinn.NewModel(c.cfg, cinn.Spec{})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		for _, r := range modelTable(m, "d").Rows {
			if r[0] == "permutations" {
				got = r[1]
			}
		}
		if got != c.want {
			t.Errorf("%+v: permutations row %q, want %q", c.cfg, got, c.want)
		}
	}
}

func TestGrouped(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {10000, "10,000"},
		{123456, "123,456"}, {1234567, "1,234,567"}, {-1000, "-1,000"}, {-12, "-12"},
	} {
		if got := grouped(tc.n); got != tc.want {
			t.Errorf("grouped(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
