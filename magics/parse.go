package magics

import (
	"fmt"
	"strings"
	"unicode"
)

// Line is one magic command of a cell, as Parse found it.
type Line struct {
	No      int      // 1-based line number of the command in the cell
	Name    string   // command name without the % or %% prefix
	Args    []string // tokens after the name, quotes removed
	Cell    bool     // a %%name cell magic
	Body    string   // the body of a cell magic (the rest of the cell)
	Help    bool     // the line asked for help: %name? or ?%name
	Raw     string   // the source text of the command line
	lastPos int      // offset in the cell just after the command line
}

// Parse splits a cell into magic commands. Blank lines and lines starting
// with # are skipped; a line ending in a backslash continues on the next
// line; a line starting with %% makes the rest of the cell its body. Any
// other line is an error that names the line.
func Parse(code string) ([]Line, error) {
	var out []Line
	lines := strings.Split(strings.ReplaceAll(code, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		no := i + 1
		text := strings.TrimSpace(lines[i])
		for strings.HasSuffix(text, "\\") && i+1 < len(lines) {
			i++
			text = strings.TrimSpace(strings.TrimSuffix(text, "\\")) + " " + strings.TrimSpace(lines[i])
		}
		text = strings.TrimSpace(strings.TrimSuffix(text, "\\"))
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		help := false
		if strings.HasPrefix(text, "?") {
			help = true
			text = strings.TrimSpace(text[1:])
		}
		if !strings.HasPrefix(text, "%") {
			return nil, &Error{Line: no, Kind: "SyntaxError", Msg: fmt.Sprintf("%q is not a magic command", abbreviate(text, 40)),
				Hint: "every line of a gocinn cell is a magic such as %load or %train; run %help for the list"}
		}
		l := Line{No: no, Raw: text, Help: help}
		if strings.HasPrefix(text, "%%") {
			l.Cell = true
			text = text[2:]
		} else {
			text = text[1:]
		}
		toks, err := Tokenize(text)
		if err != nil {
			return nil, &Error{Line: no, Kind: "SyntaxError", Msg: err.Error()}
		}
		if len(toks) == 0 || toks[0] == "" || !unicode.IsLetter([]rune(toks[0])[0]) {
			return nil, &Error{Line: no, Kind: "SyntaxError", Msg: "a % must be followed by a command name", Hint: "run %help for the list"}
		}
		name := toks[0]
		if strings.HasSuffix(name, "?") {
			l.Help = true
			name = strings.TrimRight(name, "?")
		}
		l.Name = name
		l.Args = toks[1:]
		if l.Cell {
			l.Body = strings.Join(lines[i+1:], "\n")
			out = append(out, l)
			return out, nil
		}
		out = append(out, l)
	}
	return out, nil
}

// Tokenize splits a command line into words. Words are separated by
// white space; single quotes keep everything literally; double quotes keep
// white space and allow \" and \\ escapes. Nothing is expanded: no globs,
// no variables, no shell.
func Tokenize(s string) ([]string, error) {
	var toks []string
	var cur strings.Builder
	inWord := false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			if inWord {
				toks = append(toks, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '\'':
			inWord = true
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j == len(rs) {
				return nil, fmt.Errorf("unterminated single quote in %q", s)
			}
			cur.WriteString(string(rs[i+1 : j]))
			i = j
		case r == '"':
			inWord = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && (rs[j+1] == '"' || rs[j+1] == '\\') {
					j++
				}
				cur.WriteRune(rs[j])
			}
			if j == len(rs) {
				return nil, fmt.Errorf("unterminated double quote in %q", s)
			}
			i = j
		default:
			inWord = true
			cur.WriteRune(r)
		}
	}
	if inWord {
		toks = append(toks, cur.String())
	}
	return toks, nil
}

func abbreviate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
