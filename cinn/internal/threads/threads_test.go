// Copyright ©2026 The gocinn Authors. All rights reserved.

package threads

import (
	"runtime"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{{"", 0}, {"3", 3}, {" 2 ", 2}, {"0", 0}, {"-1", 0}, {"all", 0}, {"1.5", 0}} {
		if got := parse(tc.in); got != tc.want {
			t.Errorf("parse(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestN(t *testing.T) {
	n := N()
	if l := limit(); n < 1 || n > runtime.GOMAXPROCS(0) || (l > 0 && n > l) {
		t.Errorf("N() = %d with GOMAXPROCS %d and %s=%d", n, runtime.GOMAXPROCS(0), Env, l)
	}
}
