// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch_test

import (
	"fmt"

	"github.com/gocinn/gocinn/cinn/batch"
)

// Ten rows in four shards: contiguous slices whose sizes differ by at most one.
func ExampleShard_Rows() {
	for i := 0; i < 4; i++ {
		s := batch.Shard{Index: i, Count: 4}
		lo, hi := s.Rows(10)
		fmt.Printf("%s %v: rows [%d, %d)\n", s.Name(), s, lo, hi)
	}
	// Output:
	// shard-0000-of-0004 0/4: rows [0, 2)
	// shard-0001-of-0004 1/4: rows [2, 5)
	// shard-0002-of-0004 2/4: rows [5, 7)
	// shard-0003-of-0004 3/4: rows [7, 10)
}

// A Slurm array submitted as --array=1-10 runs task ID 1 as shard 0.
func ExampleShardFromEnv() {
	env := map[string]string{
		"SLURM_ARRAY_TASK_ID":    "1",
		"SLURM_ARRAY_TASK_MIN":   "1",
		"SLURM_ARRAY_TASK_MAX":   "10",
		"SLURM_ARRAY_TASK_COUNT": "10",
	}
	s, ok, err := batch.ShardFromEnv(func(k string) string { return env[k] }, 0)
	fmt.Println(s, ok, err)
	// Output:
	// 0/10 true <nil>
}
