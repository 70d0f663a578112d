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

// func adamAVX2(p, m, v, g []float32, c *[10]float32)
// Requires equal lengths, a multiple of 8; c holds scale, l2, decay, b1,
// 1-b1, b2, 1-b2, eps, stepSize, invSqrtBc2. The Adam update of adamScalar
// with the same operations in the same order, 8 lanes at a time.
TEXT ·adamAVX2(SB), NOSPLIT, $0-104
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ m_base+24(FP), R8
	MOVQ v_base+48(FP), R9
	MOVQ g_base+72(FP), R10
	MOVQ c+96(FP), R11
	VBROADCASTSS 0(R11), Y4
	VBROADCASTSS 4(R11), Y5
	VBROADCASTSS 8(R11), Y6
	VBROADCASTSS 12(R11), Y7
	VBROADCASTSS 16(R11), Y8
	VBROADCASTSS 20(R11), Y9
	VBROADCASTSS 24(R11), Y10
	VBROADCASTSS 28(R11), Y11
	VBROADCASTSS 32(R11), Y12
	VBROADCASTSS 36(R11), Y13
	XORQ AX, AX

adam8:
	CMPQ AX, CX
	JGE adamdone
	VMOVUPS (DI)(AX*4), Y0
	VMULPS (R10)(AX*4), Y4, Y1
	VMULPS Y0, Y5, Y2
	VADDPS Y2, Y1, Y1
	VMULPS (R8)(AX*4), Y7, Y2
	VMULPS Y1, Y8, Y3
	VADDPS Y3, Y2, Y2
	VMOVUPS Y2, (R8)(AX*4)
	VMULPS Y1, Y1, Y1
	VMULPS Y1, Y10, Y1
	VMULPS (R9)(AX*4), Y9, Y3
	VADDPS Y1, Y3, Y3
	VMOVUPS Y3, (R9)(AX*4)
	VSQRTPS Y3, Y3
	VMULPS Y13, Y3, Y3
	VADDPS Y11, Y3, Y3
	VMULPS Y2, Y12, Y2
	VDIVPS Y3, Y2, Y2
	VMULPS Y6, Y0, Y0
	VSUBPS Y2, Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP adam8

adamdone:
	VZEROUPPER
	RET
