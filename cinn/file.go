// Copyright ©2026 The gocinn Authors. All rights reserved.

package cinn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/gocinn/gocinn/cinn/internal/atomicfile"
)

// FormatVersion is the newest model file format version, the one this
// gocinn reads up to. Save writes the oldest version that holds the model,
// so that older gocinn read what they can and name the rest a newer
// version (rather than a corrupt file):
//
//	1  every model without LinearMix
//	2  models with LinearMix (its D² parameters per block)
const FormatVersion = 2

// fileVersion returns the format version Save writes for m.
func (m *Model) fileVersion() uint32 {
	if m.cfg.LinearMix {
		return 2
	}
	return 1
}

// magic starts every model file (PNG-style: a high byte and CR/LF/EOF
// characters expose text-mode transfers).
var magic = [8]byte{0x89, 'C', 'I', 'N', 'N', '\r', '\n', 0x1a}

// Errors wrapped by Load and ReadFrom.
var (
	ErrNotModel = errors.New("not a gocinn model file")
	ErrVersion  = errors.New("unsupported model file version")
	ErrCorrupt  = errors.New("corrupt model file")
)

type fileHeader struct {
	Format    string         `json:"format"`
	Config    Config         `json:"config"`
	Spec      Spec           `json:"spec"`
	Perms     [][]int        `json:"permutations"`
	Prep      prep           `json:"standardisation"`
	ActInit   bool           `json:"actNormInitialised"`
	NumParams int            `json:"numParams"`
	HasAdam   bool           `json:"hasAdam"`
	AdamStep  int64          `json:"adamStep"`
	History   []Epoch        `json:"history"`
	Train     *TrainSettings `json:"lastTrainSettings,omitempty"`
}

// WriteTo writes the model in the versioned file format described in the
// package documentation. It implements io.WriterTo.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	h := fileHeader{
		Format:    "gocinn model",
		Config:    m.cfg,
		Spec:      m.spec,
		Perms:     m.perms,
		Prep:      m.prep,
		ActInit:   m.actInit,
		NumParams: len(m.params),
		HasAdam:   m.opt.m != nil,
		AdamStep:  m.opt.step,
		History:   m.history,
		Train:     m.last,
	}
	js, err := json.Marshal(h)
	if err != nil {
		return 0, fmt.Errorf("cinn: encoding model header: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(16 + len(js) + 12*len(m.params) + 4)
	buf.Write(magic[:])
	var u [4]byte
	binary.LittleEndian.PutUint32(u[:], m.fileVersion())
	buf.Write(u[:])
	binary.LittleEndian.PutUint32(u[:], uint32(len(js)))
	buf.Write(u[:])
	buf.Write(js)
	putFloats := func(v []float32) {
		for _, f := range v {
			binary.LittleEndian.PutUint32(u[:], math.Float32bits(f))
			buf.Write(u[:])
		}
	}
	putFloats(m.params)
	if h.HasAdam {
		putFloats(m.opt.m)
		putFloats(m.opt.v)
	}
	binary.LittleEndian.PutUint32(u[:], crc32.ChecksumIEEE(buf.Bytes()))
	buf.Write(u[:])
	return buf.WriteTo(w)
}

// Save writes the model to path atomically: to a temporary file in the same
// directory, synced to disk, then renamed over path.
func (m *Model) Save(path string) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := atomicfile.Create(dir, base)
	if err != nil {
		return fmt.Errorf("cinn: saving model: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file private; a model file is ordinary data.
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("cinn: saving model to %s: %w", path, err)
	}
	if _, err = m.WriteTo(f); err != nil {
		return fmt.Errorf("cinn: saving model to %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("cinn: saving model to %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("cinn: saving model to %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cinn: saving model to %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // best effort: persist the rename
		d.Close()
	}
	return nil
}

// Load reads a model written by Save. Files that are not model files, are
// truncated or corrupt, or come from a newer format version return errors
// wrapping ErrNotModel, ErrCorrupt or ErrVersion.
func Load(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cinn: loading model: %w", err)
	}
	m, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("cinn: loading model %s: %w", path, err)
	}
	return m, nil
}

// ReadFrom replaces m with a model read from r (which is read to EOF). It
// implements io.ReaderFrom. On error m is left unchanged.
func (m *Model) ReadFrom(r io.Reader) (int64, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return int64(len(b)), fmt.Errorf("cinn: reading model: %w", err)
	}
	nm, err := decode(b)
	if err != nil {
		return int64(len(b)), fmt.Errorf("cinn: reading model: %w", err)
	}
	*m = *nm
	return int64(len(b)), nil
}

func decode(b []byte) (*Model, error) {
	if len(b) < 8 || !bytes.Equal(b[:8], magic[:]) {
		return nil, fmt.Errorf("%w (wrong magic bytes; was it written by %%save or Model.Save?)", ErrNotModel)
	}
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: truncated after %d bytes", ErrCorrupt, len(b))
	}
	ver := binary.LittleEndian.Uint32(b[8:])
	if ver == 0 || ver > FormatVersion {
		return nil, fmt.Errorf("%w: the file has format version %d, this gocinn reads up to version %d; upgrade gocinn", ErrVersion, ver, FormatVersion)
	}
	hl := int(binary.LittleEndian.Uint32(b[12:]))
	if hl > len(b)-16 {
		return nil, fmt.Errorf("%w: truncated (header needs %d bytes, %d present)", ErrCorrupt, hl, len(b)-16)
	}
	var h fileHeader
	if err := json.Unmarshal(b[16:16+hl], &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	nvec := 1
	if h.HasAdam {
		nvec = 3
	}
	if h.NumParams < 0 || h.NumParams > (len(b)-16-hl)/4 {
		return nil, fmt.Errorf("%w: truncated (header promises %d parameters)", ErrCorrupt, h.NumParams)
	}
	want := 16 + hl + 4*nvec*h.NumParams + 4
	if len(b) < want {
		return nil, fmt.Errorf("%w: truncated: %d bytes, expected %d", ErrCorrupt, len(b), want)
	}
	if len(b) > want {
		return nil, fmt.Errorf("%w: %d unexpected trailing bytes", ErrCorrupt, len(b)-want)
	}
	if got, sum := crc32.ChecksumIEEE(b[:want-4]), binary.LittleEndian.Uint32(b[want-4:]); got != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (stored %08x, computed %08x)", ErrCorrupt, sum, got)
	}
	cfg := h.Config
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	sp, err := h.Spec.normalise(cfg.DimX, cfg.DimY)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	D := cfg.flowDim()
	if len(h.Perms) != cfg.Blocks {
		return nil, fmt.Errorf("%w: %d permutations for %d blocks", ErrCorrupt, len(h.Perms), cfg.Blocks)
	}
	for k, p := range h.Perms {
		seen := make([]bool, D)
		for _, v := range p {
			if v < 0 || v >= D || seen[v] {
				return nil, fmt.Errorf("%w: permutation %d is invalid", ErrCorrupt, k)
			}
			seen[v] = true
		}
		if len(p) != D {
			return nil, fmt.Errorf("%w: permutation %d is invalid", ErrCorrupt, k)
		}
	}
	if h.Prep.Fitted && (len(h.Prep.XMean) != cfg.DimX || len(h.Prep.XStd) != cfg.DimX || len(h.Prep.YMean) != cfg.DimY || len(h.Prep.YStd) != cfg.DimY) {
		return nil, fmt.Errorf("%w: standardisation has the wrong length", ErrCorrupt)
	}
	if (len(h.Prep.XMin) != 0 || len(h.Prep.XMax) != 0) && (len(h.Prep.XMin) != cfg.DimX || len(h.Prep.XMax) != cfg.DimX) {
		return nil, fmt.Errorf("%w: training range has the wrong length", ErrCorrupt)
	}
	m := &Model{cfg: cfg, spec: sp, perms: h.Perms, prep: h.Prep, actInit: h.ActInit, history: h.History, last: h.Train}
	// Check the parameter count before allocating anything sized by the
	// (checksummed but untrusted) configuration.
	if n := newArch(cfg, h.Perms).nparams; n != h.NumParams {
		return nil, fmt.Errorf("%w: %d parameters stored, the configuration needs %d", ErrCorrupt, h.NumParams, n)
	}
	m.build()
	off := 16 + hl
	getFloats := func(v []float32) {
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[off:]))
			off += 4
		}
	}
	getFloats(m.params)
	if h.HasAdam {
		m.opt.m = make([]float32, h.NumParams)
		m.opt.v = make([]float32, h.NumParams)
		getFloats(m.opt.m)
		getFloats(m.opt.v)
		m.opt.step = h.AdamStep
	}
	return m, nil
}
