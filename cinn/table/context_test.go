// Copyright ©2026 The gocinn Authors. All rights reserved.

package table

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// afterN is a context that is cancelled from its n-th Err call on: it
// cancels a read at a chosen point without timing.
type afterN struct {
	n    int64
	done chan struct{}
}

func (c *afterN) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *afterN) Done() <-chan struct{}       { return c.done }
func (c *afterN) Value(any) any               { return nil }
func (c *afterN) Err() error {
	if atomic.AddInt64(&c.n, -1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestReadFileContext(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,b,c\n")
	for i := range 100000 {
		fmt.Fprintf(&b, "%d,%d.5,%d\n", i, i, -i)
	}
	tab, err := New([]string{"a", "b"}, [][]float64{{1, 2}, {3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]func(string) error{
		"big.csv": func(p string) error { return os.WriteFile(p, []byte(b.String()), 0o644) },
	}
	for _, ext := range []string{"npy", "npz", "fits", "ecsv"} {
		files["small."+ext] = func(p string) error { return WriteFile(p, tab) }
	}
	for name, write := range files {
		path := filepath.Join(dir, name)
		if err := write(path); err != nil {
			t.Fatal(err)
		}
		// Not cancelled: the same table as ReadFile.
		want, err := ReadFile(path, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		got, err := ReadFileContext(ctx, path, ReadOptions{})
		cancel()
		if err != nil || got.Len() != want.Len() {
			t.Fatalf("%s: %v rows, %v; want %d", name, got, err, want.Len())
		}
		// Cancelled before or during the read: an error that wraps the
		// cause and names the file.
		for _, after := range []int64{0, 1, 3} {
			c := &afterN{n: after, done: make(chan struct{})}
			got, err := ReadFileContext(c, path, ReadOptions{})
			if name != "big.csv" && after > 1 && err == nil {
				continue // a small file can be read in fewer calls
			}
			if !errors.Is(err, context.Canceled) || got != nil {
				t.Errorf("%s cancelled after %d checks: %v, %v", name, after, got, err)
			}
			if after > 0 && err != nil && !strings.Contains(err.Error(), name) {
				t.Errorf("%s: the error does not name the file: %v", name, err)
			}
		}
	}
}
