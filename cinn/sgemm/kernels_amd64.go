// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build amd64 && !purego

package sgemm

//go:generate go run ./internal/asmgen/main.go -o kernels_amd64.s

// The micro-kernels of kernels_amd64.s; see kernFunc.

//go:noescape
func avx2K6x16(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func avx2K12x8(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func avx512K12x32(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func avx512K14x32(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func avx512K21x16(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// features reports whether the CPU and the operating system support the
// AVX2+FMA and the AVX-512F kernels: the instructions (CPUID) and the saving
// of the ymm and zmm registers on context switches (XCR0).
//
// It reads CPUID itself rather than through golang.org/x/sys/cpu, whose
// current release needs a newer go directive than the module has. On macOS,
// which enables the AVX-512 state lazily, XCR0 may not show it and the AVX2
// kernels are used.
func features() (avx2FMA, avx512 bool) {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false, false
	}
	xcr0, _ := xgetbv()
	if xcr0&0x6 != 0x6 { // SSE and AVX state
		return false, false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		avx2    = 1 << 5
		avx512f = 1 << 16
	)
	avx2FMA = ebx7&avx2 != 0
	avx512 = avx2FMA && ebx7&avx512f != 0 && xcr0&0xe0 == 0xe0 // opmask, ZMM_Hi256, Hi16_ZMM
	return avx2FMA, avx512
}

//go:noescape
func avx512K6x64(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// kernelSets lists the kernel sets this CPU can run, fastest first.
func kernelSets() []kernelSet {
	var sets []kernelSet
	hasAVX2, hasAVX512 := features()
	if hasAVX512 {
		sets = append(sets, kernelSet{name: "avx512", dot: &dotKernel{name: "avx512Dot4x6", mr: 4, nd: 6, fn: avx512Dot4x6}, gemvT: &gemvKernel{strip: 64, masked: true, fn: avx512GemvT64}, kernels: []kernel{
			{name: "avx512K12x32", mr: 12, nr: 32, speed: 28, fn: avx512K12x32},
			{name: "avx512K14x32", mr: 14, nr: 32, speed: 28.5, fn: avx512K14x32},
			{name: "avx512K21x16", mr: 21, nr: 16, speed: 26, fn: avx512K21x16},
			{name: "avx512K6x64", mr: 6, nr: 64, speed: 28, fn: avx512K6x64},
		}})
	}
	if hasAVX2 {
		sets = append(sets, kernelSet{name: "avx2", gemvT: &gemvKernel{strip: 32, fn: avx2GemvT32}, kernels: []kernel{
			{name: "avx2K6x16", mr: 6, nr: 16, speed: 14, fn: avx2K6x16},
			{name: "avx2K12x8", mr: 12, nr: 8, speed: 13, fn: avx2K12x8},
		}})
	}
	return append(sets, kernelSet{name: "go", kernels: []kernel{goKernel}})
}

//go:noescape
func avx512Dot4x6(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func avx512GemvT64(m int, a *float32, lda int, x *float32, y *float32, alpha float32, masks uint64)

//go:noescape
func avx2GemvT32(m int, a *float32, lda int, x *float32, y *float32, alpha float32, masks uint64)
