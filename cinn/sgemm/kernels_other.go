// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build !amd64 || purego

package sgemm

// kernelSets lists the kernel sets this build can run, fastest first.
func kernelSets() []kernelSet {
	return []kernelSet{{name: "go", kernels: []kernel{goKernel}}}
}
