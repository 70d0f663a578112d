package magics

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/diagnostics"
	"github.com/gocinn/gocinn/cinn/simulators"
	"github.com/gocinn/gocinn/cinn/table"
	"gonum.org/v1/gonum/mat"
)

// state is what a session holds between cells. Commands keep their data
// here; every field survives a failing command: commands build new values
// and install them with the setters below only when they succeed.
//
// smu guards everything, because Complete reads dataset and column names
// while a cell runs.
type state struct {
	smu      sync.RWMutex
	datasets map[string]*dataset
	order    []string // dataset names in the order they were made

	data    *dataRoles // the declared parameters and observables (%data)
	model   *cinn.Model
	modelOf string // the dataset the model was built for
	samples *posterior
	eval    *evaluation
	trains  int // %train calls, for display IDs
}

// dataset is a named table of the session with where it came from.
type dataset struct {
	name   string
	t      *table.Table
	source string
	// params and obs are the parameter and observation columns a
	// simulator made (nil for loaded tables), offered as %data defaults.
	params, obs []string
	// task is the sbibm task that made the table, if any: it gives the
	// exact reference posterior of %plot corner --reference.
	task simulators.Task
	// gen and dataDir name the simulator that made the table and the
	// folder it read, for %resimulate.
	gen, dataDir string
}

// dataRoles is a %data declaration: which columns are the parameters x
// and which the observables y, their transforms and noise, and the split.
type dataRoles struct {
	dataset    string
	x, y       []string
	xTr, yTr   []cinn.Transform
	noise      []cinn.Noise // one per y column, or nil
	noiseText  string
	split      []float64
	seed       int64
	train      *table.Table
	val, test  *table.Table // may be nil
	task       simulators.Task
	gen, dir   string
	totalRows  int
	splitNames []string
}

// posterior is the result of %sample.
type posterior struct {
	name    string       // the summary dataset
	obsName string       // where the observations came from
	obs     *table.Table // the observation rows sampled
	rows    []int        // their row numbers in the source table
	params  []string
	samples []*mat.Dense
	summary [][]diagnostics.Summary
	truth   *mat.Dense // nil when the observations carry no true values
	task    simulators.Task
}

// evaluation is the result of %eval.
type evaluation struct {
	on     string
	report diagnostics.Report
	truth  *mat.Dense
	n      int // samples per observation
}

func (s *Session) initState() {
	s.datasets = map[string]*dataset{}
	s.SetCompleter(CompleteDataset, func(s *Session, _ []string) []string { return s.datasetNames() })
	s.SetCompleter(CompleteSimulator, func(*Session, []string) []string { return simulators.GeneratorNames() })
	s.SetCompleter(CompleteColumns, func(s *Session, words []string) []string { return s.columnsFor(words) })
}

func (s *Session) datasetNames() []string {
	s.smu.RLock()
	defer s.smu.RUnlock()
	return append([]string(nil), s.order...)
}

// columnsFor returns the column names a column flag of the line may name:
// those of the dataset the line names (a positional argument or --data/
// --obs), else those of the declared data, else of every dataset.
func (s *Session) columnsFor(words []string) []string {
	s.smu.RLock()
	defer s.smu.RUnlock()
	for i, w := range words {
		if i == 0 {
			continue
		}
		name := w
		if (w == "--data" || w == "--obs" || w == "--on") && i+1 < len(words) {
			name = words[i+1]
		} else if v, ok := strings.CutPrefix(w, "--data="); ok {
			name = v
		} else if v, ok := strings.CutPrefix(w, "--obs="); ok {
			name = v
		}
		if d, ok := s.datasets[name]; ok {
			return d.t.AllNames()
		}
	}
	if s.data != nil {
		if d, ok := s.datasets[s.data.dataset]; ok {
			return d.t.AllNames()
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range s.order {
		for _, c := range s.datasets[n].t.AllNames() {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// dataset returns the named dataset or an error that lists those there are
// and says how to make one.
func (s *Session) dataset(name string) (*dataset, error) {
	s.smu.RLock()
	defer s.smu.RUnlock()
	if d, ok := s.datasets[name]; ok {
		return d, nil
	}
	if len(s.order) == 0 {
		return nil, Errorf("NameError", "make one with %load PATH or %simulate TASK", "no dataset %q: the session holds no datasets yet", name)
	}
	msg := fmt.Sprintf("no dataset %q (the session holds %s)", name, strings.Join(s.order, ", "))
	if n := nearest(name, s.order); n != "" {
		msg += fmt.Sprintf("; did you mean %s?", n)
	}
	return nil, Errorf("NameError", "%who lists what the session holds", "%s", msg)
}

// setDataset installs or replaces a dataset.
func (s *Session) setDataset(d *dataset) {
	s.smu.Lock()
	defer s.smu.Unlock()
	if _, ok := s.datasets[d.name]; !ok {
		s.order = append(s.order, d.name)
	}
	s.datasets[d.name] = d
}

// needData returns the %data declaration or an error saying to run %data.
func (s *Session) needData() (*dataRoles, error) {
	s.smu.RLock()
	defer s.smu.RUnlock()
	if s.data == nil {
		hint := "run %data NAME --x PARAMS --y OBSERVABLES first"
		if len(s.order) == 0 {
			hint = "run %simulate TASK or %load PATH, then %data NAME --x PARAMS --y OBSERVABLES"
		}
		return nil, Errorf("StateError", hint, "no training data declared")
	}
	return s.data, nil
}

// needModel returns the model or an error saying which command makes one.
func (s *Session) needModel(trained bool) (*cinn.Model, error) {
	s.smu.RLock()
	defer s.smu.RUnlock()
	if s.model == nil {
		hint := "run %model to build a network (or %open PATH to load one)"
		if s.data == nil {
			hint = "run %data NAME --x PARAMS --y OBSERVABLES, then %model (or %open PATH to load a trained model)"
		}
		return nil, Errorf("StateError", hint, "no model yet")
	}
	if trained && !s.model.Trained() {
		return nil, Errorf("StateError", "run %train first", "the model is not trained yet")
	}
	return s.model, nil
}

// defaultDataDir finds the project's data folder for the data-based
// simulators: $GOCINN_DATA, else shared/data beside the session directory
// or one of its parents (the repository keeps it at ../shared/data).
func (s *Session) defaultDataDir() string {
	if d := os.Getenv("GOCINN_DATA"); d != "" {
		return d
	}
	dir := s.Dir
	for i := 0; i < 5 && dir != ""; i++ {
		for _, cand := range []string{filepath.Join(dir, "..", "shared", "data"), filepath.Join(dir, "shared", "data")} {
			if st, err := os.Stat(cand); err == nil && st.IsDir() {
				return filepath.Clean(cand)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return filepath.Join(s.Dir, "..", "shared", "data")
}
