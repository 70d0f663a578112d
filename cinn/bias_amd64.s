// Copyright ©2026 The gocinn Authors. All rights reserved.

#include "textflag.h"

// func addBiasAVX2(dst, b []float32, relu bool)
// Requires len(dst) == len(b), a multiple of 8. dst[i] += b[i], then, if
// relu, the sign bit of each sum spreads into a mask that clears negative
// values (and -0) to +0: bit for bit what addBias32Rows computes.
TEXT ·addBiasAVX2(SB), NOSPLIT, $0-49
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ b_base+24(FP), SI
	MOVBLZX relu+48(FP), DX
	XORQ AX, AX
	TESTQ DX, DX
	JZ plain

relu8:
	CMPQ AX, CX
	JGE done
	VMOVUPS (DI)(AX*4), Y0
	VADDPS (SI)(AX*4), Y0, Y0
	VPSRAD $31, Y0, Y1
	VPANDN Y0, Y1, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP relu8

plain:
	CMPQ AX, CX
	JGE done
	VMOVUPS (DI)(AX*4), Y0
	VADDPS (SI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP plain

done:
	VZEROUPPER
	RET

// func reluMaskAVX2(g, h []float32)
// Requires len(g) a multiple of 8 and len(h) ≥ len(g). Clears g[i] where
// the bits of h[i] are zero (an inactive ReLU): what reluMask32 computes.
TEXT ·reluMaskAVX2(SB), NOSPLIT, $0-48
	MOVQ g_base+0(FP), DI
	MOVQ g_len+8(FP), CX
	MOVQ h_base+24(FP), SI
	XORQ AX, AX
	VPXOR Y2, Y2, Y2

mask8:
	CMPQ AX, CX
	JGE maskdone
	VMOVDQU (SI)(AX*4), Y1
	VPCMPEQD Y2, Y1, Y1
	VMOVDQU (DI)(AX*4), Y0
	VPANDN Y0, Y1, Y0
	VMOVDQU Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP mask8

maskdone:
	VZEROUPPER
	RET
