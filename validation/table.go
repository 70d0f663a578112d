// Copyright ©2026 The gocinn Authors. All rights reserved.

package validation

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// C2STTable formats mean C2ST per task and budget as a Markdown table, with
// sbibm's NPE and the FrEIA cINN beside gocinn's numbers. A gocinn cell
// reads "0.612 ± 0.031 (5 × 10000)": mean, standard deviation over the
// observations, their number and the samples per set (sbibm uses 10,000;
// fewer samples give the classifier less power, so lower scores), with
// ", sbibm's observations" added for TaskResult.Published; "—" marks a run that is absent. A "✓" follows gocinn's
// mean when it is at or below sbibm's NPE, and a published FrEIA or best
// number when gocinn's mean is at or below it, "✗" when it is above.
func C2STTable(results []TaskResult) string {
	type key struct {
		task   string
		budget int
	}
	byKey := map[key]TaskResult{}
	var tasks []string
	for _, r := range results {
		byKey[key{r.Task, r.Budget}] = r
		if !slices.Contains(tasks, r.Task) {
			tasks = append(tasks, r.Task)
		}
	}
	for t := range Published {
		if !slices.Contains(tasks, t) {
			tasks = append(tasks, t)
		}
	}
	slices.Sort(tasks)
	var b strings.Builder
	b.WriteString("| task | budget | gocinn C2ST | sbibm NPE | FrEIA cINN | best at 10^5 | epochs (best) | train time |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, t := range tasks {
		for bi, budget := range Budgets {
			r, ok := byKey[key{t, budget}]
			cell, ep, tt := "—", "—", "—"
			if ok {
				obs := ""
				if r.Published {
					obs = ", sbibm's observations"
				}
				cell = fmt.Sprintf("%.3f ± %.3f (%d × %d%s)", r.Mean, r.Std, len(r.C2ST), r.Samples, obs)
				if p, ok := Published[t]; ok && r.Mean <= p[bi] {
					cell += " ✓"
				}
				ep = fmt.Sprintf("%d (%d)", r.Epochs, r.BestEpoch)
				tt = fmt.Sprintf("%.0f s", r.TrainSeconds)
			}
			pub, fr, best := "—", "—", "—"
			if p, ok := Published[t]; ok {
				pub = fmt.Sprintf("%.3f", p[bi])
			}
			mark := func(v float64) string {
				switch {
				case !ok:
					return ""
				case r.Mean <= v:
					return " ✓"
				}
				return " ✗"
			}
			if f, has := FrEIA[t]; has && bi < 2 {
				fr = fmt.Sprintf("%.3f", f[bi]) + mark(f[bi])
			}
			if v, has := BestAt1e5[t]; has && bi == 2 {
				best = fmt.Sprintf("%.3f", v) + mark(v)
			}
			fmt.Fprintf(&b, "| %s | 10^%d | %s | %s | %s | %s | %s | %s |\n", t, int(math.Round(math.Log10(float64(budget)))), cell, pub, fr, best, ep, tt)
		}
	}
	return b.String()
}
