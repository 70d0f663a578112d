// Command gocinn is a Jupyter kernel that brings conditional invertible
// neural networks (cINNs) into notebooks for astrophysical inverse problems.
//
// Usage:
//
//	gocinn <command> [arguments]
//
// The commands are:
//
//	kernel     run the kernel (what Jupyter starts through kernel.json)
//	install    install the Jupyter kernelspec
//	uninstall  remove the Jupyter kernelspec
//	sample     sample posteriors for one shard of a catalogue (cluster batch jobs)
//	merge      check the shards of a sample run and merge their summaries
//	version    print the version
//	help       print help for a command
//
// Run "gocinn help <command>" for the flags of a command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/gocinn/gocinn/magics"
)

// version is gocinn's version, reported by "gocinn version" and in
// kernel_info_reply.
const version = "0.1.0"

// A command is one subcommand of gocinn, in the style of cmd/go's
// base.Command: the usage, the help and the flags come from this one value.
type command struct {
	// UsageLine is the one-line usage; its first word is the command's name.
	UsageLine string
	// Short is the one-line description shown by "gocinn help".
	Short string
	// Long is the text shown by "gocinn help <name>".
	Long string
	// Flag holds the command's flags; Run sees them parsed.
	Flag *flag.FlagSet
	// Run runs the command with the arguments left after the flags. It
	// returns a usageError for bad arguments.
	Run func(ctx context.Context, cmd *command, args []string, stdout, stderr io.Writer) error
}

// Name returns the command's name: the first word of its usage line.
func (c *command) Name() string {
	name, _, _ := strings.Cut(c.UsageLine, " ")
	return name
}

// usageError is an error in the command line: it is reported with the
// command's usage and exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// commands returns gocinn's commands, with fresh flag sets, in the order
// "gocinn help" shows them. A new command goes here.
func commands() []*command {
	var cmds []*command
	cmds = []*command{
		cmdKernel(),
		cmdInstall(),
		cmdUninstall(),
		cmdSample(),
		cmdMerge(),
		cmdVersion(),
		cmdHelp(func() []*command { return cmds }),
	}
	return cmds
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run runs gocinn with the arguments args (without the program name) and
// returns the exit status: 0 on success, 1 when the command failed and 2 for
// a bad command line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 {
		usage(stderr, cmds)
		return 2
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		usage(stdout, cmds)
		return 0
	}
	cmd := lookup(cmds, name)
	if cmd == nil {
		fmt.Fprintf(stderr, "gocinn: unknown command %q\n", name)
		usage(stderr, cmds)
		return 2
	}
	if cmd.Flag == nil {
		cmd.Flag = flag.NewFlagSet(cmd.Name(), flag.ContinueOnError)
	}
	cmd.Flag.SetOutput(io.Discard)
	if err := cmd.Flag.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandHelp(stdout, cmd)
			return 0
		}
		fmt.Fprintf(stderr, "gocinn %s: %v\n", cmd.Name(), err)
		commandUsage(stderr, cmd)
		return 2
	}
	err := cmd.Run(ctx, cmd, cmd.Flag.Args(), stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "gocinn %s: %v\n", cmd.Name(), err)
		commandUsage(stderr, cmd)
		return 2
	default:
		fmt.Fprintf(stderr, "gocinn %s: %v\n", cmd.Name(), err)
		return 1
	}
}

func lookup(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// usage prints the list of commands.
func usage(w io.Writer, cmds []*command) {
	fmt.Fprintf(w, "gocinn is a Jupyter kernel for conditional invertible neural networks.\n\n")
	fmt.Fprintf(w, "Usage:\n\n\tgocinn <command> [arguments]\n\nThe commands are:\n\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%-10s %s\n", c.Name(), c.Short)
	}
	fmt.Fprintf(w, "\nRun \"gocinn help <command>\" for more about a command.\n")
}

// commandUsage prints a command's usage line and flags.
func commandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: gocinn %s\n", c.UsageLine)
	if c.Flag != nil && hasFlags(c.Flag) {
		fmt.Fprintf(w, "\nFlags:\n")
		c.Flag.SetOutput(w)
		c.Flag.PrintDefaults()
		c.Flag.SetOutput(io.Discard)
	}
}

// commandHelp prints a command's usage, its long description and its flags.
func commandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: gocinn %s\n\n%s\n", c.UsageLine, strings.TrimSpace(c.Long))
	if c.Flag != nil && hasFlags(c.Flag) {
		fmt.Fprintf(w, "\nFlags:\n")
		c.Flag.SetOutput(w)
		c.Flag.PrintDefaults()
		c.Flag.SetOutput(io.Discard)
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func cmdVersion() *command {
	return &command{
		UsageLine: "version",
		Short:     "print the version",
		Long: "Version prints gocinn's version, the Go release it was built with and the\n" +
			"matrix kernels the network engine runs (set by GOCINN_BLAS: avx512, avx2,\n" +
			"go or gonum; machines with different kernels train different networks\n" +
			"from the same seeds).",
		Run: func(_ context.Context, _ *command, args []string, stdout, _ io.Writer) error {
			if len(args) > 0 {
				return usageError{"version takes no arguments"}
			}
			fmt.Fprintf(stdout, "gocinn %s (%s, matrix kernels %s)\n", version, runtime.Version(), magics.MatrixKernels())
			return nil
		},
	}
}

// cmdHelp returns the help command; list returns the commands it describes.
func cmdHelp(list func() []*command) *command {
	return &command{
		UsageLine: "help [command]",
		Short:     "print help for a command",
		Long:      "Help prints the list of commands, or the help of one command.",
		Run: func(_ context.Context, _ *command, args []string, stdout, _ io.Writer) error {
			switch len(args) {
			case 0:
				usage(stdout, list())
				return nil
			case 1:
				c := lookup(list(), args[0])
				if c == nil {
					return usageError{fmt.Sprintf("unknown command %q; run \"gocinn help\" for the list", args[0])}
				}
				commandHelp(stdout, c)
				return nil
			}
			return usageError{"help takes at most one command"}
		},
	}
}
