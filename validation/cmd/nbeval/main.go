// Copyright ©2026 The gocinn Authors. All rights reserved.

// Command nbeval reruns a tutorial notebook's code cells up to its first
// %eval with other %model settings and seeds, and prints the text of what
// the cells show (data, model and training tables, the %eval table) without
// plots. It compares settings at a notebook's own scale, a few seeds at a
// time, without touching the notebook:
//
//	go run ./validation/cmd/nbeval -nb notebooks/02-stellar-parameters.ipynb -model "--bins 8" -seed 2 -max 2000
//
// %plot, %show and %export lines are skipped. -model adds flags to the
// notebook's %model line (or key: value lines to a %%model cell); -seed
// replaces the seed of %model and, plus 100, of %data (other training
// stars' noise and split); -max and -epochs replace those of %eval and
// %train. Relative paths resolve against the notebook's folder, as in
// Jupyter.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gocinn/gocinn/magics"
)

func main() {
	var o options
	flag.StringVar(&o.notebook, "nb", "", "the notebook (.ipynb) to rerun")
	flag.StringVar(&o.model, "model", "", `flags added to %model, e.g. "--bins 8 --hidden 64"`)
	flag.IntVar(&o.seed, "seed", 0, "seed of %model, and plus 100 of %data (0: the notebook's)")
	flag.IntVar(&o.max, "max", 0, "observations %eval scores (0: the notebook's --max)")
	flag.IntVar(&o.epochs, "epochs", 0, "epochs of %train (0: the notebook's)")
	flag.Parse()
	log.SetFlags(0)
	if o.notebook == "" || flag.NArg() > 0 {
		log.Fatal("usage: nbeval -nb NOTEBOOK.ipynb [-model FLAGS] [-seed N] [-max N] [-epochs N]")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		log.Fatalf("nbeval: %v", err)
	}
}

type options struct {
	notebook, model   string
	seed, max, epochs int
}

// run executes the notebook's cells as o changes them, writing what they
// show to w.
func run(ctx context.Context, w io.Writer, o options) error {
	cells, err := codeCells(o.notebook)
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(filepath.Dir(o.notebook))
	if err != nil {
		return err
	}
	s := magics.NewSession(magics.Options{Dir: dir})
	out := &textOutput{w: w}
	for _, c := range cells {
		code, eval := edit(c, o)
		if strings.TrimSpace(code) == "" {
			continue
		}
		fmt.Fprintf(w, ">>> %s\n", strings.ReplaceAll(strings.TrimSpace(code), "\n", " | "))
		if err := s.Execute(ctx, code, out); err != nil {
			return fmt.Errorf("cell %q: %w", firstLine(code), err)
		}
		if eval {
			return nil
		}
	}
	return fmt.Errorf("%s has no %%eval", o.notebook)
}

// codeCells reads the sources of a notebook's code cells.
func codeCells(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb struct {
		Cells []struct {
			CellType string          `json:"cell_type"`
			Source   json.RawMessage `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("%s is not a notebook: %w", path, err)
	}
	var cells []string
	for _, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		// nbformat allows a source as one string or a list of lines.
		var lines []string
		if err := json.Unmarshal(c.Source, &lines); err != nil {
			var one string
			if err := json.Unmarshal(c.Source, &one); err != nil {
				return nil, fmt.Errorf("%s: a cell's source is neither a string nor a list of strings", path)
			}
			lines = []string{one}
		}
		cells = append(cells, strings.Join(lines, ""))
	}
	return cells, nil
}

var (
	seedFlag   = regexp.MustCompile(`--seed[ =]\d+`)
	seedKey    = regexp.MustCompile(`(?m)^(\s*(--)?seed\s*[:=]\s*)\d+`)
	maxFlag    = regexp.MustCompile(`--max[ =]\d+`)
	epochsFlag = regexp.MustCompile(`--epochs[ =]\d+`)
	flagPair   = regexp.MustCompile(`--([\w-]+)(?:[ =]([^\s-][^\s]*))?`)
)

// edit returns cell as o changes it, and whether it holds the %eval that
// ends the run.
func edit(cell string, o options) (string, bool) {
	if strings.HasPrefix(strings.TrimSpace(cell), "%%model") {
		if o.seed != 0 {
			if seedKey.MatchString(cell) {
				cell = seedKey.ReplaceAllString(cell, fmt.Sprintf("${1}%d", o.seed))
			} else {
				cell = strings.TrimRight(cell, "\n") + fmt.Sprintf("\nseed: %d", o.seed)
			}
		}
		for _, m := range flagPair.FindAllStringSubmatch(o.model, -1) {
			v := m[2]
			if v == "" {
				v = "true"
			}
			cell = strings.TrimRight(cell, "\n") + fmt.Sprintf("\n%s: %s", m[1], v)
		}
		return cell, false
	}
	var lines []string
	eval := false
	for _, l := range strings.Split(cell, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "%plot"), strings.HasPrefix(t, "%show"), strings.HasPrefix(t, "%export"):
			continue
		case strings.HasPrefix(t, "%model"):
			if o.seed != 0 {
				l = replaceOrAdd(l, seedFlag, fmt.Sprintf("--seed %d", o.seed))
			}
			if o.model != "" {
				l += " " + o.model
			}
		case strings.HasPrefix(t, "%data") && o.seed != 0:
			l = replaceOrAdd(l, seedFlag, fmt.Sprintf("--seed %d", o.seed+100))
		case strings.HasPrefix(t, "%train") && o.epochs != 0:
			l = replaceOrAdd(l, epochsFlag, fmt.Sprintf("--epochs %d", o.epochs))
		case strings.HasPrefix(t, "%eval"):
			if o.max != 0 {
				l = replaceOrAdd(l, maxFlag, fmt.Sprintf("--max %d", o.max))
			}
			eval = true
		}
		lines = append(lines, l)
		if eval {
			break
		}
	}
	return strings.Join(lines, "\n"), eval
}

// replaceOrAdd replaces the flag re matches in line with flag, or appends
// flag when line has none.
func replaceOrAdd(line string, re *regexp.Regexp, flag string) string {
	if re.MatchString(line) {
		return re.ReplaceAllLiteralString(line, flag)
	}
	return line + " " + flag
}

func firstLine(code string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(code), "\n")
	return l
}

// textOutput writes the plain text of what a cell shows; progress
// displays (those updated in place, with an ID) and images are left out.
type textOutput struct{ w io.Writer }

func (o *textOutput) Stdout(s string) { io.WriteString(o.w, s) }
func (o *textOutput) Stderr(s string) { io.WriteString(o.w, s) }
func (o *textOutput) Display(d magics.Display) {
	if d.ID != "" {
		return
	}
	if _, ok := d.Data["image/png"]; ok {
		return
	}
	if t, ok := d.Data["text/plain"].(string); ok {
		fmt.Fprintln(o.w, t)
	}
}
func (o *textOutput) Update(magics.Display)   {}
func (o *textOutput) Clear(bool)              {}
func (o *textOutput) Result(d magics.Display) { o.Display(d) }
func (o *textOutput) Page(magics.Display)     {}
