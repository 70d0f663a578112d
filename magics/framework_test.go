package magics

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{in: "load a.csv --as t", want: []string{"load", "a.csv", "--as", "t"}},
		{in: `echo "hello, world"`, want: []string{"echo", "hello, world"}},
		{in: `echo 'a "b" c'`, want: []string{"echo", `a "b" c`}},
		{in: `echo "a \"q\" \\ b"`, want: []string{"echo", `a "q" \ b`}},
		{in: `load "my file*.csv"`, want: []string{"load", "my file*.csv"}},
		{in: "  a   b  ", want: []string{"a", "b"}},
		{in: `x "unterminated`, err: true},
		{in: `x 'unterminated`, err: true},
		{in: "", want: nil},
	} {
		got, err := Tokenize(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("Tokenize(%q) error = %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if !tc.err && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	code := "# a comment\n\n%load a.csv --as t\n  %train --epochs 3 \\\n --lr 1e-3\n%%model\nblocks: 4\nhidden: 64"
	lines, err := Parse(code)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %+v", len(lines), lines)
	}
	if lines[0].No != 3 || lines[0].Name != "load" || !reflect.DeepEqual(lines[0].Args, []string{"a.csv", "--as", "t"}) {
		t.Errorf("line 0 = %+v", lines[0])
	}
	if lines[1].No != 4 || lines[1].Name != "train" || !reflect.DeepEqual(lines[1].Args, []string{"--epochs", "3", "--lr", "1e-3"}) {
		t.Errorf("line 1 = %+v", lines[1])
	}
	if !lines[2].Cell || lines[2].Name != "model" || lines[2].Body != "blocks: 4\nhidden: 64" {
		t.Errorf("line 2 = %+v", lines[2])
	}

	for _, bad := range []string{"print(1)", "%load x\nx = 3", "%", "% --x"} {
		_, err := Parse(bad)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want *Error", bad, err)
			continue
		}
		if e.Line == 0 {
			t.Errorf("Parse(%q): error has no line: %v", bad, e)
		}
	}
	if _, err := Parse("x = 1"); err == nil || !strings.Contains(err.Error(), "%help") {
		t.Errorf("non-magic error should point to %%help: %v", err)
	}
	l, err := Parse("%train?")
	if err != nil || !l[0].Help || l[0].Name != "train" {
		t.Errorf("help syntax: %+v %v", l, err)
	}
}

var testCmd = &Command{
	Name: "fit",
	Args: []Arg{{Name: "NAME", Usage: "dataset", Complete: CompleteDataset}},
	Flags: []Flag{
		{Name: "epochs", Kind: Int, Default: "10", Usage: "passes"},
		{Name: "lr", Kind: Float, Default: "0.001", Usage: "learning rate"},
		{Name: "x", Kind: List, Usage: "columns", Complete: CompleteColumns},
		{Name: "verbose", Kind: Bool, Usage: "talk"},
		{Name: "format", Kind: String, Choices: []string{"csv", "fits"}, Usage: "format"},
		{Name: "out", Kind: String, Complete: CompleteFile, Usage: "file"},
	},
	Short:   "fit things",
	Example: "%fit data --epochs 3",
	Run:     func(context.Context, *Session, *Invocation, Output) error { return nil },
}

func TestParseArgs(t *testing.T) {
	inv, err := testCmd.parseArgs([]string{"d", "--epochs", "3", "--lr=0.5", "--verbose", "--x", "a, b,c", "--format", "csv"})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Arg(0) != "d" || inv.Int("epochs") != 3 || inv.Float("lr") != 0.5 || !inv.Bool("verbose") ||
		!reflect.DeepEqual(inv.List("x"), []string{"a", "b", "c"}) || inv.String("format") != "csv" {
		t.Errorf("parsed %+v", inv)
	}
	inv, err = testCmd.parseArgs([]string{"d", "--lr", "-1e-3"})
	if err != nil || inv.Float("lr") != -1e-3 || inv.Int("epochs") != 10 {
		t.Errorf("negative value/default: %v %v", inv, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"d", "--epoch", "3"}, "did you mean --epochs"},
		{[]string{"d", "--epochs", "x"}, "whole number"},
		{[]string{"d", "--lr", "fast"}, "needs a number"},
		{[]string{"d", "--epochs"}, "needs a value"},
		{[]string{"d", "--format", "csb"}, "did you mean csv"},
		{[]string{}, "missing NAME"},
		{[]string{"d", "e"}, "unexpected argument"},
		{[]string{"d", "-e"}, "flags are written --name"},
		{[]string{"d", "--verbose=maybe"}, "true or false"},
	} {
		_, err := testCmd.parseArgs(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "usage: %fit NAME") {
			t.Errorf("parseArgs(%q) = %v, want error containing %q and the usage line", tc.args, err, tc.want)
		}
	}
}

func newTestSession(t *testing.T) *Session {
	s := NewSession(Options{Dir: t.TempDir()})
	s.reg.Register(testCmd)
	s.SetCompleter(CompleteDataset, func(*Session, []string) []string { return []string{"stars", "moons"} })
	s.SetCompleter(CompleteColumns, func(*Session, []string) []string { return []string{"logAge", "mass", "Gmag"} })
	return s
}

func TestComplete(t *testing.T) {
	s := newTestSession(t)
	os.WriteFile(filepath.Join(s.Dir, "stars.csv"), nil, 0o644)
	os.Mkdir(filepath.Join(s.Dir, "sub"), 0o755)
	for _, tc := range []struct {
		code       string
		want       []string
		start, end int
	}{
		{"%he", []string{"%help"}, 0, 3},
		{"%fi", []string{"%filter", "%fit"}, 0, 3},
		{"%fit st", []string{"stars"}, 5, 7},
		{"%fit stars --ep", []string{"--epochs"}, 11, 15},
		{"%fit stars --x logAge,m", []string{"mass"}, 22, 23},
		{"%fit stars --x=G", []string{"Gmag"}, 15, 16},
		{"%fit stars --format f", []string{"fits"}, 20, 21},
		{"%fit stars --out st", []string{"stars.csv"}, 17, 19},
		{"%fit stars --out s", []string{"stars.csv", "sub/"}, 17, 18},
		{"%help tr", []string{"train"}, 6, 8},
		{"%help zz", nil, 6, 8},
		{"%help ec", []string{"echo"}, 6, 8},
		{"%echo x\n%he", []string{"%help"}, 8, 11},
	} {
		got, start, end := s.Complete(tc.code, len([]rune(tc.code)))
		if !reflect.DeepEqual(got, tc.want) || start != tc.start || end != tc.end {
			t.Errorf("Complete(%q) = %q [%d,%d), want %q [%d,%d)", tc.code, got, start, end, tc.want, tc.start, tc.end)
		}
	}
}

// TestOneDefinition checks that help, completion, inspection and parsing
// come from the same Command values, so they cannot drift.
func TestOneDefinition(t *testing.T) {
	s := newTestSession(t)
	for _, c := range s.reg.Commands() {
		help := c.Help()
		if !strings.Contains(help, c.UsageLine()) {
			t.Errorf("%%%s: help lacks usage line", c.Name)
		}
		flags, _, _ := s.Complete("%"+c.Name+" --", len([]rune("%"+c.Name+" --")))
		if len(flags) != len(c.Flags) {
			t.Errorf("%%%s: completion offers %d flags, definition has %d", c.Name, len(flags), len(c.Flags))
		}
		for _, f := range c.Flags {
			if !strings.Contains(help, "--"+f.Name) || !strings.Contains(c.UsageLine(), "--"+f.Name) {
				t.Errorf("%%%s: help or usage lacks --%s", c.Name, f.Name)
			}
			if !contains(flags, "--"+f.Name) {
				t.Errorf("%%%s: completion lacks --%s", c.Name, f.Name)
			}
			if f.Default != "" && !strings.Contains(help, "default "+f.Default) {
				t.Errorf("%%%s: help lacks default of --%s", c.Name, f.Name)
			}
		}
		d, ok := s.Inspect("%"+c.Name, 2, 1)
		if !ok || d.Data["text/plain"] != help {
			t.Errorf("%%%s: inspect detail 1 is not the help text", c.Name)
		}
		d0, ok := s.Inspect("%"+c.Name+" x", 1, 0)
		if !ok || !strings.Contains(d0.Data["text/plain"].(string), c.UsageLine()) {
			t.Errorf("%%%s: inspect detail 0 lacks the usage line", c.Name)
		}
		var rec Recorder
		if err := s.Execute(context.Background(), "%help "+c.Name, &rec); err != nil || rec.StdoutText() != help {
			t.Errorf("%%help %s differs from Help(): %v", c.Name, err)
		}
		rec = Recorder{}
		if err := s.Execute(context.Background(), "%"+c.Name+"?", &rec); err != nil || len(rec.Pages) != 1 || rec.Pages[0].Data["text/plain"] != help {
			t.Errorf("%%%s? does not page the help: %v", c.Name, err)
		}
	}
}

func TestExecuteErrors(t *testing.T) {
	s := newTestSession(t)
	for _, tc := range []struct {
		code, kind, want string
		line             int
	}{
		{"%hepl", "UsageError", "did you mean %help", 1},
		{"%echo ok\n%hlep", "UsageError", "did you mean %help", 2},
		{"%echo ok\nprint(1)", "SyntaxError", "%help", 2},
		{"%fit a --epochs x", "UsageError", "usage: %fit", 1},
		{"%help nosuch", "UsageError", "no magic %nosuch", 1},
		{"%%echo\nbody", "UsageError", "no %% cell form", 1},
	} {
		var rec Recorder
		err := s.Execute(context.Background(), tc.code, &rec)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Execute(%q) = %v, want *Error", tc.code, err)
			continue
		}
		if e.Kind != tc.kind || e.Line != tc.line || !strings.Contains(e.Error(), tc.want) {
			t.Errorf("Execute(%q) = %s %q (line %d), want %s containing %q at line %d", tc.code, e.Kind, e.Error(), e.Line, tc.kind, tc.want, tc.line)
		}
	}
	// The first error stops the cell.
	var rec Recorder
	s.Execute(context.Background(), "%echo one\n%nosuch\n%echo two", &rec)
	if got := rec.StdoutText(); got != "one\n" {
		t.Errorf("cell went on after an error: %q", got)
	}
}

func TestPanicRecovered(t *testing.T) {
	s := newTestSession(t)
	s.reg.Register(&Command{Name: "boom", Short: "panics", Run: func(context.Context, *Session, *Invocation, Output) error {
		var m map[string]int
		m["x"] = 1
		return nil
	}})
	var rec Recorder
	err := s.Execute(context.Background(), "%boom", &rec)
	var e *Error
	if !errors.As(err, &e) || e.Kind != "InternalError" {
		t.Fatalf("panic gave %v", err)
	}
	if err := s.Execute(context.Background(), "%echo alive", &rec); err != nil || rec.StdoutText() != "alive\n" {
		t.Errorf("session dead after panic: %v", err)
	}
}

func TestIsComplete(t *testing.T) {
	s := newTestSession(t)
	for _, tc := range []struct{ code, want string }{
		{"%echo hi", "complete"},
		{"%echo hi \\", "incomplete"},
		{"%%model\nblocks: 4\n", "complete"},
		{"x = 1", "invalid"},
		{"", "complete"},
	} {
		if got, _ := s.IsComplete(tc.code); got != tc.want {
			t.Errorf("IsComplete(%q) = %s, want %s", tc.code, got, tc.want)
		}
	}
}

func TestTableDisplay(t *testing.T) {
	tb := &Table{Caption: "stars <b>", Header: []string{"name", "mass"}, Index: true, MaxRows: 4}
	for i := 0; i < 10; i++ {
		tb.Rows = append(tb.Rows, []string{string(rune('a' + i)), "1.5"})
	}
	d := tb.Display()
	h := d.Data["text/html"].(string)
	if !strings.Contains(h, "stars &lt;b&gt;") || strings.Contains(h, "<b>") {
		t.Errorf("caption not escaped: %s", h)
	}
	if !strings.Contains(h, "10 rows, 6 not shown") || strings.Count(h, "<tr>") != 5 {
		t.Errorf("truncation wrong: %s", h)
	}
	plain := d.Data["text/plain"].(string)
	want := "stars <b>\nname  mass\na      1.5\nb      1.5\n…        …\ni      1.5\nj      1.5\n10 rows, 6 not shown"
	if plain != want {
		t.Errorf("plain =\n%s\nwant\n%s", plain, want)
	}
}

func TestNearest(t *testing.T) {
	names := []string{"train", "sample", "simulate", "load", "model", "help"}
	for in, want := range map[string]string{"trian": "train", "smaple": "sample", "simualte": "simulate", "xyz": "", "lod": "load", "modle": "model"} {
		if got := nearest(in, names); got != want {
			t.Errorf("nearest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"500MB": 500e6, "8GB": 8e9, "1.5GiB": 3 << 29, "123456": 123456, "2k": 2000} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1GB", "0", "1e30TB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) succeeded", bad)
		}
	}
}
