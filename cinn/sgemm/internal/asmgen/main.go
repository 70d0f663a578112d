// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build ignore

// Command asmgen writes the amd64 micro-kernels of package sgemm
// (kernels_amd64.s). It is a plain text generator with no dependencies;
// run it from cinn/sgemm with
//
//	go generate
//
// which executes `go run ./internal/asmgen/main.go -o kernels_amd64.s`.
//
// Every kernel computes one MR×NR tile of
//
//	C = alpha·A·B + beta·C
//
// where A is read in place through byte strides (rsa between rows, csa
// between the k steps), B is a panel of k rows of NR contiguous float32
// values, ldb bytes apart (packed, or B itself), and C is row-major with a
// row stride of ldc bytes. When
// beta is ±0 the kernel never reads C. The Go prototype of every kernel is
//
//	func name(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// spec describes one micro-kernel.
type spec struct {
	name   string
	mr     int  // rows of the tile
	nv     int  // vectors per row of the tile
	avx512 bool // zmm registers (16 lanes) instead of ymm (8 lanes)
	unroll int  // k steps per loop iteration
}

func (s spec) lanes() int {
	if s.avx512 {
		return 16
	}
	return 8
}

var specs = []spec{
	{name: "avx2K6x16", mr: 6, nv: 2, unroll: 4},
	{name: "avx2K12x8", mr: 12, nv: 1, unroll: 4},
	{name: "avx512K12x32", mr: 12, nv: 2, avx512: true, unroll: 4},
	{name: "avx512K14x32", mr: 14, nv: 2, avx512: true, unroll: 4},
	{name: "avx512K21x16", mr: 21, nv: 1, avx512: true, unroll: 4},
	{name: "avx512K6x64", mr: 6, nv: 4, avx512: true, unroll: 4},
}

// ptrRegs hold the addresses of A's rows 3g, 3g+1 and 3g+2 (group g); the
// last two are reached through the row stride in R9. SI is free in the loop:
// C is loaded after it. DI holds B's row stride; R14, R15 and BP are left
// alone.
var ptrRegs = []string{"R8", "R10", "R12", "R13", "AX", "BX", "SI"}

type gen struct {
	buf bytes.Buffer
}

func (g *gen) p(format string, args ...any) {
	fmt.Fprintf(&g.buf, "\t"+format+"\n", args...)
}

func (g *gen) label(l string) {
	fmt.Fprintf(&g.buf, "%s:\n", l)
}

func (s spec) vreg(i int) string {
	if s.avx512 {
		return fmt.Sprintf("Z%d", i)
	}
	return fmt.Sprintf("Y%d", i)
}

// acc is the accumulator of tile row i, vector v.
func (s spec) acc(i, v int) string { return s.vreg(i*s.nv + v) }

// rowAddr is the address of A's element of row i at the current k step.
func rowAddr(i int) string {
	p := ptrRegs[i/3]
	switch i % 3 {
	case 0:
		return "(" + p + ")"
	case 1:
		return "(" + p + ")(R9*1)"
	default:
		return "(" + p + ")(R9*2)"
	}
}

func (s spec) check() {
	nacc := s.mr * s.nv
	regs := 16
	if s.avx512 {
		regs = 32
	}
	if nacc+s.nv+1 > regs {
		log.Fatalf("%s: %d accumulators do not fit", s.name, nacc)
	}
	if (s.mr+2)/3 > len(ptrRegs) {
		log.Fatalf("%s: too many rows", s.name)
	}
}

func (g *gen) kernel(s spec) {
	s.check()
	w := s.lanes()
	nacc := s.mr * s.nv
	groups := (s.mr + 2) / 3
	// Registers after the accumulators.
	bReg := func(v int) string { return s.vreg(nacc + v) }
	// Broadcast registers rotate through what is left.
	var bcast []string
	top := 16
	if s.avx512 {
		top = 32
	}
	for r := nacc + s.nv; r < top; r++ {
		bcast = append(bcast, s.vreg(r))
	}

	fmt.Fprintf(&g.buf, "\n// func %s(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)\n", s.name)
	fmt.Fprintf(&g.buf, "// %d×%d tile, %d accumulators, k unrolled by %d.\n", s.mr, s.nv*w, nacc, s.unroll)
	fmt.Fprintf(&g.buf, "TEXT ·%s(SB), NOSPLIT, $0-72\n", s.name)
	g.p("MOVQ a+8(FP), R8")
	g.p("MOVQ ldb+40(FP), DI")
	g.p("MOVQ rsa+16(FP), R9")
	g.p("MOVQ csa+24(FP), R11")
	g.p("LEAQ (R9)(R9*2), DX")
	for gi := 1; gi < groups; gi++ {
		g.p("LEAQ (%s)(DX*1), %s", ptrRegs[gi-1], ptrRegs[gi])
	}
	g.p("MOVQ b+32(FP), DX")
	g.p("MOVQ k+0(FP), CX")
	for i := 0; i < nacc; i++ {
		r := s.vreg(i)
		if s.avx512 {
			g.p("VPXORD %s, %s, %s", r, r, r)
		} else {
			g.p("VXORPS %s, %s, %s", r, r, r)
		}
	}
	step := func(off int) {
		for v := 0; v < s.nv; v++ {
			g.p("VMOVUPS %d(DX), %s", off+v*w*4, bReg(v))
		}
		for i := 0; i < s.mr; i++ {
			if s.avx512 && s.nv == 1 {
				g.p("VFMADD231PS.BCST %s, %s, %s", rowAddr(i), bReg(0), s.acc(i, 0))
				continue
			}
			bc := bcast[i%len(bcast)]
			g.p("VBROADCASTSS %s, %s", rowAddr(i), bc)
			for v := 0; v < s.nv; v++ {
				g.p("VFMADD231PS %s, %s, %s", bReg(v), bc, s.acc(i, v))
			}
		}
		for gi := 0; gi < groups; gi++ {
			g.p("ADDQ R11, %s", ptrRegs[gi])
		}
		g.p("ADDQ DI, DX")
	}
	lu := s.name + "_unrolled"
	lt := s.name + "_tail"
	ld := s.name + "_done"
	g.label(lu)
	g.p("CMPQ CX, $%d", s.unroll)
	g.p("JLT %s", lt)
	for u := 0; u < s.unroll; u++ {
		step(0)
	}
	g.p("SUBQ $%d, CX", s.unroll)
	g.p("JMP %s", lu)
	g.label(lt)
	g.p("TESTQ CX, CX")
	g.p("JEQ %s", ld)
	step(0)
	g.p("DECQ CX")
	g.p("JMP %s", lt)

	g.label(ld)
	var alpha, beta, tmp string
	if len(bcast) >= 3 {
		alpha, beta, tmp = bcast[0], bcast[1], bcast[2]
	} else {
		// Reuse the B registers, free after the loop.
		alpha, beta = bReg(0), bcast[0]
		tmp = bcast[1%len(bcast)]
		if s.nv > 1 {
			tmp = bReg(1)
		}
	}
	g.p("MOVQ c+48(FP), DI")
	g.p("MOVQ ldc+56(FP), SI")
	g.p("VBROADCASTSS alpha+64(FP), %s", alpha)
	g.p("MOVL beta+68(FP), AX")
	g.p("ANDL $0x7fffffff, AX")
	g.p("JEQ %s_beta0", s.name)
	g.p("VBROADCASTSS beta+68(FP), %s", beta)
	for i := 0; i < s.mr; i++ {
		for v := 0; v < s.nv; v++ {
			a := s.acc(i, v)
			g.p("VMOVUPS %d(DI), %s", v*w*4, tmp)
			g.p("VMULPS %s, %s, %s", alpha, a, a)
			g.p("VFMADD231PS %s, %s, %s", beta, tmp, a)
			g.p("VMOVUPS %s, %d(DI)", a, v*w*4)
		}
		if i < s.mr-1 {
			g.p("ADDQ SI, DI")
		}
	}
	g.p("VZEROUPPER")
	g.p("RET")
	g.label(s.name + "_beta0")
	for i := 0; i < s.mr; i++ {
		for v := 0; v < s.nv; v++ {
			a := s.acc(i, v)
			g.p("VMULPS %s, %s, %s", alpha, a, a)
			g.p("VMOVUPS %s, %d(DI)", a, v*w*4)
		}
		if i < s.mr-1 {
			g.p("ADDQ SI, DI")
		}
	}
	g.p("VZEROUPPER")
	g.p("RET")
}

// dotSpec describes a dot-product kernel: an mr×nd tile of C where both
// A's rows and Bᵀ's rows are contiguous in k, so the k loop runs along the
// 16 lanes of zmm registers and each accumulator is summed across its lanes
// at the end. It suits products with few columns, where a broadcast kernel
// would waste most of its lanes.
type dotSpec struct {
	name   string
	mr, nd int
}

var dotSpecs = []dotSpec{
	{name: "avx512Dot4x6", mr: 4, nd: 6},
}

// dotRow is the address of row i of a matrix whose rows 0, 1, 2 are at
// (p), (p)(idx*1), (p)(idx*2) and rows 3, 4, 5 likewise from q.
func dotRow(i int, p, q, idx string) string {
	base := p
	if i >= 3 {
		base, i = q, i-3
	}
	switch i {
	case 0:
		return "(" + base + ")"
	case 1:
		return "(" + base + ")(" + idx + "*1)"
	default:
		return "(" + base + ")(" + idx + "*2)"
	}
}

func (g *gen) dot(s dotSpec) {
	if s.mr > 6 || s.nd > 6 || s.mr*s.nd > 24 {
		log.Fatalf("%s: tile too large", s.name)
	}
	acc := func(i, j int) int { return i*s.nd + j }
	aReg := func(i int) string { return fmt.Sprintf("Z%d", 24+i) }
	bRegs := []string{"Z28", "Z29"}
	fmt.Fprintf(&g.buf, "\n// func %s(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)\n", s.name)
	fmt.Fprintf(&g.buf, "// %d×%d tile of dot products along k; A's rows at a+i·lda, Bᵀ's rows at b+j·ldb (bytes).\n", s.mr, s.nd)
	fmt.Fprintf(&g.buf, "TEXT ·%s(SB), NOSPLIT, $0-64\n", s.name)
	g.p("MOVQ a+8(FP), R8")
	g.p("MOVQ lda+16(FP), R9")
	g.p("LEAQ (R9)(R9*2), AX")
	g.p("LEAQ (R8)(AX*1), R10")
	g.p("MOVQ b+24(FP), DX")
	g.p("MOVQ ldb+32(FP), R11")
	g.p("LEAQ (R11)(R11*2), AX")
	g.p("LEAQ (DX)(AX*1), R12")
	g.p("MOVQ k+0(FP), CX")
	for r := 0; r < s.mr*s.nd; r++ {
		g.p("VPXORD Z%d, Z%d, Z%d", r, r, r)
	}
	step := func(mask string) {
		for i := 0; i < s.mr; i++ {
			if mask == "" {
				g.p("VMOVUPS %s, %s", dotRow(i, "R8", "R10", "R9"), aReg(i))
			} else {
				g.p("VMOVUPS.Z %s, %s, %s", dotRow(i, "R8", "R10", "R9"), mask, aReg(i))
			}
		}
		for j := 0; j < s.nd; j++ {
			b := bRegs[j%2]
			if mask == "" {
				g.p("VMOVUPS %s, %s", dotRow(j, "DX", "R12", "R11"), b)
			} else {
				g.p("VMOVUPS.Z %s, %s, %s", dotRow(j, "DX", "R12", "R11"), mask, b)
			}
			for i := 0; i < s.mr; i++ {
				g.p("VFMADD231PS %s, %s, Z%d", b, aReg(i), acc(i, j))
			}
		}
	}
	loop, tail, red := s.name+"_loop", s.name+"_tail", s.name+"_reduce"
	g.label(loop)
	g.p("CMPQ CX, $16")
	g.p("JLT %s", tail)
	step("")
	for _, r := range []string{"R8", "R10", "DX", "R12"} {
		g.p("ADDQ $64, %s", r)
	}
	g.p("SUBQ $16, CX")
	g.p("JMP %s", loop)
	g.label(tail)
	g.p("TESTQ CX, CX")
	g.p("JEQ %s", red)
	g.p("MOVL $1, AX")
	g.p("SHLL CX, AX")
	g.p("DECL AX")
	g.p("KMOVW AX, K1")
	step("K1")

	g.label(red)
	// Halve every accumulator to 8 lanes; VHADDPS then needs registers
	// below 16, so rows whose accumulators live above take the registers of
	// the rows already stored.
	g.p("MOVQ c+40(FP), DI")
	g.p("MOVQ ldc+48(FP), SI")
	g.p("VBROADCASTSS alpha+56(FP), X25")
	g.p("VBROADCASTSS beta+60(FP), X26")
	g.p("MOVL beta+60(FP), BX")
	g.p("ANDL $0x7fffffff, BX")
	var free []int
	for i := 0; i < s.mr; i++ {
		var lo []int
		for j := 0; j < s.nd; j++ {
			r := acc(i, j)
			t := r
			if r >= 16 {
				t, free = free[0], free[1:]
			}
			g.p("VEXTRACTF64X4 $1, Z%d, Y24", r)
			g.p("VADDPS Y24, Y%d, Y%d", r, t)
			lo = append(lo, t)
		}
		for j0 := 0; j0 < s.nd; j0 += 4 {
			w := min(4, s.nd-j0)
			x := lo[j0:]
			switch w {
			case 4:
				g.p("VHADDPS Y%d, Y%d, Y%d", x[1], x[0], x[0])
				g.p("VHADDPS Y%d, Y%d, Y%d", x[3], x[2], x[2])
				g.p("VHADDPS Y%d, Y%d, Y%d", x[2], x[0], x[0])
			case 2:
				g.p("VHADDPS Y%d, Y%d, Y%d", x[1], x[0], x[0])
				g.p("VHADDPS Y%d, Y%d, Y%d", x[0], x[0], x[0])
			default:
				log.Fatalf("%s: column group of %d", s.name, w)
			}
			g.p("VEXTRACTF32X4 $1, Y%d, X24", x[0])
			g.p("VADDPS X24, X%d, X%d", x[0], x[0])
			g.p("VMULPS X25, X%d, X%d", x[0], x[0])
			ld, st := "VMOVUPS", "VMOVUPS"
			if w == 2 {
				ld, st = "VMOVSD", "VMOVSD"
			}
			skip := fmt.Sprintf("%s_r%dc%d", s.name, i, j0)
			g.p("TESTL BX, BX")
			g.p("JEQ %s", skip)
			g.p("%s %d(DI), X27", ld, j0*4)
			g.p("VFMADD231PS X26, X27, X%d", x[0])
			g.label(skip)
			g.p("%s X%d, %d(DI)", st, x[0], j0*4)
		}
		g.p("ADDQ SI, DI")
		for _, t := range lo {
			if t < 16 {
				free = append(free, t)
			}
		}
	}
	g.p("VZEROUPPER")
	g.p("RET")
}

// gemvT writes avx512GemvT64, which adds alpha·Aᵀx to a 64-column strip
// of y: y[0:64] += alpha·Σ_i x[i]·A[i, 0:64]. The four 16-lane vectors of
// the strip are masked by the four 16-bit fields of masks, so a narrower
// strip neither reads nor writes past its width. Rows go two at a time into
// two sets of accumulators, for eight independent FMA chains.
//
//	func avx512GemvT64(m int, a *float32, lda int, x *float32, y *float32, alpha float32, masks uint64)
func (g *gen) gemvT() {
	const name = "avx512GemvT64"
	fmt.Fprintf(&g.buf, "\n// func %s(m int, a *float32, lda int, x *float32, y *float32, alpha float32, masks uint64)\n", name)
	fmt.Fprintf(&g.buf, "TEXT ·%s(SB), NOSPLIT, $0-56\n", name)
	g.p("MOVQ m+0(FP), CX")
	g.p("MOVQ a+8(FP), SI")
	g.p("MOVQ lda+16(FP), R9")
	g.p("MOVQ x+24(FP), DI")
	g.p("MOVQ y+32(FP), DX")
	g.p("MOVQ masks+48(FP), AX")
	for v := 1; v <= 4; v++ {
		g.p("KMOVW AX, K%d", v)
		if v < 4 {
			g.p("SHRQ $16, AX")
		}
	}
	for r := 0; r < 8; r++ {
		g.p("VPXORD Z%d, Z%d, Z%d", r, r, r)
	}
	row := func(addr func(off int) string, bc string, acc int) {
		for v := 0; v < 4; v++ {
			g.p("VMOVUPS.Z %s, K%d, Z%d", addr(64*v), v+1, 20+v)
		}
		for v := 0; v < 4; v++ {
			g.p("VFMADD231PS Z%d, %s, Z%d", 20+v, bc, acc+v)
		}
	}
	g.label(name + "_pairs")
	g.p("CMPQ CX, $2")
	g.p("JLT %s_last", name)
	g.p("VBROADCASTSS (DI), Z16")
	g.p("VBROADCASTSS 4(DI), Z17")
	row(func(off int) string { return fmt.Sprintf("%d(SI)", off) }, "Z16", 0)
	for v := 0; v < 4; v++ {
		g.p("VMOVUPS.Z %d(SI)(R9*1), K%d, Z%d", 64*v, v+1, 24+v)
	}
	for v := 0; v < 4; v++ {
		g.p("VFMADD231PS Z%d, Z17, Z%d", 24+v, 4+v)
	}
	g.p("LEAQ (SI)(R9*2), SI")
	g.p("ADDQ $8, DI")
	g.p("SUBQ $2, CX")
	g.p("JMP %s_pairs", name)
	g.label(name + "_last")
	g.p("TESTQ CX, CX")
	g.p("JEQ %s_store", name)
	g.p("VBROADCASTSS (DI), Z16")
	row(func(off int) string { return fmt.Sprintf("%d(SI)", off) }, "Z16", 0)
	g.label(name + "_store")
	g.p("VBROADCASTSS alpha+40(FP), Z16")
	for v := 0; v < 4; v++ {
		g.p("VADDPS Z%d, Z%d, Z%d", 4+v, v, v)
		g.p("VMOVUPS.Z %d(DX), K%d, Z%d", 64*v, v+1, 20+v)
		g.p("VFMADD231PS Z16, Z%d, Z%d", v, 20+v)
		g.p("VMOVUPS Z%d, K%d, %d(DX)", 20+v, v+1, 64*v)
	}
	g.p("VZEROUPPER")
	g.p("RET")
}

// gemvTAVX2 writes avx2GemvT32, the AVX2 counterpart of avx512GemvT64: a
// strip of 32 columns, in four ymm registers per row parity, always whole
// (the caller does the last n%32 columns); masks is not read.
//
//	func avx2GemvT32(m int, a *float32, lda int, x *float32, y *float32, alpha float32, masks uint64)
func (g *gen) gemvTAVX2() {
	const name = "avx2GemvT32"
	fmt.Fprintf(&g.buf, "\n// func %s(m int, a *float32, lda int, x *float32, y *float32, alpha float32, masks uint64)\n", name)
	fmt.Fprintf(&g.buf, "TEXT ·%s(SB), NOSPLIT, $0-56\n", name)
	g.p("MOVQ m+0(FP), CX")
	g.p("MOVQ a+8(FP), SI")
	g.p("MOVQ lda+16(FP), R9")
	g.p("MOVQ x+24(FP), DI")
	g.p("MOVQ y+32(FP), DX")
	for r := 0; r < 8; r++ {
		g.p("VXORPS Y%d, Y%d, Y%d", r, r, r)
	}
	g.label(name + "_pairs")
	g.p("CMPQ CX, $2")
	g.p("JLT %s_last", name)
	g.p("VBROADCASTSS (DI), Y8")
	g.p("VBROADCASTSS 4(DI), Y9")
	for v := 0; v < 4; v++ {
		g.p("VFMADD231PS %d(SI), Y8, Y%d", 32*v, v)
	}
	for v := 0; v < 4; v++ {
		g.p("VFMADD231PS %d(SI)(R9*1), Y9, Y%d", 32*v, 4+v)
	}
	g.p("LEAQ (SI)(R9*2), SI")
	g.p("ADDQ $8, DI")
	g.p("SUBQ $2, CX")
	g.p("JMP %s_pairs", name)
	g.label(name + "_last")
	g.p("TESTQ CX, CX")
	g.p("JEQ %s_store", name)
	g.p("VBROADCASTSS (DI), Y8")
	for v := 0; v < 4; v++ {
		g.p("VFMADD231PS %d(SI), Y8, Y%d", 32*v, v)
	}
	g.label(name + "_store")
	g.p("VBROADCASTSS alpha+40(FP), Y8")
	for v := 0; v < 4; v++ {
		g.p("VADDPS Y%d, Y%d, Y%d", 4+v, v, v)
		g.p("VMOVUPS %d(DX), Y9", 32*v)
		g.p("VFMADD231PS Y8, Y%d, Y9", v)
		g.p("VMOVUPS Y9, %d(DX)", 32*v)
	}
	g.p("VZEROUPPER")
	g.p("RET")
}

func main() {
	out := flag.String("o", "kernels_amd64.s", "output file")
	flag.Parse()
	var g gen
	g.buf.WriteString("// Code generated by internal/asmgen/main.go; DO NOT EDIT.\n\n")
	g.buf.WriteString("//go:build amd64 && !purego\n\n#include \"textflag.h\"\n")
	for _, s := range specs {
		g.kernel(s)
	}
	for _, s := range dotSpecs {
		g.dot(s)
	}
	g.gemvT()
	g.gemvTAVX2()
	if err := os.WriteFile(*out, g.buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
