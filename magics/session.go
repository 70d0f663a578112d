package magics

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/gocinn/gocinn/cinn"
)

// Session runs cells of magic commands and holds what they make: tables,
// the model, posterior samples. One Session serves one kernel; Execute runs
// one cell at a time, while Complete, Inspect and IsComplete may run
// concurrently with it.
type Session struct {
	reg *Registry
	// Dir is the directory relative paths are resolved against.
	Dir string

	mu         sync.RWMutex // guards the completion sources below
	completers map[Complete]func(s *Session, context []string) []string

	state // the session's data, model and results (state.go)
}

// Options configures a new Session.
type Options struct {
	// Dir is the working directory for relative paths; "" means the
	// process's working directory.
	Dir string
}

// NewSession returns a session with every built-in command registered.
func NewSession(opts Options) *Session {
	s := &Session{reg: &Registry{}, Dir: opts.Dir, completers: map[Complete]func(*Session, []string) []string{}}
	if s.Dir == "" {
		if wd, err := os.Getwd(); err == nil {
			s.Dir = wd
		}
	}
	s.reg.Register(builtinCommands()...)
	s.initState()
	return s
}

// Registry is the session's command list.
func (s *Session) Registry() *Registry { return s.reg }

// Path resolves a user-given path against the session directory. Nothing is
// expanded except a leading ~/ for the home directory.
func (s *Session) Path(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	if filepath.IsAbs(p) || s.Dir == "" {
		return p
	}
	return filepath.Join(s.Dir, p)
}

// Execute runs a cell. The first failing command stops the cell; its error
// is an *Error naming the line, or the context's error when the cell was
// interrupted. A panic in a command is recovered and reported as an
// InternalError: the session and its data survive.
func (s *Session) Execute(ctx context.Context, code string, out Output) error {
	lines, err := Parse(code)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.run(ctx, l, out); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) run(ctx context.Context, l Line, out Output) (err error) {
	cmd, ok := s.reg.Lookup(l.Name)
	if !ok {
		msg := fmt.Sprintf("unknown magic %%%s", l.Name)
		if n := nearest(l.Name, s.reg.Names()); n != "" {
			msg += fmt.Sprintf(" (did you mean %%%s?)", n)
		}
		return &Error{Kind: "UsageError", Line: l.No, Msg: msg, Hint: "run %help for the list of magics"}
	}
	if l.Help {
		out.Page(Text(cmd.Help()))
		return nil
	}
	if l.Cell && cmd.Cell == "" && !cmd.CellOnly {
		return &Error{Kind: "UsageError", Line: l.No, Command: cmd.Name, Msg: "has no %% cell form", Hint: "usage: " + cmd.UsageLine()}
	}
	if !l.Cell && cmd.CellOnly {
		return &Error{Kind: "UsageError", Line: l.No, Command: cmd.Name, Msg: "needs a cell body: write it as %%" + cmd.Name, Hint: "usage: " + cmd.UsageLine()}
	}
	inv, err := cmd.parseArgs(l.Args)
	if err != nil {
		return s.annotate(err, l, cmd)
	}
	inv.Line = l.No
	inv.Body, inv.HasBody = l.Body, l.Cell
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Kind: "InternalError", Line: l.No, Command: cmd.Name,
				Msg:  fmt.Sprintf("%v", r),
				Hint: "this is a bug in gocinn; the session's data and model are unchanged. Stack:\n" + string(debug.Stack())}
		}
	}()
	if err := cmd.Run(ctx, s, inv, out); err != nil {
		var e *Error
		if ctx.Err() != nil && !errors.As(err, &e) {
			return err // an interrupt: the kernel reports KeyboardInterrupt
		}
		return s.annotate(err, l, cmd)
	}
	return nil
}

func (s *Session) annotate(err error, l Line, cmd *Command) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Line == 0 {
			e.Line = l.No
		}
		if e.Command == "" {
			e.Command = cmd.Name
		}
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &Error{Kind: "Error", Line: l.No, Command: cmd.Name, Msg: err.Error(), Err: err}
}

// IsComplete reports whether a cell is ready to run: "incomplete" when
// it ends with a line continuation, "invalid" when a line is not a
// magic, else "complete" (a %% body is always complete).
func (s *Session) IsComplete(code string) (status, indent string) {
	_, err := Parse(code)
	// A continuation is a final backslash, at most one newline after it (a
	// blank line ends the cell). A cell that does not parse yet is still
	// incomplete while the cursor sits right after its backslash.
	continued := strings.HasSuffix(strings.TrimRight(code, " \t\r\n"), "\\") && !strings.HasSuffix(code, "\n\n")
	switch {
	case continued && (err == nil || strings.HasSuffix(strings.TrimRight(code, " \t"), "\\")):
		return "incomplete", ""
	case err != nil:
		return "invalid", ""
	}
	return "complete", ""
}

// Inspect returns the help of the magic under the cursor: its usage line
// and summary at detail 0, the full help at detail 1 or more.
func (s *Session) Inspect(code string, cursor, detail int) (Display, bool) {
	line, _, _ := currentLine(code, cursor)
	toks := strings.Fields(line)
	if len(toks) == 0 {
		return Display{}, false
	}
	name := strings.TrimLeft(strings.TrimLeft(toks[0], "?"), "%")
	name = strings.TrimRight(name, "?")
	cmd, ok := s.reg.Lookup(name)
	if !ok {
		return Display{}, false
	}
	if detail <= 0 {
		return Text(cmd.UsageLine() + "\n\n" + cmd.Short), true
	}
	return Text(cmd.Help()), true
}

// Complete returns completions for the word at the cursor (counted in
// Unicode code points) and the span [start, end) they replace.
func (s *Session) Complete(code string, cursor int) (matches []string, start, end int) {
	line, lineStart, col := currentLine(code, cursor)
	rs := []rune(line)
	ws := col
	for ws > 0 && !isSpace(rs[ws-1]) {
		ws--
	}
	we := col
	for we < len(rs) && !isSpace(rs[we]) {
		we++
	}
	word := string(rs[ws:col])
	start, end = lineStart+ws, lineStart+we
	before := strings.Fields(string(rs[:ws]))
	trimmed := strings.TrimLeft(string(rs), " \t")

	// The command name.
	if len(before) == 0 {
		if !strings.HasPrefix(word, "%") && word != "" {
			return nil, start, end
		}
		prefix := "%"
		if strings.HasPrefix(word, "%%") {
			prefix = "%%"
		}
		for _, c := range s.reg.Commands() {
			if prefix == "%%" && c.Cell == "" && !c.CellOnly {
				continue
			}
			if strings.HasPrefix(prefix+c.Name, word) {
				matches = append(matches, prefix+c.Name)
			}
		}
		sort.Strings(matches)
		return matches, start, end
	}
	if !strings.HasPrefix(trimmed, "%") {
		return nil, start, end
	}
	cmd, ok := s.reg.Lookup(strings.TrimLeft(before[0], "%"))
	if !ok {
		return nil, start, end
	}
	// A flag name.
	if strings.HasPrefix(word, "--") && !strings.Contains(word, "=") {
		for _, f := range cmd.Flags {
			if strings.HasPrefix("--"+f.Name, word) {
				matches = append(matches, "--"+f.Name)
			}
		}
		return matches, start, end
	}
	// A flag's value (--flag VALUE or --flag=VALUE) or a positional argument.
	var kind Complete
	var choices []string
	valueStart := ws
	if strings.HasPrefix(word, "--") {
		name, _, _ := strings.Cut(word[2:], "=")
		if f := cmd.flag(name); f != nil {
			kind, choices = f.Complete, f.Choices
			valueStart = ws + len([]rune(name)) + 3
		}
	} else if prev := before[len(before)-1]; strings.HasPrefix(prev, "--") && !strings.Contains(prev, "=") {
		if f := cmd.flag(prev[2:]); f != nil && f.Kind != Bool {
			kind, choices = f.Complete, f.Choices
		}
	} else {
		idx := positionalIndex(cmd, before[1:])
		if n := len(cmd.Args); idx >= n && n > 0 && cmd.Args[n-1].Variadic {
			idx = n - 1
		}
		if idx < len(cmd.Args) {
			kind, choices = cmd.Args[idx].Complete, cmd.Args[idx].Choices
		}
	}
	if len(choices) > 0 && kind == CompleteNone {
		kind = CompleteChoice
	}
	value := string(rs[valueStart:col])
	// Lists complete their last element.
	if i := strings.LastIndex(value, ","); i >= 0 && kind == CompleteColumns {
		valueStart += len([]rune(value[:i+1]))
		value = value[i+1:]
	}
	start = lineStart + valueStart
	var cands []string
	switch kind {
	case CompleteChoice:
		cands = choices
	case CompleteFile:
		return s.completeFile(value), start, end
	case CompleteMagic:
		cands = s.reg.Names()
	case CompleteDatasetOrFile:
		s.mu.RLock()
		fn := s.completers[CompleteDataset]
		s.mu.RUnlock()
		if fn != nil {
			for _, c := range fn(s, before) {
				if strings.HasPrefix(c, value) {
					matches = append(matches, c)
				}
			}
		}
		return append(matches, s.completeFile(value)...), start, end
	default:
		s.mu.RLock()
		fn := s.completers[kind]
		s.mu.RUnlock()
		if fn != nil {
			cands = fn(s, before)
		}
	}
	for _, c := range cands {
		if strings.HasPrefix(c, value) {
			matches = append(matches, c)
		}
	}
	return matches, start, end
}

// SetCompleter installs the source of completions of one kind (datasets,
// columns, simulators). fn gets the words of the line before the cursor.
func (s *Session) SetCompleter(kind Complete, fn func(s *Session, words []string) []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.completers[kind] = fn
}

func positionalIndex(cmd *Command, words []string) int {
	n := 0
	for i := 0; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "--") {
			if f := cmd.flag(strings.TrimPrefix(w, "--")); f != nil && f.Kind != Bool && !strings.Contains(w, "=") {
				i++
			}
			continue
		}
		n++
	}
	return n
}

func (s *Session) completeFile(prefix string) []string {
	dir, base := filepath.Split(prefix)
	full := s.Path(dir)
	if dir == "" {
		full = s.Dir
	}
	entries, err := os.ReadDir(full)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		if e.IsDir() {
			name += "/"
		}
		out = append(out, dir+name)
	}
	sort.Strings(out)
	return out
}

// currentLine returns the line of code holding the cursor, the offset (in
// code points) of its start, and the cursor's column in it.
func currentLine(code string, cursor int) (line string, start, col int) {
	rs := []rune(code)
	if cursor > len(rs) || cursor < 0 {
		cursor = len(rs)
	}
	start = cursor
	for start > 0 && rs[start-1] != '\n' {
		start--
	}
	end := cursor
	for end < len(rs) && rs[end] != '\n' {
		end++
	}
	return string(rs[start:end]), start, cursor - start
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' }

// MatrixKernels names the matrix products the network engine runs
// (cinn.BLAS: "sgemm avx512", "sgemm avx2", "sgemm go" or "gonum", with
// the GOCINN_BLAS setting that chose them). Machines with different kernel
// sets train different networks from the same seeds, so it belongs in
// version reports.
func MatrixKernels() string { return cinn.BLAS() }
