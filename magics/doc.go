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
