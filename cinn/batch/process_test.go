// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gocinn/gocinn/cinn/batch"
)

// These tests run the gocinn binary, built once with go build, as separate
// processes, the way a scheduler runs it. They are skipped with -short.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func gocinnBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the gocinn binary; skipped with -short")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gocinnbin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "gocinn")
		goTool, err := exec.LookPath("go")
		if err != nil {
			binErr = errors.New("the go tool is not in PATH, so the gocinn binary cannot be built: " + err.Error())
			return
		}
		out, err := exec.Command(goTool, "build", "-o", binPath, "github.com/gocinn/gocinn").CombinedOutput()
		if err != nil {
			binErr = errors.New("go build of the gocinn binary failed: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// cleanEnv returns the environment without scheduler variables, plus extra.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SLURM_") || strings.HasPrefix(kv, "JOB_COMPLETION_INDEX=") || strings.HasPrefix(kv, "GOCINN_SHARDS=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

type proc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(gocinnBinary(t), args...)}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *proc) wait(t *testing.T, wantCode int) {
	t.Helper()
	err := p.cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != wantCode {
		t.Fatalf("gocinn %s: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(p.cmd.Args[1:], " "), code, wantCode, &p.stdout, &p.stderr)
	}
}

func TestProcessesShardedEqualsWhole(t *testing.T) {
	gocinnBinary(t)
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.npz")
	writeCatalogue(t, cat, 401, [3]string{"f1", "f2", "f3"})
	common := []string{"--model", model, "--in", cat, "--n", "100", "--seed", "77", "--keep", "source_id,name"}

	// One unsharded run: no --shard and no scheduler variables means 0/1.
	whole := filepath.Join(dir, "whole")
	p := start(t, cleanEnv(), append([]string{"sample", "--out", whole}, common...)...)
	p.wait(t, 0)
	if !strings.Contains(p.stdout.String(), "shard 0/1 done") {
		t.Fatalf("unsharded run: %s", &p.stdout)
	}

	// Four shards at once, as four processes: shard 0 from a Slurm array
	// numbered 1-4, shard 1 from a Slurm task ID with --shards, shard 2
	// from a Kubernetes Indexed Job, shard 3 from --shard.
	sharded := filepath.Join(dir, "sharded")
	args := append([]string{"sample", "--out", sharded}, common...)
	slurm := func(id string) []string {
		return cleanEnv("SLURM_ARRAY_TASK_ID="+id, "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_MAX=4", "SLURM_ARRAY_TASK_COUNT=4", "GOMAXPROCS=1")
	}
	procs := []*proc{
		start(t, slurm("1"), args...),
		// A resubmitted single task (--array=1) of a script passing --shards.
		start(t, cleanEnv("SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_MAX=1", "SLURM_ARRAY_TASK_COUNT=1", "GOMAXPROCS=1"), append(args, "--shards", "4")...),
		start(t, cleanEnv("JOB_COMPLETION_INDEX=2", "GOCINN_SHARDS=4", "GOMAXPROCS=2"), args...),
		start(t, cleanEnv("GOMAXPROCS=1"), append(args, "--shard", "3/4")...),
	}
	for i, p := range procs {
		p.wait(t, 0)
		if want := "shard " + (batch.Shard{Index: i, Count: 4}).String() + " done"; !strings.Contains(p.stdout.String(), want) {
			t.Errorf("process %d: %q lacks %q", i, &p.stdout, want)
		}
	}
	p = start(t, cleanEnv(), "merge", "--check", sharded)
	p.wait(t, 0)
	if !strings.Contains(p.stdout.String(), "all 4 shards finished and intact: 401 rows (2 with bad input)") {
		t.Errorf("merge --check: %s", &p.stdout)
	}
	for _, d := range []string{whole, sharded} {
		p := start(t, cleanEnv(), "merge", d, "--out", filepath.Join(d, "all.fits"))
		p.wait(t, 0)
	}
	if !bytes.Equal(readFile(t, filepath.Join(whole, "all.fits")), readFile(t, filepath.Join(sharded, "all.fits"))) {
		t.Fatal("merged summaries of 1 and 4 shard processes differ")
	}
	// Rerunning all four does nothing.
	for i := 0; i < 4; i++ {
		p := start(t, cleanEnv(), append(args, "--shard", batch.Shard{Index: i, Count: 4}.String())...)
		p.wait(t, 0)
		if !strings.Contains(p.stdout.String(), "already done") {
			t.Errorf("rerun of shard %d: %s", i, &p.stdout)
		}
	}
}

func TestProcessKilled(t *testing.T) {
	gocinnBinary(t)
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 2000, [3]string{"f1", "f2", "f3"})
	out := filepath.Join(dir, "out")
	base := []string{"sample", "--model", model, "--in", cat, "--out", out, "--n", "500", "--seed", "3"}
	args := append(slices.Clone(base), "--shard", "1/2")
	env := cleanEnv("GOMAXPROCS=1")

	p := start(t, env, args...)
	p.wait(t, 0)
	other := start(t, cleanEnv(), append(slices.Clone(base), "--shard", "0/2")...)
	other.wait(t, 0)
	summary := filepath.Join(out, "shard-0001-of-0002.summary.csv")
	samples := filepath.Join(out, "shard-0001-of-0002.samples.npz")
	manifest := filepath.Join(out, "shard-0001-of-0002.json")
	wantSummary, wantSamples := readFile(t, summary), readFile(t, samples)

	// A half-written output, then a rerun killed with SIGKILL while it
	// samples.
	must(t, os.Truncate(samples, int64(len(wantSamples)/3)))
	cmd := exec.Command(gocinnBinary(t), args...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	sc := bufio.NewScanner(stderr)
	started := false
	var early strings.Builder
	for sc.Scan() {
		early.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "draws per star") {
			started = true
			break
		}
	}
	if !strings.Contains(early.String(), "redoing: outputs do not match the manifest") {
		t.Errorf("the rerun of a shard with a truncated output did not say it redoes it:\n%s", &early)
	}
	if !started {
		cmd.Wait()
		t.Fatal("the shard process ended before it started sampling")
	}
	time.Sleep(100 * time.Millisecond)
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	go func() {
		for sc.Scan() {
		}
	}()
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the shard finished before it could be killed (%v): make the test catalogue larger", err)
	}
	if _, err := os.Stat(manifest); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a killed shard left a manifest: %v", err)
	}
	if r, err := batch.Merge(context.Background(), out, ""); err == nil || !strings.Contains(err.Error(), "--shard 1/2") {
		t.Errorf("merge after the kill: %+v, %v", r, err)
	}

	// The next run redoes the shard and gives the same files.
	p = start(t, env, args...)
	p.wait(t, 0)
	if !strings.Contains(p.stdout.String(), "shard 1/2 done") {
		t.Errorf("rerun after the kill:\nstdout %s\nstderr %s", &p.stdout, &p.stderr)
	}
	if !bytes.Equal(readFile(t, summary), wantSummary) || !bytes.Equal(readFile(t, samples), wantSamples) {
		t.Error("the redone shard differs from the first run")
	}
}

// TestProcessTerminated stops a shard with SIGTERM, as Slurm does at the
// time limit: the process says how to resume and leaves no manifest.
func TestProcessTerminated(t *testing.T) {
	gocinnBinary(t)
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 3000, [3]string{"f1", "f2", "f3"})
	out := filepath.Join(dir, "out")
	cmd := exec.Command(gocinnBinary(t), "sample", "--model", model, "--in", cat, "--out", out, "--n", "1000", "--summary-only")
	cmd.Env = cleanEnv("GOMAXPROCS=1")
	stderr, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "draws per star") {
	}
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	var rest strings.Builder
	for sc.Scan() {
		rest.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, &rest)
	}
	if !strings.Contains(rest.String(), "stopped by a signal") || !strings.Contains(rest.String(), "run the same command again") {
		t.Errorf("stderr after SIGTERM:\n%s", &rest)
	}
	if _, err := os.Stat(filepath.Join(out, "shard-0000-of-0001.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a terminated shard left a manifest: %v", err)
	}
}

func TestProcessErrors(t *testing.T) {
	gocinnBinary(t)
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 10, [3]string{"f1", "f2", "x3"})
	notModel := filepath.Join(dir, "cat.cinn")
	must(t, os.WriteFile(notModel, readFile(t, cat), 0o644))
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"bad model", nil, []string{"sample", "--model", notModel, "--in", cat, "--out", dir}, 1, []string{"cat.cinn", "not a gocinn model"}},
		{"missing column", nil, []string{"sample", "--model", model, "--in", cat, "--out", dir}, 1, []string{`no column "f3"`, "--columns f3=COLUMN"}},
		{"bad shard", nil, []string{"sample", "--model", model, "--in", cat, "--out", dir, "--shard", "4/4"}, 2, []string{"0 ≤ i < N", "usage: gocinn sample"}},
		{"no flags", nil, []string{"sample"}, 2, []string{"--model, --in and --out are required"}},
		{"k8s without count", []string{"JOB_COMPLETION_INDEX=1"}, []string{"sample", "--model", model, "--in", cat, "--out", dir}, 1, []string{"GOCINN_SHARDS"}},
		{"merge nothing", nil, []string{"merge", dir}, 1, []string{"no shard manifests"}},
		{"merge no dir", nil, []string{"merge"}, 2, []string{"one folder"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := start(t, cleanEnv(tc.env...), tc.args...)
			p.wait(t, tc.code)
			for _, w := range tc.want {
				if !strings.Contains(p.stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, &p.stderr)
				}
			}
		})
	}
	// With --columns the same catalogue works.
	p := start(t, cleanEnv(), "sample", "--model", model, "--in", cat, "--out", filepath.Join(dir, "ok"), "--columns", "f3=x3", "--n", "10", "--summary-only")
	p.wait(t, 0)
}
