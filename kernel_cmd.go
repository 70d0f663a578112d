package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/gocinn/gocinn/kernel"

	"github.com/gocinn/gocinn/internal/bridge"
	"github.com/gocinn/gocinn/magics"
)

// newExecutor returns the executor that runs the cells: the one place that
// chooses it.
func newExecutor() kernel.Executor { return bridge.New(magics.Options{}) }

// kernelOptions returns what kernel_info_reply tells frontends about gocinn.
func kernelOptions(logger *slog.Logger) kernel.Options {
	return kernel.Options{
		Logger:                logger,
		Implementation:        "gocinn",
		ImplementationVersion: version,
		LanguageInfo: kernel.LanguageInfo{
			Name:          "gocinn",
			Version:       version,
			MIMEType:      "text/x-gocinn",
			FileExtension: ".gocinn",
			PygmentsLexer: "text",
		},
		Banner: fmt.Sprintf("gocinn %s (%s, matrix kernels %s): conditional invertible neural networks for astrophysical inverse problems.\n"+
			"Lines starting with %% are commands.", version, runtime.Version(), magics.MatrixKernels()),
		HelpLinks: []kernel.HelpLink{
			{Text: "gocinn", URL: "https://github.com/gocinn/gocinn"},
			{Text: "FrEIA (invertible networks in PyTorch)", URL: "https://github.com/vislearn/FrEIA"},
			{Text: "Ksoll et al. 2020, MNRAS 499, 5447", URL: "https://ui.adsabs.harvard.edu/abs/2020MNRAS.499.5447K"},
			{Text: "Kang et al. 2022, MNRAS 512, 617", URL: "https://ui.adsabs.harvard.edu/abs/2022MNRAS.512..617K"},
		},
	}
}

func cmdKernel() *command {
	c := &command{
		UsageLine: "kernel --connection-file FILE [--log-level LEVEL]",
		Short:     "run the kernel (what Jupyter starts through kernel.json)",
		Long: `
Kernel serves one Jupyter session over the sockets that the connection file
(written by the frontend) describes, until the frontend sends a
shutdown_request. It logs to standard error.

SIGINT interrupts the running cell, as an interrupt_request does; SIGTERM
stops the kernel, and so does the exit of the process that started it.
`,
		Flag: flag.NewFlagSet("kernel", flag.ContinueOnError),
	}
	connFile := c.Flag.String("connection-file", "", "the connection `FILE` written by the frontend")
	level := c.Flag.String("log-level", "info", "least severe log messages to print: debug, info, warn or error")
	c.Run = func(ctx context.Context, _ *command, args []string, _, stderr io.Writer) error {
		if len(args) > 0 {
			return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
		}
		if *connFile == "" {
			return usageError{"--connection-file is required"}
		}
		var lvl slog.Level
		if err := lvl.UnmarshalText([]byte(*level)); err != nil {
			return usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", *level)}
		}
		logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
		return serveKernel(ctx, *connFile, logger)
	}
	return c
}

// serveKernel runs the kernel of connFile until shutdown_request or SIGTERM.
func serveKernel(ctx context.Context, connFile string, logger *slog.Logger) error {
	conn, err := kernel.ReadConnectionFile(connFile)
	if err != nil {
		return err
	}
	k, err := kernel.New(conn, newExecutor(), kernelOptions(logger))
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == os.Interrupt {
					k.Interrupt(errors.New("interrupted by SIGINT"))
					continue
				}
				logger.Info("stopping on signal", "signal", s.String())
				cancel(errTerminated)
				return
			case <-ctx.Done():
				return
			}
		}
	}()

	go watchParent(ctx, cancel, logger)

	err = k.Serve(ctx)
	if c := context.Cause(ctx); errors.Is(c, errTerminated) || errors.Is(c, errOrphaned) {
		return nil // ordinary ways for a kernel to stop
	}
	return err
}

var (
	errTerminated = errors.New("terminated by SIGTERM")
	errOrphaned   = errors.New("the frontend that started the kernel exited")
)

// parentPollInterval is how often watchParent looks at the parent process.
const parentPollInterval = time.Second

// watchParent stops the kernel when the process that started it exits
// without shutting it down (a frontend killed with SIGKILL, say), as
// ipykernel's parent poller does, so that no orphaned kernel is left
// holding its ports. An orphan is reparented, so its parent id changes.
func watchParent(ctx context.Context, cancel context.CancelCauseFunc, logger *slog.Logger) {
	parent := os.Getppid()
	if runtime.GOOS == "windows" || parent <= 1 {
		return // no reparenting to watch for
	}
	t := time.NewTicker(parentPollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != parent {
				logger.Warn("parent process exited; stopping the kernel", "parent_pid", parent)
				cancel(errOrphaned)
				return
			}
		}
	}
}
