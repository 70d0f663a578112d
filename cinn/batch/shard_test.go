// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch_test

import (
	"strings"
	"testing"

	"github.com/gocinn/gocinn/cinn/batch"
)

func TestShardRows(t *testing.T) {
	for _, total := range []int{0, 1, 2, 7, 10, 203, 1000003} {
		for _, n := range []int{1, 2, 3, 4, 7, 10, 64} {
			next, small, big := 0, total, 0
			for i := 0; i < n; i++ {
				lo, hi := batch.Shard{Index: i, Count: n}.Rows(total)
				if lo != next || hi < lo {
					t.Fatalf("%d rows, shard %d/%d: [%d, %d), want it to start at %d", total, i, n, lo, hi, next)
				}
				next = hi
				small, big = min(small, hi-lo), max(big, hi-lo)
			}
			if next != total {
				t.Errorf("%d rows in %d shards: the shards end at %d", total, n, next)
			}
			if big-small > 1 {
				t.Errorf("%d rows in %d shards: sizes from %d to %d", total, n, small, big)
			}
		}
	}
	// Large catalogues do not overflow.
	lo, hi := batch.Shard{Index: 99999, Count: 100000}.Rows(1_000_000_000)
	if lo != 999_990_000 || hi != 1_000_000_000 {
		t.Errorf("last of 10^5 shards of 10^9 rows: [%d, %d)", lo, hi)
	}
	if got := (batch.Shard{Index: 3, Count: 10}).Name(); got != "shard-0003-of-0010" {
		t.Errorf("Name = %q", got)
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want batch.Shard
		err  string
	}{
		{"0/1", batch.Shard{0, 1}, ""},
		{"3/10", batch.Shard{3, 10}, ""},
		{" 9/10 ", batch.Shard{9, 10}, ""},
		{"10/10", batch.Shard{}, "0 ≤ i < N"},
		{"-1/10", batch.Shard{}, "0 ≤ i < N"},
		{"1/0", batch.Shard{}, "0 ≤ i < N"},
		{"3", batch.Shard{}, "want i/N"},
		{"a/b", batch.Shard{}, "integers"},
	} {
		got, err := batch.ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q): error %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestShardFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		count int
		want  batch.Shard
		ok    bool
		err   string
	}{
		{name: "nothing", env: nil},
		{name: "slurm from 0", env: map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "9"}, want: batch.Shard{3, 10}, ok: true},
		{name: "slurm from 1", env: map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "10"}, want: batch.Shard{0, 10}, ok: true},
		{name: "slurm last from 1", env: map[string]string{"SLURM_ARRAY_TASK_ID": "10", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "10"}, want: batch.Shard{9, 10}, ok: true},
		{name: "slurm no count", env: map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_MAX": "5"}, want: batch.Shard{2, 4}, ok: true},
		{name: "slurm --shards", env: map[string]string{"SLURM_ARRAY_TASK_ID": "4"}, count: 8, want: batch.Shard{4, 8}, ok: true},
		{name: "slurm GOCINN_SHARDS", env: map[string]string{"SLURM_ARRAY_TASK_ID": "4", "GOCINN_SHARDS": "6"}, want: batch.Shard{4, 6}, ok: true},
		{name: "slurm id only", env: map[string]string{"SLURM_ARRAY_TASK_ID": "4"}, err: "give --shards"},
		{name: "slurm step", env: map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "5", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "8", "SLURM_ARRAY_TASK_STEP": "2"}, err: "step 2"},
		{name: "slurm step --shards", env: map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "5", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "8", "SLURM_ARRAY_TASK_STEP": "2"}, count: 10, want: batch.Shard{4, 10}, ok: true},
		{name: "slurm resubmitted subset", env: map[string]string{"SLURM_ARRAY_TASK_ID": "17", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_MAX": "42"}, count: 100, want: batch.Shard{17, 100}, ok: true},
		{name: "slurm subset from 1", env: map[string]string{"SLURM_ARRAY_TASK_ID": "100", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_MIN": "7", "SLURM_ARRAY_TASK_MAX": "100", "GOCINN_SHARD_BASE": "1", "GOCINN_SHARDS": "100"}, want: batch.Shard{99, 100}, ok: true},
		{name: "slurm second array", env: map[string]string{"SLURM_ARRAY_TASK_ID": "999", "GOCINN_SHARD_BASE": "-1000"}, count: 2000, want: batch.Shard{1999, 2000}, ok: true},
		{name: "slurm from 1 without base", env: map[string]string{"SLURM_ARRAY_TASK_ID": "100", "GOCINN_SHARDS": "100"}, err: "out of range"},
		{name: "slurm list", env: map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7"}, err: "not one contiguous range"},
		{name: "slurm out of range", env: map[string]string{"SLURM_ARRAY_TASK_ID": "12"}, count: 10, err: "out of range"},
		{name: "slurm garbage", env: map[string]string{"SLURM_ARRAY_TASK_ID": "x"}, err: "not an integer"},
		{name: "k8s", env: map[string]string{"JOB_COMPLETION_INDEX": "2", "GOCINN_SHARDS": "5"}, want: batch.Shard{2, 5}, ok: true},
		{name: "k8s --shards wins", env: map[string]string{"JOB_COMPLETION_INDEX": "2", "GOCINN_SHARDS": "5"}, count: 3, want: batch.Shard{2, 3}, ok: true},
		{name: "k8s no count", env: map[string]string{"JOB_COMPLETION_INDEX": "2"}, err: "GOCINN_SHARDS"},
		{name: "k8s out of range", env: map[string]string{"JOB_COMPLETION_INDEX": "5", "GOCINN_SHARDS": "5"}, err: "out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := batch.ShardFromEnv(func(k string) string { return tc.env[k] }, tc.count)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || ok != tc.ok || got != tc.want {
				t.Fatalf("got %v, %v, %v; want %v, %v", got, ok, err, tc.want, tc.ok)
			}
		})
	}
}
