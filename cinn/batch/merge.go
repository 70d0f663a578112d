// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gocinn/gocinn/cinn/table"
)

// A ShardProblem is a shard that Merge found unfinished or broken.
type ShardProblem struct {
	Shard   Shard
	Problem string // what is wrong
	Command string // the command that redoes the shard
}

// A MergeReport describes the shards Merge found.
type MergeReport struct {
	Dir      string
	Shards   int            // the number of shards of the run
	Done     int            // finished and intact shards
	Rows     int            // rows of the catalogue
	BadRows  int            // rows whose status is not 0
	Problems []ShardProblem // unfinished or broken shards, by index
	Out      string         // the merged table, when written
}

// IncompleteError is returned by Merge when shards are missing or broken.
type IncompleteError struct {
	Report *MergeReport
}

func (e *IncompleteError) Error() string {
	r := e.Report
	var b strings.Builder
	fmt.Fprintf(&b, "batch: %d of %d shards in %s are not finished; nothing merged. Rerun them:\n", len(r.Problems), r.Shards, r.Dir)
	var ids []string
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  shard %v: %s\n    %s\n", p.Shard, p.Problem, p.Command)
		ids = append(ids, fmt.Sprint(p.Shard.Index))
	}
	fmt.Fprintf(&b, "or resubmit just these tasks of a Slurm array whose script passes --shards %d: sbatch --array=%s …; a Kubernetes Indexed Job can simply be run again, finished shards are skipped", r.Shards, strings.Join(ids, ","))
	return b.String()
}

// Merge checks every shard manifest in dir and, when all shards of the run
// are finished and intact, concatenates their summary tables in row order
// into out, whose extension chooses the format (.csv, .tsv, .npz, .fits;
// "" means dir/merged.<format of the shards>, .npz for .npy shards). The
// checks: every manifest names the same model, catalogue and settings;
// shards 0 … N−1 are all present and their row ranges tile the catalogue;
// every output has the size and SHA-256 its manifest records. Otherwise
// Merge writes nothing and returns an *IncompleteError listing each missing
// or broken shard with the command that redoes it.
func Merge(ctx context.Context, dir, out string) (*MergeReport, error) {
	if strings.HasSuffix(strings.ToLower(out), ".parquet") {
		return nil, fmt.Errorf("batch: %s: Parquet is not written by cinn/table; use .fits (astropy), .npz (numpy) or .csv (pandas, dask.dataframe.read_csv)", out)
	}
	r, shards, err := check(ctx, dir)
	if err != nil {
		return r, err
	}
	dir, ref, n := r.Dir, shards[0], r.Shards
	if out == "" {
		f := ref.Format
		if f == table.FormatNPY {
			f = table.FormatNPZ
		}
		out = filepath.Join(dir, "merged."+f)
	}
	parts := make([]*table.Table, n)
	for i := 0; i < n; i++ {
		if err := context.Cause(ctx); err != nil {
			return nil, fmt.Errorf("batch: merge interrupted: %w", err)
		}
		m := shards[i]
		var file string
		for _, o := range m.Output {
			if o.Kind == "summary" {
				file = filepath.Join(dir, o.File)
			}
		}
		t, err := table.ReadFile(file, table.ReadOptions{MaxBytes: 1 << 62})
		if err != nil {
			return r, fmt.Errorf("batch: shard %v: %w", m.ShardOf(), err)
		}
		if m.Format == table.FormatNPY { // names are not stored in .npy
			if len(t.Names()) != len(m.Columns) {
				return r, fmt.Errorf("batch: shard %v: %s has %d columns, the manifest lists %d", m.ShardOf(), file, len(t.Names()), len(m.Columns))
			}
			for j, c := range slices.Clone(t.Names()) {
				if err := t.Rename(c, m.Columns[j]); err != nil {
					return r, err
				}
			}
		}
		if !slices.Equal(t.AllNames(), m.Columns) || t.Len() != m.Rows {
			return r, fmt.Errorf("batch: shard %v: %s has columns %v and %d rows; the manifest says %v and %d", m.ShardOf(), file, t.AllNames(), t.Len(), m.Columns, m.Rows)
		}
		parts[i] = t
	}
	merged, err := concat(parts, ref.Columns)
	if err != nil {
		return r, err
	}
	if err := table.WriteFile(out, merged); err != nil {
		return r, fmt.Errorf("batch: %w", err)
	}
	r.Out = out
	return r, nil
}

// Check checks the shard manifests and outputs in dir as Merge does, without
// merging: for runs too large to concatenate into one file, whose per-shard
// summaries are read directly (dask.dataframe.read_csv("DIR/shard-*.summary.csv")).
// It returns an *IncompleteError when shards are missing or broken.
func Check(ctx context.Context, dir string) (*MergeReport, error) {
	r, _, err := check(ctx, dir)
	return r, err
}

// check checks the shards of dir and returns their manifests in shard order.
func check(ctx context.Context, dir string) (*MergeReport, []*Manifest, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, nil, fmt.Errorf("batch: %s is not a folder of shard outputs: give the --out folder of gocinn sample", dir)
	}
	files, err := filepath.Glob(filepath.Join(dir, "shard-*-of-*.json"))
	if err != nil {
		return nil, nil, err
	}
	type found struct {
		s   Shard
		m   *Manifest
		err error
	}
	var all []found
	for _, f := range files {
		var s Shard
		if _, err := fmt.Sscanf(filepath.Base(f), "shard-%d-of-%d.json", &s.Index, &s.Count); err != nil || !s.Valid() || filepath.Base(f) != s.Name()+".json" {
			continue
		}
		m, err := ReadManifest(f)
		if err == nil && m.ShardOf() != s {
			err = fmt.Errorf("the manifest is of shard %v, not %v", m.ShardOf(), s)
		}
		all = append(all, found{s, m, err})
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("batch: no shard manifests (shard-*-of-*.json) in %s: run gocinn sample --out %s --shard i/N for every shard first", dir, dir)
	}
	counts := map[int]int{}
	for _, f := range all {
		counts[f.s.Count]++
	}
	if len(counts) > 1 {
		var cs []string
		for c := range counts {
			cs = append(cs, fmt.Sprint(c))
		}
		sort.Strings(cs)
		return nil, nil, fmt.Errorf("batch: %s holds shards of runs with different shard counts (%s): keep each run in its own --out folder", dir, strings.Join(cs, ", "))
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s.Index < all[j].s.Index })
	// The reference settings are those of the most shards (ties: of the
	// lowest shard), so one stray shard is the one reported.
	var ref *Manifest
	votes := map[string]int{}
	for _, f := range all {
		if f.err == nil {
			votes[f.m.settingsKey()]++
		}
	}
	for _, f := range all {
		if f.err == nil && (ref == nil || votes[f.m.settingsKey()] > votes[ref.settingsKey()]) {
			ref = f.m
		}
	}
	if ref == nil {
		return nil, nil, fmt.Errorf("batch: no readable manifest in %s (%v): rerun the shards", dir, all[0].err)
	}
	ref = cloneForCommand(ref, dir)
	n := ref.Shards
	r := &MergeReport{Dir: dir, Shards: n, Rows: ref.TotalRows}
	byIndex := map[int]found{}
	for _, f := range all {
		byIndex[f.s.Index] = f
	}
	for i := 0; i < n; i++ {
		if err := context.Cause(ctx); err != nil {
			return nil, nil, fmt.Errorf("batch: merge interrupted: %w", err)
		}
		s := Shard{i, n}
		f, ok := byIndex[i]
		problem, force := "", false
		switch {
		case !ok:
			problem = "no manifest (not run, still running, or interrupted)"
			if b, err := os.ReadFile(filepath.Join(dir, s.Name()+".failed")); err == nil {
				problem = "failed: " + strings.TrimSpace(string(b))
			}
		case f.err != nil:
			problem = f.err.Error()
		default:
			if d := f.m.sameSettings(withShard(ref, s)); d != "" {
				problem, force = "made with other settings than shard "+ref.ShardOf().String()+": "+d, true
				break
			}
			lo, hi := s.Rows(ref.TotalRows)
			if f.m.TotalRows != ref.TotalRows || f.m.RowStart != lo || f.m.RowEnd != hi {
				problem, force = fmt.Sprintf("rows [%d, %d) of %d, expected [%d, %d) of %d", f.m.RowStart, f.m.RowEnd, f.m.TotalRows, lo, hi, ref.TotalRows), true
				break
			}
			if err := f.m.verify(dir); err != nil {
				problem = "output damaged: " + err.Error()
			}
		}
		if problem != "" {
			cmd := ref.Command(s)
			if force {
				cmd += " --force"
			}
			r.Problems = append(r.Problems, ShardProblem{Shard: s, Problem: problem, Command: cmd})
			continue
		}
		r.Done++
		r.BadRows += f.m.BadRows
	}
	if len(r.Problems) > 0 {
		return r, nil, &IncompleteError{r}
	}
	shards := make([]*Manifest, n)
	for i := range shards {
		shards[i] = byIndex[i].m
	}
	return r, shards, nil
}

// withShard returns a copy of m describing shard s, for comparisons.
func withShard(m *Manifest, s Shard) *Manifest {
	c := *m
	c.Shard, c.Shards = s.Index, s.Count
	return &c
}

// cloneForCommand returns a copy of m whose output folder is dir (where
// the manifests are now, which may differ from where they were written).
func cloneForCommand(m *Manifest, dir string) *Manifest {
	c := *m
	c.OutDir = dir
	return &c
}

// concat stacks tables with the same columns.
func concat(parts []*table.Table, names []string) (*table.Table, error) {
	t := new(table.Table)
	first := parts[0]
	for _, p := range parts {
		if p.Len() > 0 {
			first = p
			break
		}
	}
	for _, name := range names {
		if _, err := first.Text(name); err == nil {
			var v []string
			for _, p := range parts {
				s, err := p.Text(name)
				if err != nil && p.Len() == 0 {
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("batch: column %s: %w", name, err)
				}
				v = append(v, s...)
			}
			if err := t.AddText(name, v, ""); err != nil {
				return nil, err
			}
			continue
		}
		exact := true
		for _, p := range parts {
			if _, ok := p.Int64(name); !ok && p.Len() > 0 {
				exact = false
			}
		}
		if exact {
			var v []int64
			for _, p := range parts {
				s, _ := p.Int64(name)
				v = append(v, s...)
			}
			if err := t.AddInt64(name, v, ""); err != nil {
				return nil, err
			}
			continue
		}
		var v []float64
		for _, p := range parts {
			s, err := p.Col(name)
			if err != nil {
				return nil, fmt.Errorf("batch: column %s: %w", name, err)
			}
			v = append(v, s...)
		}
		if err := t.AddColumn(name, v, ""); err != nil {
			return nil, err
		}
	}
	return t, nil
}
