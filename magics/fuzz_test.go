package magics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Fuzz targets of the cell parser and of what a frontend calls while the
// user types (seed corpora in testdata/fuzz/<target>). Run one with
//
//	go test ./magics -run '^$' -fuzz '^FuzzParse$' -fuzztime 60s

var parseSeeds = []string{
	"%echo hello",
	"%load ../shared/data/gaia/cluster.csv --as cluster\n%show cluster",
	"%%model\nblocks: 4\nhidden: 64",
	"# comment\n\n%help train",
	"%simulate two_moons \\\n  --n 100 \\\n  --quiet",
	"%echo 'single quoted' \"double \\\"escaped\\\"\"",
	"?%train",
	"%train?",
	"%echo 'unterminated",
	"%echo \"unterminated",
	"%",
	"%%",
	"%1abc",
	"plain text",
	"%echo a\r\n%echo b\r\n",
	"%echo \\",
	"\\\n\\",
	"%echo \x00\xff\xfe",
	"%derive d 'c=[BP-RP]*2'",
}

// FuzzParse checks Parse on any cell: no panic, and what it accepts is
// well formed (line numbers in the cell and increasing, names starting
// with a letter, a cell magic only last), while IsComplete agrees.
func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	s := NewSession(Options{Dir: f.TempDir()})
	f.Fuzz(func(t *testing.T, code string) {
		lines, err := Parse(code)
		status, _ := s.IsComplete(code)
		switch status {
		case "complete", "incomplete", "invalid":
		default:
			t.Fatalf("IsComplete(%q) = %q", code, status)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 {
				t.Fatalf("Parse(%q): error %v is not an *Error naming a line", code, err)
			}
			if status == "complete" {
				t.Fatalf("IsComplete(%q) = complete, but Parse fails: %v", code, err)
			}
			return
		}
		n := strings.Count(strings.ReplaceAll(code, "\r\n", "\n"), "\n") + 1
		prev := 0
		for i, l := range lines {
			if l.No <= prev || l.No > n {
				t.Fatalf("Parse(%q): line %d numbered %d (previous %d, %d lines)", code, i, l.No, prev, n)
			}
			prev = l.No
			r, _ := utf8.DecodeRuneInString(l.Name)
			if l.Name == "" && !l.Help || l.Name != "" && !unicode.IsLetter(r) {
				t.Fatalf("Parse(%q): command name %q", code, l.Name)
			}
			if l.Cell && i != len(lines)-1 {
				t.Fatalf("Parse(%q): a cell magic is not the last command", code)
			}
			if !strings.HasPrefix(l.Raw, "%") {
				t.Fatalf("Parse(%q): raw text %q does not start with %%", code, l.Raw)
			}
		}
	})
}

// quote quotes a word so that Tokenize gives it back.
func quote(w string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
}

// FuzzTokenize checks that Tokenize never panics and that its words,
// quoted and joined, tokenize to the same words: nothing is lost or
// expanded.
func FuzzTokenize(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Add(`a\"b 'c d' "e\\f" $(x) *.csv ~/x`)
	f.Fuzz(func(t *testing.T, s string) {
		toks, err := Tokenize(s)
		if err != nil {
			return
		}
		q := make([]string, len(toks))
		for i, w := range toks {
			q[i] = quote(w)
		}
		again, err := Tokenize(strings.Join(q, " "))
		if err != nil {
			t.Fatalf("re-tokenizing the quoted words of %q: %v", s, err)
		}
		if strings.Join(again, "\x00") != strings.Join(toks, "\x00") || len(again) != len(toks) {
			t.Fatalf("Tokenize(%q) = %q, quoted and again %q", s, toks, again)
		}
	})
}

// FuzzComplete checks completion and inspection, which frontends call on
// every keystroke, at any cursor position of any text (outside the text
// too): no panic, and the span to replace lies within the text.
func FuzzComplete(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s, len(s))
	}
	f.Add("%simulate two_moons --n", 23)
	f.Add("%load --format=c", 16)
	f.Add("%plot corner --param a,", 100)
	f.Add("%sample --obs ", -3)
	f.Add("%export d x.\u00e9", 12)
	dir := f.TempDir()
	s := NewSession(Options{Dir: dir})
	f.Fuzz(func(t *testing.T, code string, cursor int) {
		matches, start, end := s.Complete(code, cursor)
		n := utf8.RuneCountInString(code)
		if start < 0 || end < start || end > n {
			t.Fatalf("Complete(%q, %d) replaces [%d, %d) of %d code points", code, cursor, start, end, n)
		}
		_ = matches
		for detail := 0; detail <= 1; detail++ {
			d, ok := s.Inspect(code, cursor, detail)
			if ok && d.Data["text/plain"] == nil {
				t.Fatalf("Inspect(%q, %d) found help without text/plain", code, cursor)
			}
		}
	})
}

// safeMagics are the commands FuzzExecute runs: quick, with no files
// written and no long computation, whatever their arguments.
var safeMagics = []string{"echo", "help", "who", "show", "derive", "filter", "data", "reset", "clear"}

// FuzzExecute runs one of the quick magics with any arguments, and any
// further lines, on a session holding a small dataset d (columns theta1,
// theta2, x1, x2, a, b): a cell may fail, but never with an InternalError
// (a recovered panic).
func FuzzExecute(f *testing.F) {
	for _, c := range []struct {
		magic uint8
		args  string
	}{
		{3, "d"}, {4, "d c=a+b*2"}, {4, "d 'c=log10(a)/[b]'"}, {6, "d --x a --y b --split 0.5,0.5"},
		{6, "d --x a --y b --noise b=5% --bounded a=0:1"}, {5, "d 'a>0.5 & b<0.2' --as e"}, {7, "d --force"},
		{2, ""}, {1, "derive"}, {0, "x --stderr"}, {4, "d c=((((a"}, {4, "d c=a^^b"}, {3, "d --head -1 --columns a,zz"},
		{6, "d --split 1,0,0"}, {4, "d c=1/0"}, {4, "d c=pow10(1e308)"}, {4, "d c=-a^-b"}, {5, "d a!=a"},
		{6, "d --x a,a --y b"}, {6, "d --x theta1 --y x1,x2 --log x1 --dropna"}, {3, "d --head 99999999999999999999"},
		{4, "d 'c=[theta1'"}, {4, "d [x]=a"}, {5, "d 'a > [b' --as f"}, {7, "model"}, {8, "--wait"},
	} {
		f.Add(c.magic, c.args)
	}
	f.Fuzz(func(t *testing.T, magic uint8, args string) {
		name := safeMagics[int(magic)%len(safeMagics)]
		if name == "reset" && !strings.Contains(args, "--force") && strings.TrimSpace(args) == "" {
			return // would ask for confirmation: no input here
		}
		code := "%" + name + " " + args
		if _, err := Parse(code); err != nil {
			return
		}
		s := NewSession(Options{Dir: t.TempDir()})
		var rec Recorder
		if err := s.Execute(context.Background(), "%simulate two_moons --n 50 --seed 1 --as d --quiet\n%derive d a=theta1 b=x1", &rec); err != nil {
			t.Fatalf("setting up: %v", err)
		}
		err := s.Execute(context.Background(), code, &rec)
		var e *Error
		if errors.As(err, &e) && e.Kind == "InternalError" {
			t.Fatalf("%q: %v", code, err)
		}
	})
}
