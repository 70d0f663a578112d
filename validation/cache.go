// Copyright ©2026 The gocinn Authors. All rights reserved.

package validation

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn/simulators"
)

// ReferenceCache returns a Settings.Reference function that keeps reference
// samples in dir, one file per task and observation
// (<task>-<i>-<n>.f64: rows, columns as uint32, then float64 values, all
// little-endian). A missing file is built with ReferenceSamples (for slcp
// the MCMC takes minutes) and written; a file that cannot be read is an
// error that names it, to be deleted. mcmc configures the slcp sampler.
// For sbibm's published observations (RunTask passes Settings.Published)
// the files are named <task>-sbibm-<i>-<n>.f64.
func ReferenceCache(dir string, n int, mcmc simulators.MCMCSettings) func(task string, i int, published bool) (*mat.Dense, error) {
	return func(name string, i int, published bool) (*mat.Dense, error) {
		key := name
		if published {
			key += "-sbibm"
		}
		file := filepath.Join(dir, fmt.Sprintf("%s-%d-%d.f64", key, i, n))
		if b, err := os.ReadFile(file); err == nil {
			m, err := decodeDense(b)
			if err != nil {
				return nil, fmt.Errorf("validation: reference cache %s: %v (delete the file to rebuild it)", file, err)
			}
			return m, nil
		}
		task, err := simulators.Lookup(name)
		if err != nil {
			return nil, err
		}
		xObs, err := taskObservations(task, i+1, published)
		if err != nil {
			return nil, err
		}
		ref, _, err := ReferenceSamples(context.Background(), task, xObs.RawRowView(i), n,
			rand.NewPCG(uint64(simulators.ObservationSeed), 2000+uint64(i)), mcmc)
		if err != nil {
			return nil, fmt.Errorf("validation: reference posterior of %s observation %d: %w", name, i+1, err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		return ref, writeAtomic(file, encodeDense(ref))
	}
}

// writeAtomic writes b to file through a temporary file of its own in the
// same directory, renamed into place: a reader never sees a partial file,
// and runs that build the same missing file at once (each the same bytes)
// do not write into one temporary file.
func writeAtomic(file string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func encodeDense(m *mat.Dense) []byte {
	r, c := m.Dims()
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, [2]uint32{uint32(r), uint32(c)})
	for i := range r {
		binary.Write(&buf, binary.LittleEndian, m.RawRowView(i))
	}
	return buf.Bytes()
}

func decodeDense(b []byte) (*mat.Dense, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("truncated header")
	}
	r := int(binary.LittleEndian.Uint32(b))
	c := int(binary.LittleEndian.Uint32(b[4:]))
	if r == 0 || c == 0 || len(b) != 8+8*r*c {
		return nil, fmt.Errorf("size %d does not match %d×%d float64", len(b), r, c)
	}
	v := make([]float64, r*c)
	if err := binary.Read(bytes.NewReader(b[8:]), binary.LittleEndian, v); err != nil {
		return nil, err
	}
	return mat.NewDense(r, c, v), nil
}
