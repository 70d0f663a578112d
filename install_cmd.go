package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/gocinn/gocinn/install"
)

// locationFlags adds the flags that choose a kernelspec directory, shared by
// install and uninstall, to fs and returns the options they fill.
func locationFlags(fs *flag.FlagSet) *install.Options {
	o := new(install.Options)
	fs.BoolVar(&o.User, "user", false, "use the user's Jupyter data directory (the default; JUPYTER_DATA_DIR if set)")
	fs.BoolVar(&o.SysPrefix, "sys-prefix", false, "use the active Python environment: $VIRTUAL_ENV, or sys.prefix of python3 in PATH")
	fs.StringVar(&o.Prefix, "prefix", "", "use `DIR`/share/jupyter")
	fs.StringVar(&o.Name, "name", install.DefaultName, "kernel `NAME`: ASCII letters, digits, '.', '_' and '-'")
	return o
}

const locationHelp = `
The kernelspec goes into DATA/kernels/NAME, where DATA is chosen as
jupyter_client chooses it:

	(no flag), --user  $JUPYTER_DATA_DIR if set, else ~/.local/share/jupyter
	                   on Linux, ~/Library/Jupyter on macOS, %APPDATA%\jupyter
	                   on Windows
	--sys-prefix       $VIRTUAL_ENV/share/jupyter, or sys.prefix of the python3
	                   in PATH followed by /share/jupyter
	--prefix DIR       DIR/share/jupyter
`

func cmdInstall() *command {
	c := &command{
		UsageLine: "install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]",
		Short:     "install the Jupyter kernelspec",
		Long: `
Install writes the Jupyter kernelspec that starts this gocinn binary:
kernel.json (the binary's absolute path, "kernel", "--connection-file",
"{connection_file}"; interrupt_mode "message"; language "gocinn") and the
logos. Installing again replaces the files. Afterwards "jupyter kernelspec
list" shows the kernel and frontends offer it by its display name.
` + locationHelp,
		Flag: flag.NewFlagSet("install", flag.ContinueOnError),
	}
	o := locationFlags(c.Flag)
	c.Flag.StringVar(&o.DisplayName, "display-name", install.DefaultDisplayName, "`TEXT` that frontends show for the kernel")
	c.Flag.StringVar(&o.Executable, "executable", "", "`PATH` of the gocinn binary that kernel.json starts (default: this binary)")
	c.Run = func(_ context.Context, _ *command, args []string, stdout, _ io.Writer) error {
		if len(args) > 0 {
			return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
		}
		dir, err := install.Install(*o)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Installed kernelspec %s in %s\n", filepath.Base(dir), dir)
		return nil
	}
	return c
}

func cmdUninstall() *command {
	c := &command{
		UsageLine: "uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]",
		Short:     "remove the Jupyter kernelspec",
		Long: `
Uninstall removes a kernelspec that "gocinn install" wrote, chosen by the same
flags. It refuses to remove a kernelspec of another language.
` + locationHelp,
		Flag: flag.NewFlagSet("uninstall", flag.ContinueOnError),
	}
	o := locationFlags(c.Flag)
	c.Run = func(_ context.Context, _ *command, args []string, stdout, _ io.Writer) error {
		if len(args) > 0 {
			return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
		}
		dir, err := install.Dir(*o)
		if err != nil {
			return err
		}
		if err := install.Uninstall(*o); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Removed kernelspec %s from %s\n", filepath.Base(dir), filepath.Dir(dir))
		return nil
	}
	return c
}
