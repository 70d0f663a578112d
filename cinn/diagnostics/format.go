// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package diagnostics

import (
	"fmt"
	"strings"
)

// SummaryTable formats the summaries of one observation as a fixed-width
// text table, one row per parameter: mean, median, standard deviation, MAP
// and the intervals of the first summary's levels. names may be nil
// ("x0", "x1", ...); otherwise it must have one name per summary.
func SummaryTable(names []string, s []Summary) string {
	if names != nil && len(names) != len(s) {
		panic(fmt.Sprintf("diagnostics: %d names for %d summaries", len(names), len(s)))
	}
	width := len("parameter")
	for j := range s {
		width = max(width, len(paramName(names, j)))
	}
	var b, line strings.Builder
	endLine := func() {
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
		line.Reset()
	}
	fmt.Fprintf(&line, "%-*s %11s %11s %11s %11s", width, "parameter", "mean", "median", "std", "MAP")
	if len(s) > 0 {
		for _, iv := range s[0].Intervals {
			fmt.Fprintf(&line, "  %-25s", fmt.Sprintf("%g%% interval", 100*iv.Level))
		}
	}
	endLine()
	for j, sj := range s {
		fmt.Fprintf(&line, "%-*s %11.5g %11.5g %11.5g %11.5g", width, paramName(names, j), sj.Mean, sj.Median, sj.Std, sj.MAP)
		for _, iv := range sj.Intervals {
			fmt.Fprintf(&line, "  %-25s", fmt.Sprintf("[%.5g, %.5g]", iv.Lo, iv.Hi))
		}
		endLine()
	}
	return b.String()
}

func paramName(names []string, j int) string {
	if names != nil {
		return names[j]
	}
	return fmt.Sprintf("x%d", j)
}

// Names returns the parameter names of the report.
func (r Report) Names() []string {
	names := make([]string, len(r.Params))
	for j, p := range r.Params {
		names[j] = p.Name
	}
	return names
}

// CalibrationCurves returns the calibration levels and the curves e_cal(q)
// of all parameters, ecal[j][k] for parameter j at level q[k], the layout
// plotting functions take.
func (r Report) CalibrationCurves() (q []float64, ecal [][]float64) {
	ecal = make([][]float64, len(r.Params))
	for j, p := range r.Params {
		if q == nil {
			q = p.Calibration.Q
		}
		ecal[j] = p.Calibration.Err
	}
	return q, ecal
}
