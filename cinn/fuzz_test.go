// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds mutated model files to the decoder, fixing up the
// checksum so that the mutations reach the header and weight parsing. The
// decoder must return an error or a usable model, never panic or allocate
// without bound.
func FuzzDecode(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "model_v1.cinn"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 20 {
			binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.ChecksumIEEE(data[:len(data)-4]))
		}
		m, err := decode(data)
		if err != nil {
			return
		}
		// A model that decodes must be usable.
		D := m.FlowDim()
		if D > 64 || m.cfg.DimY > 64 || m.NumParams() > 1<<20 {
			return
		}
		m.Forward(make([]float32, 2*D), make([]float32, 2*m.cfg.DimY))
	})
}
