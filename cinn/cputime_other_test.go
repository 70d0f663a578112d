// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build !unix

package cinn

import "time"

// cpuTime is not measured here: the GFLOP/cpu-s metric is left out.
func cpuTime() time.Duration { return 0 }
