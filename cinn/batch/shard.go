// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch

import (
	"fmt"
	"strconv"
	"strings"
)

// A Shard is shard Index (0-based) of Count shards of a catalogue.
type Shard struct {
	Index, Count int
}

// Whole is the single shard that covers the whole catalogue.
var Whole = Shard{Index: 0, Count: 1}

// String returns "i/N", the form ParseShard reads and --shard takes.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Name returns the base name of the shard's files, "shard-0003-of-0010".
func (s Shard) Name() string { return fmt.Sprintf("shard-%04d-of-%04d", s.Index, s.Count) }

// Valid reports whether 0 ≤ Index < Count.
func (s Shard) Valid() bool { return s.Count >= 1 && s.Index >= 0 && s.Index < s.Count }

// Rows returns the rows [lo, hi) of a catalogue of total rows that the shard
// covers: lo = ⌊Index·total/Count⌋, hi = ⌊(Index+1)·total/Count⌋. The shards
// of one Count partition the rows into contiguous slices whose sizes differ
// by at most one. Rows panics if the shard is not Valid or total < 0.
func (s Shard) Rows(total int) (lo, hi int) {
	if !s.Valid() || total < 0 {
		panic(fmt.Sprintf("batch: Rows of shard %v with %d rows", s, total))
	}
	t := int64(total)
	return int(int64(s.Index) * t / int64(s.Count)), int(int64(s.Index+1) * t / int64(s.Count))
}

// ParseShard parses "i/N" with 0 ≤ i < N.
func ParseShard(text string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(text), "/")
	if !ok {
		return Shard{}, fmt.Errorf("batch: shard %q: want i/N, for example 3/10 (shards are numbered from 0)", text)
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("batch: shard %q: want i/N with integers i and N, for example 3/10", text)
	}
	s := Shard{Index: i, Count: n}
	if !s.Valid() {
		return Shard{}, fmt.Errorf("batch: shard %q: want 0 ≤ i < N (shards are numbered from 0 to N-1)", text)
	}
	return s, nil
}

// Environment variables read by ShardFromEnv.
const (
	EnvSlurmID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmCount = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmMin   = "SLURM_ARRAY_TASK_MIN"
	EnvSlurmMax   = "SLURM_ARRAY_TASK_MAX"
	EnvSlurmStep  = "SLURM_ARRAY_TASK_STEP"
	EnvK8sIndex   = "JOB_COMPLETION_INDEX"
	EnvShards     = "GOCINN_SHARDS"
	EnvShardBase  = "GOCINN_SHARD_BASE"
)

// ShardFromEnv finds the shard of a task of a Slurm job array or of a
// Kubernetes Indexed Job from the environment, read with getenv (os.Getenv).
// count, if positive, is the number of shards given on the command line
// (--shards); it overrides the one from the environment. ok is false when
// neither scheduler's variables are set.
//
// Slurm, when the count is known (count > 0, or GOCINN_SHARDS): the task ID
// is the shard index, less GOCINN_SHARD_BASE (default 0; set it to 1 for an
// array numbered 1 … N). The array may then be any set of IDs, so a few
// failed shards can be resubmitted alone (sbatch --array=3,17,42).
//
// Slurm, when the count is not given: the index is SLURM_ARRAY_TASK_ID −
// SLURM_ARRAY_TASK_MIN and the count SLURM_ARRAY_TASK_COUNT (or MAX − MIN + 1),
// so whole arrays numbered 0 … N−1 and 1 … N both work; an array that is
// not one contiguous range (a step, a list) is refused, as its count would
// not be the number of shards.
//
// Kubernetes: the index is JOB_COMPLETION_INDEX (0-based), the count is count
// or else GOCINN_SHARDS (Kubernetes does not export the Job's completions; set
// GOCINN_SHARDS to .spec.completions in the manifest).
func ShardFromEnv(getenv func(string) string, count int) (s Shard, ok bool, err error) {
	num := func(name string) (int, bool, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, false, fmt.Errorf("batch: environment variable %s=%q is not an integer", name, v)
		}
		return n, true, nil
	}
	envCount, haveEnvCount, err := num(EnvShards)
	if err != nil {
		return Shard{}, false, err
	}
	if count <= 0 && haveEnvCount {
		count = envCount
	}
	check := func(s Shard, from string) (Shard, bool, error) {
		if !s.Valid() {
			return Shard{}, false, fmt.Errorf("batch: shard %d of %d (from %s) is out of range: the index must be in 0 … count-1; check the array range and --shards", s.Index, s.Count, from)
		}
		return s, true, nil
	}

	if id, ok, err := num(EnvSlurmID); err != nil {
		return Shard{}, false, err
	} else if ok {
		if count > 0 {
			// The count is explicit: task IDs are shard indices (from
			// GOCINN_SHARD_BASE), so any subset of tasks may be resubmitted.
			base, _, err := num(EnvShardBase)
			if err != nil {
				return Shard{}, false, err
			}
			return check(Shard{Index: id - base, Count: count}, fmt.Sprintf("%s=%d, %s=%d", EnvSlurmID, id, EnvShardBase, base))
		}
		lo, haveMin, err := num(EnvSlurmMin)
		if err != nil {
			return Shard{}, false, err
		}
		hi, haveMax, err := num(EnvSlurmMax)
		if err != nil {
			return Shard{}, false, err
		}
		step, haveStep, err := num(EnvSlurmStep)
		if err != nil {
			return Shard{}, false, err
		}
		if haveStep && step != 1 {
			return Shard{}, false, fmt.Errorf("batch: the Slurm array has step %d, so its task IDs are not contiguous shards: give --shards N (then task IDs are shard indices), or use --array=0-N-1 without a step", step)
		}
		c, haveCount, err := num(EnvSlurmCount)
		if err != nil {
			return Shard{}, false, err
		}
		var n int
		switch {
		case haveCount:
			n = c
			if haveMin && haveMax && hi-lo+1 != c {
				return Shard{}, false, fmt.Errorf("batch: the Slurm array is not one contiguous range (%d tasks between IDs %d and %d), so the shard count is unknown: give --shards N (then task IDs are shard indices)", c, lo, hi)
			}
		case haveMin && haveMax:
			n = hi - lo + 1
		default:
			return Shard{}, false, fmt.Errorf("batch: %s is set but not %s: give --shards N", EnvSlurmID, EnvSlurmCount)
		}
		return check(Shard{Index: id - lo, Count: n}, fmt.Sprintf("%s=%d, %s=%d", EnvSlurmID, id, EnvSlurmMin, lo))
	}

	if idx, ok, err := num(EnvK8sIndex); err != nil {
		return Shard{}, false, err
	} else if ok {
		if count <= 0 {
			return Shard{}, false, fmt.Errorf("batch: %s is set but the number of shards is not known: give --shards N or set %s (to the Job's completions)", EnvK8sIndex, EnvShards)
		}
		return check(Shard{Index: idx, Count: count}, fmt.Sprintf("%s=%d", EnvK8sIndex, idx))
	}
	return Shard{}, false, nil
}
