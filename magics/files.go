package magics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/table"
)

var saveCmd = &Command{
	Name:    "save",
	Args:    []Arg{{Name: "PATH", Usage: "the model file to write (.cinn by convention)", Complete: CompleteFile}},
	Short:   "save the model (weights, pre-processing, optimiser state, history) to a file",
	Long:    "%save writes the model atomically in gocinn's versioned model format; %open reads it back, and %train continues from it exactly.",
	Example: "%save stars.cinn",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		m, err := s.needModel(false)
		if err != nil {
			return err
		}
		path := inv.Arg(0)
		if err := m.Save(s.Path(path)); err != nil {
			return Errorf("IOError", "check that the folder exists and is writable", "%v", err)
		}
		out.Stdout(fmt.Sprintf("saved the model (%d parameters, %d epochs trained) to %s\n", m.NumParams(), len(m.History()), path))
		return nil
	},
}

var openCmd = &Command{
	Name:    "open",
	Args:    []Arg{{Name: "PATH", Usage: "a model file written by %save", Complete: CompleteFile}},
	Short:   "load a model saved by %save",
	Long:    "%open replaces the session's model with one read from a file. %sample and %eval work at once; %train continues its training on the current %data.",
	Example: "%open stars.cinn",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		path := inv.Arg(0)
		m, err := cinn.Load(s.Path(path))
		if err != nil {
			hint := ""
			switch {
			case errors.Is(err, fs.ErrNotExist):
				hint = fmt.Sprintf("paths are relative to %s; Tab completes file names", s.Dir)
			case errors.Is(err, cinn.ErrNotModel):
				hint = "use %load for tables; %open reads model files written by %save"
			}
			return Errorf("IOError", hint, "%v", err)
		}
		s.smu.Lock()
		s.model, s.modelOf = m, filepath.Base(path)
		r := s.data
		s.smu.Unlock()
		out.Display(modelTable(m, filepath.Base(path)).Display())
		if r != nil {
			sp := m.Spec()
			if strings.Join(sp.XNames, ",") != strings.Join(r.x, ",") || strings.Join(sp.YNames, ",") != strings.Join(r.y, ",") {
				out.Stderr(fmt.Sprintf("note: the model's columns (x = %s; y = %s) differ from the current %%data; %%train needs matching columns\n",
					strings.Join(sp.XNames, ","), strings.Join(sp.YNames, ",")))
			}
		}
		return nil
	},
}

var exportCmd = &Command{
	Name: "export",
	Args: []Arg{
		{Name: "NAME", Usage: "a dataset (tables, posterior summaries NAME and samples NAME_samples, eval)", Complete: CompleteDataset},
		{Name: "PATH", Usage: "the file; .csv, .tsv, .npy, .npz or .fits chooses the format", Complete: CompleteFile},
	},
	Flags:   []Flag{{Name: "columns", Kind: List, Usage: "export only these columns", Complete: CompleteColumns}},
	Short:   "write a dataset, posterior samples or summaries to .csv, .tsv, .npy, .npz or .fits",
	Long:    "%export writes a dataset in the format its extension names: .csv and .tsv with a header line, .npy as one 2-D float64 array (names lost), .npz with one array per column (np.load(...)[name]), .fits as a binary table (astropy.table.Table.read). Numbers read back exactly.",
	Example: "%export posterior_samples samples.npz\n%export posterior summary.csv",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		d, err := s.dataset(inv.Arg(0))
		if err != nil {
			return err
		}
		path := inv.Arg(1)
		ext := strings.ToLower(filepath.Ext(path))
		switch ext {
		case ".csv", ".tsv", ".npy", ".npz", ".fits":
		default:
			return Errorf("UsageError", "end the file name in .csv, .tsv, .npy, .npz or .fits", "cannot tell the format of %q from its extension", path)
		}
		t := d.t
		if cols := inv.List("columns"); len(cols) > 0 {
			if t, err = t.Select(cols...); err != nil {
				return Errorf("ColumnError", "", "%v", err)
			}
		}
		if ext == ".npy" && len(t.TextNames()) > 0 {
			if t, err = t.Select(t.Names()...); err != nil {
				return Errorf("InternalError", "", "%v", err)
			}
			out.Stderr(fmt.Sprintf("note: .npy holds numbers only; text columns %s left out (use .npz, .csv or .fits to keep them)\n", strings.Join(d.t.TextNames(), ", ")))
		}
		if err := table.WriteFile(s.Path(path), t); err != nil {
			return Errorf("IOError", "check that the folder exists and is writable", "%v", err)
		}
		out.Stdout(fmt.Sprintf("wrote %s: %d rows × %d columns (%s)\n", path, t.Len(), len(t.AllNames()), strings.Join(abbrevList(t.AllNames(), 8), ", ")))
		return nil
	},
}

func abbrevList(l []string, n int) []string {
	if len(l) <= n {
		return l
	}
	return append(append([]string{}, l[:n]...), fmt.Sprintf("… %d more", len(l)-n))
}

var whoCmd = &Command{
	Name:    "who",
	Short:   "list what the session holds: datasets, the data declaration, the model, samples, evaluation",
	Example: "%who",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		s.smu.RLock()
		defer s.smu.RUnlock()
		tb := &Table{Header: []string{"name", "kind", "size", "from"}, Index: true, MaxRows: 100}
		for _, n := range s.order {
			d := s.datasets[n]
			tb.Rows = append(tb.Rows, []string{n, "dataset", fmt.Sprintf("%d × %d", d.t.Len(), len(d.t.AllNames())), d.source})
		}
		if r := s.data; r != nil {
			tb.Rows = append(tb.Rows, []string{"data", "declaration", fmt.Sprintf("%d x, %d y", len(r.x), len(r.y)),
				fmt.Sprintf("%s: x = %s; y = %s", r.dataset, strings.Join(r.x, ","), strings.Join(r.y, ","))})
		}
		if m := s.model; m != nil {
			st := "untrained"
			if h := m.History(); len(h) > 0 {
				st = strconv.Itoa(len(h)) + " epochs trained"
			}
			tb.Rows = append(tb.Rows, []string{"model", "cINN", fmt.Sprintf("%d parameters", m.NumParams()), s.modelOf + ", " + st})
		}
		if p := s.samples; p != nil {
			n := 0
			if len(p.samples) > 0 {
				n = p.samples[0].RawMatrix().Rows
			}
			tb.Rows = append(tb.Rows, []string{"samples", "posterior", fmt.Sprintf("%d obs × %d", len(p.samples), n), p.obsName + " (dataset " + p.name + ")"})
		}
		if e := s.eval; e != nil {
			tb.Rows = append(tb.Rows, []string{"eval", "evaluation", fmt.Sprintf("%d obs × %d", e.report.Observations, e.n), e.on})
		}
		if len(tb.Rows) == 0 {
			out.Result(Text("the session is empty: %load or %simulate a dataset to begin"))
			return nil
		}
		out.Result(tb.Display())
		return nil
	},
}

var resetCmd = &Command{
	Name:  "reset",
	Args:  []Arg{{Name: "NAME", Usage: "a dataset, or model, data, samples, eval (default: everything)", Optional: true, Complete: CompleteDataset}},
	Flags: []Flag{{Name: "force", Kind: Bool, Usage: "do not ask for confirmation before forgetting everything"}},
	Short: "forget everything, or one dataset or result",
	Long: `%reset with no argument forgets every dataset, the %data declaration, the model,
the samples and the evaluation; in a frontend that accepts input it first asks
for confirmation, as IPython's %reset does (--force skips the question, and is
needed where input is not allowed, as in notebooks run non-interactively).
%reset NAME forgets one dataset, or one of model, data, samples, eval.`,
	Example: "%reset posterior_samples\n%reset",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		name := inv.Arg(0)
		if name == "" && !inv.Bool("force") {
			if in, ok := out.(Inputter); ok {
				ans, err := in.Input(ctx, "Forget every dataset, the model and all results? y/[n] ", false)
				if err != nil {
					if ctx.Err() != nil {
						return err
					}
					return Errorf("StdinNotImplementedError", "use %reset --force where the frontend allows no input", "%%reset asks for confirmation: %v", err)
				}
				if a := strings.ToLower(strings.TrimSpace(ans)); a != "y" && a != "yes" {
					out.Stdout("nothing forgotten\n")
					return nil
				}
			}
		}
		s.smu.Lock()
		defer s.smu.Unlock()
		switch {
		case name == "":
			s.datasets, s.order, s.data, s.model, s.modelOf, s.samples, s.eval = map[string]*dataset{}, nil, nil, nil, "", nil, nil
			out.Stdout("the session is empty\n")
			return nil
		case s.datasets[name] != nil:
			delete(s.datasets, name)
			for i, n := range s.order {
				if n == name {
					s.order = append(s.order[:i:i], s.order[i+1:]...)
					break
				}
			}
		case name == "model":
			s.model, s.modelOf = nil, ""
		case name == "data":
			s.data = nil
		case name == "samples":
			s.samples = nil
		case name == "eval":
			s.eval = nil
		default:
			return Errorf("NameError", "%who lists what the session holds", "nothing called %q (datasets: %s; or model, data, samples, eval)", name, strings.Join(s.order, ", "))
		}
		out.Stdout(fmt.Sprintf("forgot %s\n", name))
		return nil
	},
}

var clearCmd = &Command{
	Name:    "clear",
	Flags:   []Flag{{Name: "wait", Kind: Bool, Usage: "clear only when the next output arrives (no flicker)"}},
	Short:   "clear the cell's output",
	Example: "%clear --wait",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		out.Clear(inv.Bool("wait"))
		return nil
	},
}
