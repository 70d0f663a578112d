package reliability_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/table"
	"github.com/gocinn/gocinn/kernel"
	"github.com/gocinn/gocinn/kernel/kerneltest"
	"github.com/gocinn/gocinn/magics"
)

// execLocal runs a cell in a session without a kernel and fails the test
// on an error.
func execLocal(t testing.TB, s *magics.Session, code string) *magics.Recorder {
	t.Helper()
	var rec magics.Recorder
	if err := s.Execute(context.Background(), code, &rec); err != nil {
		t.Fatalf("%q: %v", code, err)
	}
	return &rec
}

// modelFiles writes two different models, a.cinn and b.cinn, large enough
// that saving one takes a while, and two tables d1.npz and d2.npz with
// different row counts, into dir.
func modelFiles(t testing.TB, dir string) {
	t.Helper()
	s := magics.NewSession(magics.Options{Dir: dir})
	execLocal(t, s, `%simulate two_moons --n 1000 --quiet
%data two_moons
%model --blocks 8 --hidden 256 --layers 3 --seed 1
%save a.cinn
%model --blocks 8 --hidden 256 --layers 3 --seed 2
%save b.cinn
%simulate two_moons --n 150000 --seed 3 --quiet --as d1
%export d1 d1.npz
%simulate two_moons --n 120000 --seed 4 --quiet --as d2
%export d2 d2.npz`)
}

// tempLeftovers returns the temporary files that saves interrupted by
// kill -9 left in dir.
func tempLeftovers(t testing.TB, dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

// killDuring starts a kernel process in dir, runs prepare, sends cell and
// kills the process with SIGKILL at a random moment after the cell
// started, within window.
func killDuring(t *testing.T, dir, prepare, cell string, rng *rand.Rand, window time.Duration) {
	t.Helper()
	ch := startChild(t, dir)
	run(t, ch.c, prepare)
	id, err := ch.c.SendRequest(kerneltest.Shell, "execute_request", kerneltest.ExecuteContent(cell))
	if err != nil {
		t.Fatal(err)
	}
	waitStarted(t, ch.c, id)
	time.Sleep(time.Duration(rng.Int64N(int64(window))))
	ch.kill()
}

// timeCell runs prepare, then cell, in a kernel process and returns how
// long cell took.
func timeCell(t *testing.T, dir, prepare, cell string) time.Duration {
	t.Helper()
	ch := startChild(t, dir)
	defer ch.kill()
	run(t, ch.c, prepare)
	start := time.Now()
	run(t, ch.c, cell)
	return time.Since(start)
}

// TestKillDuringSave kills the kernel process (SIGKILL) at random moments
// of cells that save models and export tables over existing files: every
// file is, each time, exactly one of the complete versions written.
func TestKillDuringSave(t *testing.T) {
	n := count(8, 100)
	dir := t.TempDir()
	modelFiles(t, dir)
	a, _ := os.ReadFile(filepath.Join(dir, "a.cinn"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.cinn"))
	if bytes.Equal(a, b) {
		t.Fatal("the two models are the same file")
	}
	// A model saved again is the same file byte for byte, so every
	// version of m.cinn must be a.cinn or b.cinn exactly.
	if err := os.WriteFile(filepath.Join(dir, "m.cinn"), a, 0o644); err != nil {
		t.Fatal(err)
	}
	saves := strings.Repeat("%open a.cinn\n%save m.cinn\n%open b.cinn\n%save m.cinn\n", 10)
	exports := strings.Repeat("%export d1 out.npz\n%export d2 out.npz\n%export d1 out.csv\n%export d2 out.csv\n%export d1 out.fits\n%export d2 out.fits\n", 4)
	rows := map[int]bool{150000: true, 120000: true}
	rng := rand.New(rand.NewPCG(3, 9))
	// How long each cell takes uninterrupted: the kills fall within it.
	saveTime := timeCell(t, dir, "%echo ready", saves)
	exportTime := timeCell(t, dir, "%load d1.npz\n%load d2.npz", exports)
	t.Logf("uninterrupted: the saving cell takes %v, the exporting cell %v", saveTime.Round(time.Millisecond), exportTime.Round(time.Millisecond))
	var seen = map[string]int{}
	deadline := time.Now().Add(15 * time.Minute)
	i := 0
	for ; i < n && time.Now().Before(deadline); i++ {
		if i%2 == 0 {
			killDuring(t, dir, "%echo ready", saves, rng, saveTime)
			m, err := os.ReadFile(filepath.Join(dir, "m.cinn"))
			if err != nil {
				t.Fatalf("kill %d: the model file is gone: %v", i, err)
			}
			switch {
			case bytes.Equal(m, a):
				seen["m.cinn is a.cinn"]++
			case bytes.Equal(m, b):
				seen["m.cinn is b.cinn"]++
			default:
				_, err := cinn.Load(filepath.Join(dir, "m.cinn"))
				t.Fatalf("kill %d: m.cinn (%d bytes) is neither complete model (%d, %d bytes); cinn.Load: %v", i, len(m), len(a), len(b), err)
			}
			if _, err := cinn.Load(filepath.Join(dir, "m.cinn")); err != nil {
				t.Fatalf("kill %d: %v", i, err)
			}
		} else {
			killDuring(t, dir, "%load d1.npz\n%load d2.npz", exports, rng, exportTime)
			for _, f := range []string{"out.npz", "out.csv", "out.fits"} {
				p := filepath.Join(dir, f)
				if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
					seen[f+" not written yet"]++
					continue
				}
				tb, err := table.ReadFile(p, table.ReadOptions{})
				if err != nil {
					t.Fatalf("kill %d: %s is not a complete table: %v", i, f, err)
				}
				if !rows[tb.Len()] {
					t.Fatalf("kill %d: %s has %d rows, want 150000 or 120000", i, f, tb.Len())
				}
				seen[fmt.Sprintf("%s complete (%d rows)", f, tb.Len())]++
			}
		}
	}
	left := tempLeftovers(t, dir)
	t.Logf("%d kills (%d during %%save, %d during %%export); temporary files left by killed writes: %d", i, (i+1)/2, i/2, len(left))
	for k, v := range seen {
		t.Logf("  %3d  %s", v, k)
	}
	if i < n {
		t.Errorf("only %d of %d kills before the time bound", i, n)
	}
}

// TestFileChangesUnderneath reads files while another goroutine rewrites,
// truncates, removes and recreates them: every read succeeds or fails with
// an error, never a panic (an InternalError).
func TestFileChangesUnderneath(t *testing.T) {
	n := count(100, 2000)
	dir := t.TempDir()
	modelFiles(t, dir)
	s := magics.NewSession(magics.Options{Dir: dir})
	sources := map[string][]byte{}
	for _, f := range []string{"a.cinn", "d1.npz"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = b
	}
	execLocal(t, s, "%load d1.npz --as d\n%export d d1.csv\n%export d d1.fits")
	for _, f := range []string{"d1.csv", "d1.fits"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		sources[f] = b
	}
	targets := map[string]string{"a.cinn": "m.cinn", "d1.npz": "t.npz", "d1.csv": "t.csv", "d1.fits": "t.fits"}

	for src, dst := range targets {
		if err := os.WriteFile(filepath.Join(dir, dst), sources[src], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the vandal: non-atomic rewrites, truncations, removals
		defer wg.Done()
		rng := rand.New(rand.NewPCG(5, 5))
		for ctx.Err() == nil {
			time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
			for src, dst := range targets {
				p := filepath.Join(dir, dst)
				b := sources[src]
				switch rng.IntN(4) {
				case 0:
					_ = os.Remove(p)
				case 1:
					_ = os.WriteFile(p, b[:rng.IntN(len(b))], 0o644)
				case 2:
					f, err := os.Create(p)
					if err == nil {
						for off := 0; off < len(b) && ctx.Err() == nil; off += 1 << 16 {
							f.Write(b[off:min(len(b), off+1<<16)])
						}
						f.Close()
					}
				default:
					_ = os.WriteFile(p, b, 0o644)
					time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond) // let some reads succeed
				}
			}
		}
	}()
	outcomes := map[string]int{}
	cells := []string{"%open m.cinn", "%load t.npz --as x", "%load t.csv --as x", "%load t.fits --as x"}
	deadline := time.Now().Add(3 * time.Minute)
	i := 0
	for ; i < n && time.Now().Before(deadline); i++ {
		cell := cells[i%len(cells)]
		var rec magics.Recorder
		err := s.Execute(context.Background(), cell, &rec)
		var me *magics.Error
		switch {
		case err == nil:
			outcomes[cell+": read"]++
		case errors.Is(err, fs.ErrNotExist):
			outcomes[cell+": not found"]++
		case errors.As(err, &me) && me.Kind != "InternalError":
			if outcomes[cell+": "+me.Kind] == 0 {
				t.Logf("first error of %s: %v", cell, err)
			}
			outcomes[cell+": "+me.Kind]++
		default:
			cancel()
			wg.Wait()
			t.Fatalf("%s while the file changes: %v", cell, err)
		}
	}
	cancel()
	wg.Wait()
	for k, v := range outcomes {
		t.Logf("  %4d  %s", v, k)
	}
	// The session is intact: the last good reads are usable.
	execLocal(t, s, "%who\n%show d")
}

// TestDiskFull saves and exports in a kernel process whose writes fail
// past 1 MiB (RLIMIT_FSIZE: EFBIG, as a full disk gives ENOSPC): the
// cell reports an IOError, the previous files are intact, no temporary
// file is left behind, and the session goes on.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	modelFiles(t, dir)
	a, _ := os.ReadFile(filepath.Join(dir, "a.cinn"))
	d1, _ := os.ReadFile(filepath.Join(dir, "d1.npz"))
	if err := os.WriteFile(filepath.Join(dir, "m.cinn"), a, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "out.npz"), d1, 0o644); err != nil {
		t.Fatal(err)
	}
	ch := startChild(t, dir, "GOCINN_RELIABILITY_FSIZE=1048576")
	run(t, ch.c, "%open b.cinn\n%load d2.npz")
	for _, tc := range []struct{ cell, file string }{
		{"%save m.cinn", "m.cinn"},
		{"%export d2 out.npz", "out.npz"},
		{"%export d2 out.csv", "out.csv"},
	} {
		msg := mustFail(t, ch.c, tc.cell)
		t.Logf("%s: %s", tc.cell, msg)
		if !strings.Contains(msg, "IOError") || !strings.Contains(msg, "file too large") {
			t.Errorf("%s on a full disk: %q, want an IOError naming the write error", tc.cell, msg)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "m.cinn")); !bytes.Equal(got, a) {
		t.Error("a failed save changed the previous model file")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "out.npz")); !bytes.Equal(got, d1) {
		t.Error("a failed export changed the previous table file")
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); err == nil {
		t.Error("a failed export left a partial out.csv")
	}
	if left := tempLeftovers(t, dir); len(left) > 0 {
		t.Errorf("failed writes left temporary files: %v", left)
	}
	run(t, ch.c, "%simulate two_moons --n 100 --as tiny --quiet\n%export tiny small.csv\n%who")
}

// TestKernelProcessKilled checks that the kernel process dies on SIGKILL
// without leaving anything that stops a new kernel from binding the same
// connection file.
func TestKernelProcessKilled(t *testing.T) {
	dir := t.TempDir()
	ch := startChild(t, dir)
	run(t, ch.c, "%echo first")
	ch.kill()
	// The stale ipc socket files of the killed kernel do not stop a new
	// kernel on the same connection info.
	k, err := kernel.New(&ch.info, funcExec{}, kernel.Options{})
	if err != nil {
		t.Fatalf("a new kernel on the connection info of a killed one: %v", err)
	}
	k.Close()
}
