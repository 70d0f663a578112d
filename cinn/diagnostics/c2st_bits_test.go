// Copyright ©2026 The gocinn Authors. All rights reserved.

package diagnostics

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestC2STBits guards the classifier's arithmetic bit for bit: the
// published C2ST scores (docs/validation.md) and the resumed validation
// runs (validate -resume) rely on a faster kernel giving the same numbers
// as the one it replaces. It hashes the weights after 40 epochs of 2-, 5-
// and 10-D fits, on both the AVX2 and the portable path, against
// testdata/c2st_bits.golden (regenerate with -update-bits, only for a
// change that is meant to move every score). amd64 only: other
// architectures' compilers fuse multiply-adds in the portable loops.
func TestC2STBits(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the golden hashes are of amd64 arithmetic (no fused multiply-adds)")
	}
	var b strings.Builder
	saved := haveAVX2
	defer setAVX2(saved)
	for _, avx := range []bool{false, true} {
		if avx && !saved {
			continue
		}
		setAVX2(avx)
		for _, d := range []int{2, 5, 10} {
			n := 1000
			x, y := labelledGaussians(rand.New(rand.NewPCG(uint64(d), 5)), d, n)
			train := make([]int, 2*n-300)
			for i := range train {
				train[i] = i + 150
			}
			nrng := rand.New(rand.NewPCG(1, 2))
			net := newMLP([]int{d, 10 * d, 10 * d, 1}, nrng)
			if _, err := net.fit(context.Background(), x, y, train, 40, nrng); err != nil {
				t.Fatal(err)
			}
			h := fnv.New64a()
			for _, w := range append(net.w, net.b...) {
				for _, v := range w {
					binary.Write(h, binary.LittleEndian, v)
				}
			}
			if !avx || !saved {
				fmt.Fprintf(&b, "%d-D %016x\n", d, h.Sum64())
			} else if want := fmt.Sprintf("%d-D %016x\n", d, h.Sum64()); !strings.Contains(b.String(), want) {
				t.Errorf("%d-D: the AVX2 path's weights hash to %016x, the portable path's differ:\n%s", d, h.Sum64(), b.String())
			}
		}
	}
	golden := filepath.Join("testdata", "c2st_bits.golden")
	if *updateBits {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("the C2ST classifier's weights changed bit for bit, so every published C2ST score would move:\ngot\n%swant\n%s", b.String(), want)
	}
}
