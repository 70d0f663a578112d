// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/batch"
	"github.com/gocinn/gocinn/cinn/diagnostics"
	"github.com/gocinn/gocinn/cinn/table"
)

// runAll runs shards 0 … n-1 of job into dir in this process.
func runAll(t *testing.T, job batch.Job, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		job.Shard = batch.Shard{Index: i, Count: n}
		job.Threads = 1 + i%3 // the thread count must not matter
		if _, err := batch.Run(context.Background(), job); err != nil {
			t.Fatalf("shard %v: %v", job.Shard, err)
		}
	}
}

func TestShardedEqualsWhole(t *testing.T) {
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 203, [3]string{"f1", "f2", "f3"})
	for _, format := range []string{"csv", "fits", "npy"} {
		t.Run(format, func(t *testing.T) {
			base := batch.Job{Model: model, Input: cat, Draws: 64, Seed: 42, Format: format, Keep: []string{"source_id"}}
			if format == "npy" {
				base.Keep = nil // .npy holds numbers only, and loses exact int64
			}
			whole, sharded := filepath.Join(dir, format, "whole"), filepath.Join(dir, format, "sharded")
			j := base
			j.OutDir = whole
			runAll(t, j, 1)
			j.OutDir = sharded
			runAll(t, j, 5)
			rw, err := batch.Merge(context.Background(), whole, "")
			if err != nil {
				t.Fatal(err)
			}
			rs, err := batch.Merge(context.Background(), sharded, "")
			if err != nil {
				t.Fatal(err)
			}
			if rw.Rows != 203 || rs.Rows != 203 || rs.Shards != 5 || rs.BadRows != 2 {
				t.Errorf("reports: whole %+v, sharded %+v", rw, rs)
			}
			if !bytes.Equal(readFile(t, rw.Out), readFile(t, rs.Out)) {
				t.Fatalf("merged summaries of 1 and 5 shards differ: %s, %s", rw.Out, rs.Out)
			}
			// The raw samples, concatenated, equal too.
			ext := ".npz"
			if format == "fits" {
				ext = ".fits"
			}
			one := readTable(t, filepath.Join(whole, "shard-0000-of-0001.samples"+ext))
			for _, name := range []string{"row", "draw", "age", "mass"} {
				var cat []float64
				for i := 0; i < 5; i++ {
					p := readTable(t, filepath.Join(sharded, batch.Shard{Index: i, Count: 5}.Name()+".samples"+ext))
					c, err := p.Col(name)
					must(t, err)
					cat = append(cat, c...)
				}
				w, err := one.Col(name)
				must(t, err)
				if !slices.Equal(w, cat) {
					t.Errorf("samples column %s differs between 1 and 5 shards", name)
				}
			}
			if got := one.Len(); got != (203-2)*64 {
				t.Errorf("samples table has %d rows, want %d", got, 201*64)
			}
		})
	}
}

// A shard of an NPZ, FITS or CSV catalogue keeps only its own rows, so a
// catalogue too large for the memory limit is sampled in shards, with the
// numbers of a whole run under a larger limit.
func TestShardedCatalogue(t *testing.T) {
	model := testModel(t)
	for _, ext := range []string{"fits", "npz", "csv"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			cat := filepath.Join(dir, "cat."+ext)
			writeCatalogue(t, cat, 1000, [3]string{"f1", "f2", "f3"})
			const limit = 20000 // bytes: the whole catalogue's needed columns take 32,000
			job := batch.Job{Model: model, Input: cat, Draws: 32, Seed: 3, SummaryOnly: true, Keep: []string{"source_id"}, MaxBytes: limit}
			j := job
			j.OutDir, j.Shard = filepath.Join(dir, "small-whole"), batch.Whole
			_, err := batch.Run(context.Background(), j)
			if !errors.Is(err, table.ErrTooLarge) || !strings.Contains(err.Error(), "more shards help") {
				t.Fatalf("whole catalogue under a %d-byte limit: %v, want a memory-limit error that suggests shards", limit, err)
			}
			j.OutDir = filepath.Join(dir, "sharded")
			runAll(t, j, 5)
			j.OutDir, j.MaxBytes = filepath.Join(dir, "whole"), 0
			runAll(t, j, 1)
			rw, err := batch.Merge(context.Background(), filepath.Join(dir, "whole"), "")
			if err != nil {
				t.Fatal(err)
			}
			rs, err := batch.Merge(context.Background(), filepath.Join(dir, "sharded"), "")
			if err != nil {
				t.Fatal(err)
			}
			if rs.Rows != 1000 || rs.Shards != 5 || rs.BadRows != 2 {
				t.Errorf("sharded report %+v", rs)
			}
			if !bytes.Equal(readFile(t, rw.Out), readFile(t, rs.Out)) {
				t.Fatalf("merged summaries of 1 shard and of 5 under the limit differ: %s, %s", rw.Out, rs.Out)
			}
		})
	}
}

func readTable(t testing.TB, path string) *table.Table {
	t.Helper()
	tb, err := table.ReadFile(path, table.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestSummaryContents(t *testing.T) {
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.fits")
	writeCatalogue(t, cat, 120, [3]string{"F1", "f2", "flux3"})
	var log bytes.Buffer
	res, err := batch.Run(context.Background(), batch.Job{
		Model: model, Input: cat, OutDir: dir, Shard: batch.Whole, Draws: 200, Seed: 1,
		SummaryOnly: true, Columns: []string{"f1=F1", "f3=flux3"}, Keep: []string{"source_id", "name"}, Log: &log,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	if len(m.Output) != 1 || m.Output[0].Kind != "summary" || m.BadRows != 2 || m.Rows != 120 {
		t.Errorf("manifest: %+v", m)
	}
	for _, want := range []string{"row 5: observable f1 is missing", "row 77: f3 = -1"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	s := readTable(t, filepath.Join(dir, m.Output[0].File))
	wantCols := []string{"row", "source_id", "name", "status", "extrapolated"}
	for _, x := range []string{"age", "mass"} {
		for _, st := range batch.Stats {
			wantCols = append(wantCols, x+"_"+st)
		}
	}
	if !slices.Equal(s.AllNames(), wantCols) {
		t.Fatalf("columns %v, want %v", s.AllNames(), wantCols)
	}
	ids, ok := s.Int64("source_id")
	if !ok || ids[119] != 4295128739000000000+119*1000003 {
		t.Errorf("source_id not kept exactly: %v %v", ok, ids[119])
	}
	status, _ := s.Int64("status")
	med, _ := s.Col("age_median")
	p16, _ := s.Col("age_p16")
	p84, _ := s.Col("age_p84")
	p2, _ := s.Col("age_p2_5")
	p97, _ := s.Col("age_p97_5")
	for i := range status {
		want := int64(batch.StatusOK)
		switch i {
		case 5:
			want = batch.StatusMissing
		case 77:
			want = batch.StatusInvalid
		}
		if status[i] != want {
			t.Errorf("row %d: status %d, want %d", i, status[i], want)
		}
		if want != batch.StatusOK {
			if !math.IsNaN(med[i]) {
				t.Errorf("row %d with bad input has median %v", i, med[i])
			}
			continue
		}
		if !(p2[i] <= p16[i] && p16[i] <= med[i] && med[i] <= p84[i] && p84[i] <= p97[i]) {
			t.Errorf("row %d: percentiles not ordered: %v %v %v %v %v", i, p2[i], p16[i], med[i], p84[i], p97[i])
		}
	}
}

func TestIdempotent(t *testing.T) {
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 90, [3]string{"f1", "f2", "f3"})
	out := filepath.Join(dir, "out")
	job := batch.Job{Model: model, Input: cat, OutDir: out, Shard: batch.Shard{Index: 1, Count: 3}, Draws: 50, Seed: 9}
	first, err := batch.Run(context.Background(), job)
	must(t, err)
	if first.Skipped {
		t.Fatal("first run skipped")
	}
	summary := filepath.Join(out, "shard-0001-of-0003.summary.csv")
	samples := filepath.Join(out, "shard-0001-of-0003.samples.npz")
	good := readFile(t, summary)
	goodSamples := readFile(t, samples)

	again := func(what string, wantSkip bool, wantRedone string) {
		t.Helper()
		res, err := batch.Run(context.Background(), job)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if res.Skipped != wantSkip || !strings.Contains(res.Redone, wantRedone) {
			t.Fatalf("%s: skipped %v, redone %q; want %v and %q", what, res.Skipped, res.Redone, wantSkip, wantRedone)
		}
		if !bytes.Equal(readFile(t, summary), good) || !bytes.Equal(readFile(t, samples), goodSamples) {
			t.Fatalf("%s: outputs differ from the first run", what)
		}
	}
	mtime := func() int64 {
		fi, err := os.Stat(summary)
		must(t, err)
		return fi.ModTime().UnixNano()
	}
	before := mtime()
	again("rerun of a finished shard", true, "")
	if mtime() != before {
		t.Error("a rerun of a finished shard rewrote its output")
	}

	must(t, os.WriteFile(samples, goodSamples[:len(goodSamples)/2], 0o644))
	again("truncated samples", false, "do not match")
	must(t, os.Remove(job.OutDir+"/shard-0001-of-0003.json"))
	again("no manifest", false, "without a manifest")
	must(t, os.WriteFile(filepath.Join(out, "shard-0001-of-0003.json"), []byte("{"), 0o644))
	again("garbled manifest", false, "not valid JSON")
	// A stale temporary file of an interrupted write is removed.
	tmp := filepath.Join(out, ".shard-0001-of-0003.summary.csv.tmp123")
	must(t, os.WriteFile(tmp, []byte("half"), 0o644))
	must(t, os.Remove(summary))
	again("summary deleted", false, "do not match")
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file left: %v", err)
	}

	// Other settings are refused unless forced.
	job.Seed = 10
	if _, err := batch.Run(context.Background(), job); err == nil || !strings.Contains(err.Error(), "--seed 9, not 10") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("other seed: %v", err)
	}
	job.Force = true
	res, err := batch.Run(context.Background(), job)
	must(t, err)
	if res.Skipped || res.Manifest.Seed != 10 || bytes.Equal(readFile(t, summary), good) {
		t.Fatalf("forced rerun with another seed: %+v", res)
	}
	// A forced summary-only redo in another format leaves no stale outputs.
	job.SummaryOnly, job.Format = true, "fits"
	_, err = batch.Run(context.Background(), job)
	must(t, err)
	files, _ := filepath.Glob(filepath.Join(out, "shard-0001-of-0003.*"))
	if want := []string{filepath.Join(out, "shard-0001-of-0003.json"), filepath.Join(out, "shard-0001-of-0003.summary.fits")}; !slices.Equal(files, want) {
		t.Errorf("files after a forced redo: %v, want %v", files, want)
	}
}

func TestInterrupted(t *testing.T) {
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 100, [3]string{"f1", "f2", "f3"})
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("test says stop")
	cancel(cause)
	_, err := batch.Run(ctx, batch.Job{Model: model, Input: cat, OutDir: dir, Shard: batch.Whole, Draws: 10})
	if !errors.Is(err, cause) {
		t.Fatalf("error %v, want the cause", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "shard-0000-of-0001.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an interrupted shard wrote its manifest")
	}
}

func TestBadFiles(t *testing.T) {
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 30, [3]string{"f1", "f2", "f3"})
	other := filepath.Join(dir, "other.csv")
	writeCatalogue(t, other, 30, [3]string{"g1", "f2", "f3"})
	ragged := filepath.Join(dir, "ragged.csv")
	must(t, os.WriteFile(ragged, []byte("f1,f2,f3\n1,2,3\n4,5\n"), 0o644))
	garbage := filepath.Join(dir, "garbage.cinn")
	must(t, os.WriteFile(garbage, []byte("this is not a model"), 0o644))
	mb := readFile(t, model)
	truncated := filepath.Join(dir, "truncated.cinn")
	must(t, os.WriteFile(truncated, mb[:len(mb)-100], 0o644))

	for _, tc := range []struct {
		name string
		job  batch.Job
		want []string
	}{
		{"no model", batch.Job{Model: filepath.Join(dir, "absent.cinn"), Input: cat}, []string{"absent.cinn", "no such file"}},
		{"not a model", batch.Job{Model: garbage, Input: cat}, []string{"garbage.cinn", "not a gocinn model"}},
		{"truncated model", batch.Job{Model: truncated, Input: cat}, []string{"truncated.cinn", "corrupt"}},
		{"no input", batch.Job{Model: model, Input: filepath.Join(dir, "absent.csv")}, []string{"absent.csv"}},
		{"ragged input", batch.Job{Model: model, Input: ragged}, []string{"ragged.csv", "line 3"}},
		{"missing column", batch.Job{Model: model, Input: other}, []string{`no column "f1"`, "--columns f1=COLUMN", "g1"}},
		{"bad mapping", batch.Job{Model: model, Input: cat, Columns: []string{"nope=f1"}}, []string{`no observable "nope"`, "f1, f2, f3"}},
		{"wrong count", batch.Job{Model: model, Input: cat, Columns: []string{"f1", "f2"}}, []string{"one catalogue column per observable"}},
		{"bad keep", batch.Job{Model: model, Input: cat, Keep: []string{"sourceid"}}, []string{"--keep", "source_id"}},
		{"bad format", batch.Job{Model: model, Input: cat, Format: "xlsx"}, []string{"--format"}},
		{"too large", batch.Job{Model: model, Input: cat, MaxBytes: 100}, []string{"memory limit", "--max-bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.job.OutDir, tc.job.Shard, tc.job.Draws = filepath.Join(dir, "out"), batch.Whole, 10
			_, err := batch.Run(context.Background(), tc.job)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestMergeReports(t *testing.T) {
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 100, [3]string{"f1", "f2", "f3"})
	out := filepath.Join(dir, "out dir") // a space, to check the quoting
	job := batch.Job{Model: model, Input: cat, OutDir: out, Draws: 20, Seed: 5, SummaryOnly: true}
	for _, i := range []int{0, 1, 3} {
		job.Shard = batch.Shard{Index: i, Count: 4}
		_, err := batch.Run(context.Background(), job)
		must(t, err)
	}
	// Shard 3's summary is damaged after the fact.
	s3 := filepath.Join(out, "shard-0003-of-0004.summary.csv")
	b := readFile(t, s3)
	b[len(b)-2] ^= 1
	must(t, os.WriteFile(s3, b, 0o644))

	r, err := batch.Merge(context.Background(), out, "")
	var ie *batch.IncompleteError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want an *IncompleteError", err)
	}
	if len(r.Problems) != 2 || r.Problems[0].Shard.Index != 2 || r.Problems[1].Shard.Index != 3 || r.Done != 2 {
		t.Fatalf("problems %+v", r.Problems)
	}
	msg := err.Error()
	for _, w := range []string{"shard 2/4: no manifest", "shard 3/4: output damaged", "--shard 2/4", "'" + out + "'", "--summary-only", "--array=2,3"} {
		if !strings.Contains(msg, w) {
			t.Errorf("merge error lacks %q:\n%s", w, msg)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "merged.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Error("an incomplete merge wrote a table")
	}
	if rc, err := batch.Check(context.Background(), out); !errors.As(err, &ie) || len(rc.Problems) != 2 {
		t.Errorf("Check of an incomplete run: %v", err)
	}
	// A shard that fails leaves its error for Merge to report.
	bad := filepath.Join(dir, "bad.csv")
	must(t, os.WriteFile(bad, []byte("f1,f2,f3\n1,2,3\n4,5\n"), 0o644))
	failJob := job
	failJob.Input, failJob.Shard, failJob.Force = bad, batch.Shard{Index: 2, Count: 4}, true
	if _, err := batch.Run(context.Background(), failJob); err == nil {
		t.Fatal("no error for a ragged catalogue")
	}
	_, err = batch.Merge(context.Background(), out, "")
	if err == nil || !strings.Contains(err.Error(), "shard 2/4: failed: ") || !strings.Contains(err.Error(), "bad.csv") {
		t.Errorf("merge after a failed shard: %v", err)
	}
	// Running the missing shards completes the run.
	for _, p := range r.Problems {
		job.Shard = p.Shard
		_, err := batch.Run(context.Background(), job)
		must(t, err)
	}
	if _, err := os.Stat(filepath.Join(out, "shard-0002-of-0004.failed")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a successful run left the error of the failed one: %v", err)
	}
	rc, err := batch.Check(context.Background(), out)
	if err != nil || rc.Done != 4 || rc.Out != "" || rc.BadRows != 2 {
		t.Errorf("Check of a finished run: %+v, %v", rc, err)
	}
	r, err = batch.Merge(context.Background(), out, filepath.Join(dir, "all.fits"))
	must(t, err)
	m := readTable(t, r.Out)
	rows, ok := m.Int64("row")
	if !ok || len(rows) != 100 || rows[0] != 0 || rows[99] != 99 {
		t.Errorf("merged rows %v", rows)
	}

	// A shard of another run (another seed) is reported with --force.
	job.Shard, job.Seed, job.Force = batch.Shard{Index: 1, Count: 4}, 6, true
	_, err = batch.Run(context.Background(), job)
	must(t, err)
	_, err = batch.Merge(context.Background(), out, "")
	if err == nil || !strings.Contains(err.Error(), "shard 1/4: made with other settings") || !strings.Contains(err.Error(), "--seed 6, not 5") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("mixed seeds: %v", err)
	}
	// The majority of shards decides which settings are the run's. With
	// shards 0 and 1 at seed 6 and 2 and 3 at seed 5 it is a tie, which
	// goes to the lowest shard: 2 and 3 are reported.
	job.Shard = batch.Shard{Index: 0, Count: 4}
	_, err = batch.Run(context.Background(), job)
	must(t, err)
	r, err = batch.Merge(context.Background(), out, "")
	if !errors.As(err, &ie) || len(r.Problems) != 2 || r.Problems[0].Shard.Index != 2 || !strings.Contains(r.Problems[0].Command, "--seed 6") {
		t.Errorf("tie of seeds: %+v, %v", r, err)
	}
	job.Shard = batch.Shard{Index: 2, Count: 4}
	_, err = batch.Run(context.Background(), job)
	must(t, err)
	r, err = batch.Merge(context.Background(), out, "")
	if !errors.As(err, &ie) || len(r.Problems) != 1 || r.Problems[0].Shard.Index != 3 {
		t.Errorf("majority of seed 6: %+v, %v", r, err)
	}
	if _, err := batch.Merge(context.Background(), dir, ""); err == nil || !strings.Contains(err.Error(), "no shard manifests") {
		t.Errorf("folder without shards: %v", err)
	}
	if _, err := batch.Merge(context.Background(), out, filepath.Join(dir, "x.parquet")); err == nil || !strings.Contains(err.Error(), "Parquet is not written") {
		t.Errorf("parquet: %v", err)
	}
}

// TestMoreShardsThanRows checks empty shards: 3 stars in 5 shards.
func TestMoreShardsThanRows(t *testing.T) {
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 3, [3]string{"f1", "f2", "f3"})
	for _, format := range []string{"csv", "fits", "npz"} {
		whole, sharded := filepath.Join(dir, format+"1"), filepath.Join(dir, format+"5")
		job := batch.Job{Model: model, Input: cat, Draws: 30, Seed: 1, Format: format, Keep: []string{"name"}}
		job.OutDir = whole
		runAll(t, job, 1)
		job.OutDir = sharded
		runAll(t, job, 5)
		rw, err := batch.Merge(context.Background(), whole, filepath.Join(dir, format+"-whole."+format))
		must(t, err)
		rs, err := batch.Merge(context.Background(), sharded, filepath.Join(dir, format+"-sharded."+format))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !bytes.Equal(readFile(t, rw.Out), readFile(t, rs.Out)) {
			t.Errorf("%s: 3 rows in 1 and in 5 shards differ", format)
		}
	}
}

// TestSummaryMatchesSamples recomputes the summaries from the raw samples of
// the same run with cinn/diagnostics and numpy's percentile definition.
func TestSummaryMatchesSamples(t *testing.T) {
	model := testModel(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 90, [3]string{"f1", "f2", "f3"})
	res, err := batch.Run(context.Background(), batch.Job{Model: model, Input: cat, OutDir: dir, Shard: batch.Shard{Index: 1, Count: 2}, Draws: 101, Seed: 4})
	must(t, err)
	sum := readTable(t, filepath.Join(dir, res.Manifest.Output[0].File))
	smp := readTable(t, filepath.Join(dir, res.Manifest.Output[1].File))
	rows, _ := smp.Int64("row")
	draws, _ := smp.Int64("draw")
	sumRows, _ := sum.Int64("row")
	if sumRows[0] != 45 || len(sumRows) != 45 {
		t.Fatalf("summary rows %d … (%d), want 45 … (45)", sumRows[0], len(sumRows))
	}
	for _, x := range []string{"age", "mass"} {
		v, _ := smp.Col(x)
		for i, row := range sumRows {
			var s []float64
			for k := range rows {
				if rows[k] == row {
					if draws[k] != int64(len(s)) {
						t.Fatalf("row %d: draw %d out of order", row, draws[k])
					}
					s = append(s, v[k])
				}
			}
			if row == invalidRow {
				if len(s) != 0 {
					t.Errorf("row %d with bad input has %d samples", row, len(s))
				}
				continue
			}
			if len(s) != 101 {
				t.Fatalf("row %d: %d samples, want 101", row, len(s))
			}
			got := map[string]float64{}
			for _, st := range batch.Stats {
				c, _ := sum.Col(x + "_" + st)
				got[st] = c[i]
			}
			slices.Sort(s)
			mode, _ := diagnostics.Mode(s)
			want := map[string]float64{
				"map": mode, "median": s[50],
				"p16": diagnostics.Percentile(s, 0.16), "p84": diagnostics.Percentile(s, 0.84),
				"p2_5": diagnostics.Percentile(s, 0.025), "p97_5": diagnostics.Percentile(s, 0.975),
			}
			for st, w := range want {
				if math.Abs(got[st]-w) > 1e-12*math.Max(1, math.Abs(w)) {
					t.Errorf("row %d %s_%s = %v, from the samples %v", row, x, st, got[st], w)
				}
			}
			if got["std"] <= 0 || got["mean"] < s[0] || got["mean"] > s[100] {
				t.Errorf("row %d %s: mean %v std %v", row, x, got["mean"], got["std"])
			}
		}
	}
}

// TestExtrapolatedColumn: the summary's extrapolated column is the fraction
// of each star's draws more than half the training range outside it, NaN
// for bad rows, and the log names the stars that have any.
func TestExtrapolatedColumn(t *testing.T) {
	dir := t.TempDir()
	// testModel is barely trained and ignores its observables; this one
	// has learnt them, and so follows a far star's observables out.
	m, err := cinn.NewModel(cinn.Config{DimX: 2, DimY: 3, Blocks: 2, Hidden: 16, Layers: 1, Seed: 1}, cinn.Spec{
		XNames: []string{"age", "mass"}, YNames: []string{"f1", "f2", "f3"},
		YTransforms: []cinn.Transform{{}, {}, {Kind: cinn.Log10}},
	})
	must(t, err)
	xt, yt := simulate(rand.New(rand.NewPCG(1, 2)), 512)
	_, err = m.Train(context.Background(), xt, yt, nil, nil, cinn.TrainSettings{Epochs: 40, BatchSize: 64, Seed: 3})
	must(t, err)
	model := filepath.Join(dir, "trained.cinn")
	must(t, m.Save(model))
	cat := filepath.Join(dir, "cat.csv")
	writeCatalogue(t, cat, 100, [3]string{"f1", "f2", "f3"})
	tb := readTable(t, cat)
	const far = 40 // a star far outside the training data
	for j, v := range map[string]float64{"f1": 60, "f2": -60, "f3": 1e6} {
		c, err := tb.Col(j)
		must(t, err)
		c[far] = v
	}
	must(t, table.WriteFile(cat, tb))
	var log bytes.Buffer
	res, err := batch.Run(context.Background(), batch.Job{Model: model, Input: cat, OutDir: dir, Shard: batch.Whole, Draws: 100, Seed: 1, Log: &log})
	must(t, err)
	lo, hi := m.TrainingRange()
	sum := readTable(t, filepath.Join(dir, res.Manifest.Output[0].File))
	ext, err := sum.Col("extrapolated")
	must(t, err)
	raw := readTable(t, filepath.Join(dir, res.Manifest.Output[1].File))
	rows, _ := raw.Col("row")
	x, err := raw.Matrix("age", "mass")
	must(t, err)
	for i, f := range ext {
		if i == nanRow || i == invalidRow {
			if !math.IsNaN(f) {
				t.Errorf("row %d with bad input: extrapolated %v, want NaN", i, f)
			}
			continue
		}
		k := slices.Index(rows, float64(i))
		want := float64(diagnostics.Extrapolated(x.Slice(k, k+100, 0, 2), lo, hi, batch.ExtrapolationMargin).Rows) / 100
		if f != want {
			t.Errorf("row %d: extrapolated %v, want %v", i, f, want)
		}
	}
	if !(ext[far] > 0.5) || !strings.Contains(log.String(), "outside it (rows") || !strings.Contains(log.String(), "40") {
		t.Errorf("far star: extrapolated %v (want most draws), log:\n%s", ext[far], log.String())
	}
}
