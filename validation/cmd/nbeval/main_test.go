package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestEdit(t *testing.T) {
	for _, tc := range []struct {
		name, cell string
		o          options
		want       string
		eval       bool
	}{
		{"model line", "%model --blocks 2 --seed 1", options{model: "--bins 8", seed: 3}, "%model --blocks 2 --seed 3 --bins 8", false},
		{"model without seed", "%model --blocks 2", options{seed: 3}, "%model --blocks 2 --seed 3", false},
		{"data seed", "%data d --seed 0 --log m", options{seed: 3}, "%data d --seed 103 --log m", false},
		{"unchanged", "%data d --seed 0", options{}, "%data d --seed 0", false},
		{"skipped lines", "%load f.csv\n%plot loss\n%show f\n%export f x.csv", options{}, "%load f.csv", false},
		{"train epochs", "%train --epochs 20 --lr 2e-3", options{epochs: 5}, "%train --epochs 5 --lr 2e-3", false},
		{"eval ends", "%eval --on test --max 300\n%plot truth\n%who", options{max: 2000}, "%eval --on test --max 2000", true},
		{"eval without max", "%eval --on test", options{max: 50}, "%eval --on test --max 50", true},
		{"model cell", "%%model\nblocks: 6\nseed: 1\n", options{model: "--bins 8 --actnorm", seed: 2}, "%%model\nblocks: 6\nseed: 2\nbins: 8\nactnorm: true", false},
		{"model cell without seed", "%%model\nblocks: 6", options{seed: 2}, "%%model\nblocks: 6\nseed: 2", false},
	} {
		got, eval := edit(tc.cell, tc.o)
		if got != tc.want || eval != tc.eval {
			t.Errorf("%s: edit = %q, %v; want %q, %v", tc.name, got, eval, tc.want, tc.eval)
		}
	}
}

// TestRun reruns a small notebook with other bins and seed: its plot,
// export and later cells, which would fail, are not run, and the %eval
// table is shown.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, options{notebook: "testdata/tiny.ipynb", model: "--bins 4", seed: 2, max: 20})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"%data two_moons --seed 102",
		"rational-quadratic spline, 4 bins",
		"training summary",
		"test: 20 observations × 64 samples",
		"median |e_cal|",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "no-such") {
		t.Errorf("skipped lines were run:\n%s", s)
	}

	if err := run(context.Background(), &out, options{notebook: "testdata/missing.ipynb"}); err == nil {
		t.Error("a missing notebook gave no error")
	}
}
