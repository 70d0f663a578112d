// Package magics is the language of a gocinn notebook cell: magic commands
// that take an astronomer from a table or a simulator to a trained cINN,
// posterior samples, calibration checks, figures and exports.
//
// # Cells
//
// A cell follows IPython's conventions. A line magic is written
//
//	%name ARG --flag value --other=value --switch
//
// and several line magics in one cell run in order. A cell magic
//
//	%%name ARG --flag value
//	body line 1
//	body line 2
//
// takes the rest of the cell as its body. Blank lines and lines starting
// with # are ignored; a line ending in a backslash continues on the next
// one. Words are split on white space; single and double quotes keep
// spaces. Nothing is expanded: there is no shell, no globbing and no
// variable substitution, so a path is only ever a path. %name? shows a
// magic's help in the pager.
//
// The first failing command stops the cell; its *Error names the line, the
// magic, and what to do. Errors never lose the session's data: commands
// build new values and install them only when they succeed, and a panic in
// a command is recovered as an InternalError.
//
// # The workflow
//
// A session holds named datasets (tables), one %data declaration, one
// model, the last posterior samples and the last evaluation (state.go).
// A typical notebook:
//
//	%simulate two_moons --n 20000 --seed 1 --obs 10   # or %load PATH --as NAME
//	%data two_moons --split 0.8,0.1,0.1                # --x PARAMS --y OBSERVABLES
//	%model --blocks 6 --hidden 128 --layers 2
//	%train --epochs 30
//	%sample --obs two_moons_obs --c2st                 # posterior per observation
//	%eval --on test                                    # calibration, RMSE, coverage
//	%plot corner --obs 0 --reference
//	%export posterior_samples samples.npz
//
// The magics, in the order of a workflow:
//
//	%help [MAGIC]        the list, or one magic's usage, flags, defaults, example
//	%load PATH           a table (.csv .tsv .dat .txt .isoc .npy .npz .fits)
//	%simulate TASK       sbibm tasks, PARSEC photometry (parsec_gaia, parsec_hst), HII grid (hii)
//	%derive NAME C=EXPR  derived columns: colours, line ratios, distance moduli
//	%filter NAME COND    keep rows meeting a condition (Plx > 2 & G < 15), or --dropna
//	%show NAME           percentiles per column of a dataset or a split
//	%data NAME           parameters x, observables y, transforms, noise, split
//	%model / %%model     the network (key: value lines in the cell form)
//	%train               live progress in one display, interrupt keeps the best model
//	%sample              posterior samples and summaries (datasets NAME, NAME_samples)
//	%eval                calibration error and its p-value, RMSE of the MAP, u68, coverage, SBC
//	%resimulate          posterior samples back through the simulator
//	%plot KIND           loss corner marginals calibration truth cmd hist2d sbc
//	%save / %open        model files
//	%export NAME PATH    .csv .tsv .npy .npz .fits by extension
//	%who, %reset, %clear, %echo, %sleep
//
// Expressions (%derive, %filter, %plot --x/--y/--color, %resimulate) are
// arithmetic over column names: + - * / ^, comparisons < <= > >= == !=
// joined by & and |, parentheses, numbers and log10, ln, exp, sqrt, abs,
// pow10; odd column names go in [brackets], as [BP-RP]. A missing input
// gives a missing result.
//
// A command that needs something first says which command makes it; a
// missing column names the columns there are. %train checks the context
// between mini-batches: an interrupt keeps the best weights so far and the
// cell ends with the interrupt, so the kernel reports KeyboardInterrupt.
//
// # Commands are data
//
// Each magic is one *Command value: its name, positional Args, Flags with
// kinds, defaults and completion sources, a summary, a long description and
// an example, and its Run function. Parsing, %help, the pager, Shift-Tab
// inspection and Tab completion are all generated from that value, so they
// cannot drift apart. Commands live in one explicit list, and a Registry
// panics on duplicate names.
//
// # Output
//
// Commands write through the small Output interface (streams, rich
// displays, in-place updates, clear, result, pager). Every Display carries
// text/plain beside HTML or PNG; PNG displays state their logical size in
// metadata and are rendered at twice that size. The kernel adapts Output to
// the Jupyter messaging protocol in package main; this package knows
// nothing of Jupyter.
package magics
