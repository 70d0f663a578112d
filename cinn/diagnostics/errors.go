// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import "fmt"

// NonFiniteError reports a NaN or ±Inf value in the data.
type NonFiniteError struct {
	What  string  // "samples", "truth", "reference" or "other"; empty means "samples"
	Obs   int     // observation index, or -1
	Row   int     // row in the matrix
	Col   int     // column (parameter index)
	Name  string  // parameter name, if known
	Value float64 // the offending value
}

func (e *NonFiniteError) Error() string {
	what := e.What
	if what == "" {
		what = "samples"
	}
	col := fmt.Sprintf("column %d", e.Col)
	if e.Name != "" {
		col = fmt.Sprintf("column %d (%s)", e.Col, e.Name)
	}
	if e.Obs >= 0 {
		return fmt.Sprintf("diagnostics: %s of observation %d: row %d, %s is %v; drop or fix that observation (NaN samples usually mean the model diverged or the observation is outside the training range)", what, e.Obs, e.Row, col, e.Value)
	}
	return fmt.Sprintf("diagnostics: %s: row %d, %s is %v; drop or fix that row", what, e.Row, col, e.Value)
}

// ShapeError reports data whose shape does not match the rest of the input,
// such as a truth table with a different number of rows than there are
// observations.
type ShapeError struct {
	Msg string
}

func (e *ShapeError) Error() string { return "diagnostics: " + e.Msg }
