package magics

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

func builtinCommands() []*Command {
	return []*Command{
		helpCmd, loadCmd, simulateCmd, deriveCmd, filterCmd, showCmd, dataCmd, modelCmd, trainCmd, sampleCmd, evalCmd, resimulateCmd,
		plotCmd, saveCmd, openCmd, exportCmd, whoCmd, resetCmd, clearCmd, echoCmd, sleepCmd,
	}
}

var helpCmd = &Command{
	Name:  "help",
	Args:  []Arg{{Name: "MAGIC", Usage: "the magic to describe", Optional: true, Complete: CompleteMagic}},
	Short: "list the magics, or show one magic's usage, flags and an example",
	Long: `Without an argument %help lists every magic with a one-line summary.
With a name it prints that magic's usage line, its flags with their defaults,
and an example. %NAME? and Shift-Tab on a magic show the same text.`,
	Example: "%help train",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		if name := strings.TrimLeft(inv.Arg(0), "%"); name != "" {
			cmd, ok := s.reg.Lookup(name)
			if !ok {
				msg := fmt.Sprintf("no magic %%%s", name)
				if n := nearest(name, s.reg.Names()); n != "" {
					msg += fmt.Sprintf(" (did you mean %%%s?)", n)
				}
				return Errorf("UsageError", "run %help for the list", "%s", msg)
			}
			out.Stdout(cmd.Help())
			return nil
		}
		t := &Table{Header: []string{"magic", "what it does"}, Index: true, MaxRows: 1000}
		for _, c := range s.reg.Commands() {
			name := "%" + c.Name
			if c.CellOnly {
				name = "%" + name
			}
			t.Rows = append(t.Rows, []string{name, c.Short})
		}
		t.Note = "%help NAME shows a magic's flags and an example; Tab completes names, flags, datasets, columns and paths"
		out.Display(t.Display())
		return nil
	},
}

var echoCmd = &Command{
	Name: "echo",
	Args: []Arg{{Name: "TEXT", Usage: "the text to print (quote it to keep spaces)", Optional: true, Variadic: true}},
	Flags: []Flag{
		{Name: "stderr", Kind: Bool, Usage: "write to the error stream instead of the output"},
		{Name: "result", Kind: Bool, Usage: "show the text as the cell's result (execute_result) instead"},
	},
	Short:   "print a line of text (notes in a notebook, tests of the kernel)",
	Example: `%echo "hello, world"`,
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		text := strings.Join(inv.Args, " ") + "\n"
		if inv.Bool("result") {
			out.Result(Text(strings.TrimSuffix(text, "\n")))
			return nil
		}
		if inv.Bool("stderr") {
			out.Stderr(text)
		} else {
			out.Stdout(text)
		}
		return nil
	},
}

var sleepCmd = &Command{
	Name:    "sleep",
	Args:    []Arg{{Name: "SECONDS", Usage: "how long to wait (fractions allowed)"}},
	Short:   "wait; the interrupt button stops the wait (pauses in demonstrations, tests of the kernel)",
	Example: "%sleep 1.5",
	Run: func(ctx context.Context, s *Session, inv *Invocation, out Output) error {
		sec, err := strconv.ParseFloat(inv.Arg(0), 64)
		if err != nil || sec < 0 || sec > 1e6 || math.IsNaN(sec) {
			return Errorf("UsageError", "usage: "+inv.Cmd.UsageLine(), "SECONDS must be a number between 0 and 1e6, not %q", inv.Arg(0))
		}
		t := time.NewTimer(time.Duration(sec * float64(time.Second)))
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	},
}
