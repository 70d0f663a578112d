// Copyright ©2026 The gocinn Authors. All rights reserved.

#include "textflag.h"

// func axpy4AVX2(o, b0, b1, b2, b3 []float64, x *[4]float64)
// Requires len(o) a multiple of 4 and every b at least as long.
// o[j] += ((x0·b0[j] + x1·b1[j]) + x2·b2[j]) + x3·b3[j], four lanes at a
// time, with separate multiplies and adds in axpy4Go's order: bit for bit
// its result.
TEXT ·axpy4AVX2(SB), NOSPLIT, $0-128
	MOVQ o_base+0(FP), DI
	MOVQ o_len+8(FP), CX
	MOVQ b0_base+24(FP), R8
	MOVQ b1_base+48(FP), R9
	MOVQ b2_base+72(FP), R10
	MOVQ b3_base+96(FP), R11
	MOVQ x+120(FP), AX
	VBROADCASTSD 0(AX), Y0
	VBROADCASTSD 8(AX), Y1
	VBROADCASTSD 16(AX), Y2
	VBROADCASTSD 24(AX), Y3
	XORQ SI, SI
	SHRQ $2, CX
	JZ done

loop:
	VMULPD (R8)(SI*8), Y0, Y4
	VMULPD (R9)(SI*8), Y1, Y5
	VADDPD Y5, Y4, Y4
	VMULPD (R10)(SI*8), Y2, Y5
	VADDPD Y5, Y4, Y4
	VMULPD (R11)(SI*8), Y3, Y5
	VADDPD Y5, Y4, Y4
	VADDPD (DI)(SI*8), Y4, Y4
	VMOVUPD Y4, (DI)(SI*8)
	ADDQ $4, SI
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET
