package magics

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind is the type of a flag's value.
type Kind int

const (
	String Kind = iota // any text
	Int                // a whole number
	Float              // a real number
	Bool               // present or absent; --flag=false also accepted
	List               // comma-separated words
)

// Complete says what a flag or argument value completes to.
type Complete int

const (
	CompleteNone          Complete = iota
	CompleteFile                   // a file path
	CompleteDataset                // a dataset name of the session
	CompleteColumns                // column names (comma-separated)
	CompleteSimulator              // a simulator name
	CompleteChoice                 // one of the flag's Choices
	CompleteMagic                  // a magic's name
	CompleteDatasetOrFile          // a dataset name or a file path
)

// Flag declares one --name option of a command. The same declaration
// drives parsing, %help, inspection and tab completion.
type Flag struct {
	Name     string
	Kind     Kind
	Default  string   // shown in help; "" means no default
	Usage    string   // one line
	Meta     string   // placeholder in the usage line, e.g. N or PATH
	Choices  []string // for CompleteChoice, also validated
	Complete Complete
}

// Arg declares one positional argument.
type Arg struct {
	Name     string // placeholder in the usage line, e.g. PATH
	Usage    string
	Optional bool
	Variadic bool // the last argument may take any number of words
	Complete Complete
	Choices  []string
}

// Command is one magic: its definition (name, arguments, flags, help) and
// what it does. Commands are data: %help, inspection and completion are
// generated from the same value that parses the arguments.
type Command struct {
	Name    string
	Args    []Arg
	Flags   []Flag
	Short   string // one line for the %help list
	Long    string // paragraphs for %help NAME
	Example string // one or more example lines
	Cell    string // if non-empty the command also has a %% cell form; this describes the body
	// CellOnly marks commands that need a body.
	CellOnly bool
	Run      func(ctx context.Context, s *Session, inv *Invocation, out Output) error
}

// UsageLine is the one-line synopsis, e.g.
// "%load PATH [--as NAME] [--format csv|ascii]".
func (c *Command) UsageLine() string {
	var b strings.Builder
	b.WriteString("%")
	if c.CellOnly {
		b.WriteString("%")
	}
	b.WriteString(c.Name)
	for _, a := range c.Args {
		name := a.Name
		if a.Variadic {
			name += "..."
		}
		if a.Optional {
			fmt.Fprintf(&b, " [%s]", name)
		} else {
			fmt.Fprintf(&b, " %s", name)
		}
	}
	for _, f := range c.Flags {
		fmt.Fprintf(&b, " [--%s", f.Name)
		if f.Kind != Bool {
			fmt.Fprintf(&b, " %s", f.meta())
		}
		b.WriteString("]")
	}
	return b.String()
}

func (f *Flag) meta() string {
	if len(f.Choices) > 0 {
		return strings.Join(f.Choices, "|")
	}
	if f.Meta != "" {
		return f.Meta
	}
	switch f.Kind {
	case Int:
		return "N"
	case Float:
		return "X"
	case List:
		return "A,B,..."
	}
	return strings.ToUpper(f.Name)
}

// Help is the full help text of the command, as %help NAME prints it.
func (c *Command) Help() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", c.UsageLine())
	if c.Short != "" {
		fmt.Fprintf(&b, "%s\n", c.Short)
	}
	if c.Long != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.Long))
	}
	if len(c.Args) > 0 {
		b.WriteString("\nArguments:\n")
		for _, a := range c.Args {
			fmt.Fprintf(&b, "  %-22s %s\n", a.Name, a.Usage)
		}
	}
	if len(c.Flags) > 0 {
		b.WriteString("\nFlags:\n")
		for _, f := range c.Flags {
			name := "--" + f.Name
			if f.Kind != Bool {
				name += " " + f.meta()
			}
			line := f.Usage
			if f.Default != "" {
				line += " (default " + f.Default + ")"
			}
			fmt.Fprintf(&b, "  %-22s %s\n", name, line)
		}
	}
	if c.Cell != "" {
		fmt.Fprintf(&b, "\nCell form:\n  %%%%%s\n  %s\n", c.Name, strings.ReplaceAll(strings.TrimSpace(c.Cell), "\n", "\n  "))
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "\nExample:\n  %s\n", strings.ReplaceAll(strings.TrimSpace(c.Example), "\n", "\n  "))
	}
	return b.String()
}

func (c *Command) flag(name string) *Flag {
	for i := range c.Flags {
		if c.Flags[i].Name == name {
			return &c.Flags[i]
		}
	}
	return nil
}

// Invocation is a parsed call of a command: its positional arguments,
// the flags given, and the body of a cell magic.
type Invocation struct {
	Cmd     *Command
	Line    int // line number in the cell
	Args    []string
	Body    string
	HasBody bool
	set     map[string]string
}

// parseArgs matches tokens against the command's declaration.
func (c *Command) parseArgs(toks []string) (*Invocation, error) {
	inv := &Invocation{Cmd: c, set: map[string]string{}}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t == "--" {
			inv.Args = append(inv.Args, toks[i+1:]...)
			break
		}
		if !strings.HasPrefix(t, "--") || len(t) == 2 {
			if strings.HasPrefix(t, "-") && len(t) > 1 && !isNumber(t) {
				return nil, c.usageErr("unknown option %q: flags are written --name", t)
			}
			inv.Args = append(inv.Args, t)
			continue
		}
		name, val, hasVal := strings.Cut(t[2:], "=")
		f := c.flag(name)
		if f == nil {
			names := make([]string, len(c.Flags))
			for j, f := range c.Flags {
				names[j] = f.Name
			}
			msg := fmt.Sprintf("unknown flag --%s", name)
			if s := nearest(name, names); s != "" {
				msg += fmt.Sprintf(" (did you mean --%s?)", s)
			}
			return nil, c.usageErr("%s", msg)
		}
		if f.Kind == Bool {
			if !hasVal {
				val = "true"
			}
			if _, err := strconv.ParseBool(val); err != nil {
				return nil, c.usageErr("--%s takes true or false, not %q", name, val)
			}
		} else if !hasVal {
			if i+1 >= len(toks) {
				return nil, c.usageErr("--%s needs a value (%s)", name, f.meta())
			}
			i++
			val = toks[i]
		}
		if err := f.check(val); err != nil {
			return nil, c.usageErr("%v", err)
		}
		inv.set[name] = val
	}
	required := 0
	for _, a := range c.Args {
		if !a.Optional {
			required++
		}
	}
	if len(inv.Args) < required {
		return nil, c.usageErr("missing %s", c.Args[len(inv.Args)].Name)
	}
	if n := len(c.Args); n > 0 && c.Args[n-1].Variadic && len(inv.Args) >= n {
		return inv, nil
	}
	if len(inv.Args) > len(c.Args) {
		return nil, c.usageErr("unexpected argument %q", inv.Args[len(c.Args)])
	}
	for i, a := range inv.Args {
		if ch := c.Args[i].Choices; len(ch) > 0 && !contains(ch, a) {
			msg := fmt.Sprintf("%s must be one of %s, not %q", c.Args[i].Name, strings.Join(ch, ", "), a)
			if s := nearest(a, ch); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			return nil, c.usageErr("%s", msg)
		}
	}
	return inv, nil
}

func (f *Flag) check(val string) error {
	switch f.Kind {
	case Int:
		if _, err := strconv.Atoi(val); err != nil {
			return fmt.Errorf("--%s needs a whole number, not %q", f.Name, val)
		}
	case Float:
		if _, err := strconv.ParseFloat(val, 64); err != nil {
			return fmt.Errorf("--%s needs a number, not %q", f.Name, val)
		}
	}
	if len(f.Choices) > 0 && !contains(f.Choices, val) {
		msg := fmt.Sprintf("--%s must be one of %s, not %q", f.Name, strings.Join(f.Choices, ", "), val)
		if s := nearest(val, f.Choices); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return fmt.Errorf("%s", msg)
	}
	return nil
}

func (c *Command) usageErr(format string, a ...any) error {
	return &Error{Kind: "UsageError", Command: c.Name, Msg: fmt.Sprintf(format, a...), Hint: "usage: " + c.UsageLine()}
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Has reports whether the flag was given.
func (inv *Invocation) Has(name string) bool {
	inv.mustFlag(name)
	_, ok := inv.set[name]
	return ok
}

func (inv *Invocation) mustFlag(name string) *Flag {
	f := inv.Cmd.flag(name)
	if f == nil {
		panic(fmt.Sprintf("magics: command %%%s has no flag --%s", inv.Cmd.Name, name))
	}
	return f
}

func (inv *Invocation) raw(name string) string {
	f := inv.mustFlag(name)
	if v, ok := inv.set[name]; ok {
		return v
	}
	return f.Default
}

// String returns the flag's value or its default.
func (inv *Invocation) String(name string) string { return inv.raw(name) }

// Int returns the flag's value or its default (0 when there is none).
// Values were validated when the line was parsed.
func (inv *Invocation) Int(name string) int {
	v := inv.raw(name)
	if v == "" {
		return 0
	}
	n, _ := strconv.Atoi(v)
	return n
}

// Float returns the flag's value or its default (0 when there is none).
func (inv *Invocation) Float(name string) float64 {
	v := inv.raw(name)
	if v == "" {
		return 0
	}
	x, _ := strconv.ParseFloat(v, 64)
	return x
}

// Bool reports the flag's value.
func (inv *Invocation) Bool(name string) bool {
	v := inv.raw(name)
	b, _ := strconv.ParseBool(v)
	return b
}

// List returns a comma-separated flag as words, blanks dropped.
func (inv *Invocation) List(name string) []string {
	return SplitList(inv.raw(name))
}

// Arg returns positional argument i, or "" when absent.
func (inv *Invocation) Arg(i int) string {
	if i < len(inv.Args) {
		return inv.Args[i]
	}
	return ""
}

// Set overrides a flag value, as a %%cell body of key: value lines does.
func (inv *Invocation) Set(name, val string) error {
	f := inv.Cmd.flag(name)
	if f == nil {
		names := make([]string, len(inv.Cmd.Flags))
		for j, f := range inv.Cmd.Flags {
			names[j] = f.Name
		}
		msg := fmt.Sprintf("unknown key %q", name)
		if s := nearest(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return inv.Cmd.usageErr("%s", msg)
	}
	if err := f.check(val); err != nil {
		return inv.Cmd.usageErr("%v", err)
	}
	inv.set[name] = val
	return nil
}

// SplitList splits comma-separated words, trimming blanks.
func SplitList(s string) []string {
	var out []string
	for _, w := range strings.Split(s, ",") {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// Registry is an ordered set of commands. Register panics on a duplicate
// name, as database/sql.Register does.
type Registry struct {
	byName map[string]*Command
	order  []*Command
}

// Register adds commands to the registry.
func (r *Registry) Register(cmds ...*Command) {
	if r.byName == nil {
		r.byName = map[string]*Command{}
	}
	for _, c := range cmds {
		if _, dup := r.byName[c.Name]; dup {
			panic("magics: command %" + c.Name + " registered twice")
		}
		if c.Run == nil {
			panic("magics: command %" + c.Name + " has no Run")
		}
		r.byName[c.Name] = c
		r.order = append(r.order, c)
	}
}

// Lookup finds a command by name.
func (r *Registry) Lookup(name string) (*Command, bool) {
	c, ok := r.byName[name]
	return c, ok
}

// Commands lists the commands in registration order.
func (r *Registry) Commands() []*Command { return r.order }

// Names lists the command names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.order))
	for _, c := range r.order {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return names
}
