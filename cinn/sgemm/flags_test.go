// Copyright ©2026 The gocinn Authors. All rights reserved.

package sgemm

import "flag"

var seed = flag.Uint64("sgemm.seed", 1, "seed of TestRandom")
