// Package demo is a small built-in kernel.Executor whose language is a few
// %-prefixed line commands. It exists so that tests and the
// jupyter-kernel-test conformance suite have a language before the real
// magics land.
//
// A cell holds one command per line; blank lines are ignored and a line
// ending with a backslash continues on the next one (joined with a
// newline). Every line must start with %; a cell with any other line is
// rejected before anything runs. The commands:
//
//	%echo [--stderr] TEXT   write TEXT to stdout (or stderr)
//	%sleep [SECONDS]        sleep, until interrupted without SECONDS
//	%spin SECONDS           keep every CPU busy for SECONDS
//	%png                    display a small PNG image
//	%html TEXT              display TEXT as HTML
//	%display ID TEXT        display TEXT under display id ID
//	%update ID TEXT         replace the display with id ID by TEXT
//	%clear [--wait]         clear the cell's output
//	%result TEXT            make TEXT the cell's execute_result
//	%page TEXT              show TEXT in the pager
//	%input PROMPT           ask for a line on stdin and echo it
//	%fail MESSAGE           fail with MESSAGE
package demo
