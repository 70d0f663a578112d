// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A FileRef identifies a file by path, size and SHA-256 checksum.
type FileRef struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// An Output is one file a shard wrote, named relative to the output folder.
type Output struct {
	Kind   string `json:"kind"` // "summary" or "samples"
	File   string `json:"file"` // base name, in the manifest's folder
	Rows   int    `json:"rows"` // table rows in the file
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// A Manifest records a finished shard. It is written last, atomically, as
// shard-iiii-of-nnnn.json beside the shard's outputs: a shard is finished
// exactly when its manifest exists and the checksums of its outputs match.
type Manifest struct {
	Gocinn string `json:"gocinn"` // version of the gocinn that wrote it

	Shard     int `json:"shard"`
	Shards    int `json:"shards"`
	RowStart  int `json:"rowStart"`  // first global row (0-based) of the shard
	RowEnd    int `json:"rowEnd"`    // one past the last
	Rows      int `json:"rows"`      // RowEnd − RowStart
	TotalRows int `json:"totalRows"` // rows of the whole catalogue
	BadRows   int `json:"badRows"`   // rows whose status is not 0

	Draws       int      `json:"draws"`
	Seed        uint64   `json:"seed"`
	SummaryOnly bool     `json:"summaryOnly"`
	Format      string   `json:"format"`
	YColumns    []string `json:"yColumns"` // catalogue column feeding each model observable
	YNames      []string `json:"yNames"`   // the model's observables
	XNames      []string `json:"xNames"`   // the model's parameters
	Keep        []string `json:"keep,omitempty"`
	Columns     []string `json:"summaryColumns"` // columns of the summary table, in order

	Model  FileRef  `json:"model"`
	Input  FileRef  `json:"input"`
	OutDir string   `json:"outDir"`
	Output []Output `json:"outputs"`

	Seconds  float64   `json:"seconds"`
	Threads  int       `json:"threads"`
	Host     string    `json:"host,omitempty"`
	Finished time.Time `json:"finished"`
}

// ShardOf returns the manifest's shard.
func (m *Manifest) ShardOf() Shard { return Shard{Index: m.Shard, Count: m.Shards} }

// Command returns the gocinn command line that (re)runs shard s with the
// manifest's settings, quoted for a POSIX shell.
func (m *Manifest) Command(s Shard) string {
	args := []string{"gocinn", "sample",
		"--model", m.Model.Path, "--in", m.Input.Path, "--out", m.OutDir,
		"--shard", s.String(), "--n", fmt.Sprint(m.Draws), "--seed", fmt.Sprint(m.Seed),
		"--format", m.Format}
	if m.SummaryOnly {
		args = append(args, "--summary-only")
	}
	if cols := columnsFlag(m.YNames, m.YColumns); cols != "" {
		args = append(args, "--columns", cols)
	}
	if len(m.Keep) > 0 {
		args = append(args, "--keep", strings.Join(m.Keep, ","))
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

// columnsFlag returns the --columns value mapping names to cols, or "" when
// every observable is read from the column of its own name.
func columnsFlag(names, cols []string) string {
	var parts []string
	for i, n := range names {
		if i < len(cols) && cols[i] != n {
			parts = append(parts, n+"="+cols[i])
		}
	}
	return strings.Join(parts, ",")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=,:+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sameSettings returns "" if m was made from the same model, input and
// settings as want, and otherwise says what differs.
func (m *Manifest) sameSettings(want *Manifest) string {
	var d []string
	if m.Model.SHA256 != want.Model.SHA256 {
		d = append(d, "model file")
	}
	if m.Input.SHA256 != want.Input.SHA256 || m.Input.Size != want.Input.Size {
		d = append(d, "input catalogue")
	}
	if m.Shard != want.Shard || m.Shards != want.Shards {
		d = append(d, fmt.Sprintf("shard %v, not %v", m.ShardOf(), want.ShardOf()))
	}
	if m.Draws != want.Draws {
		d = append(d, fmt.Sprintf("--n %d, not %d", m.Draws, want.Draws))
	}
	if m.Seed != want.Seed {
		d = append(d, fmt.Sprintf("--seed %d, not %d", m.Seed, want.Seed))
	}
	if m.SummaryOnly != want.SummaryOnly {
		d = append(d, "--summary-only")
	}
	if m.Format != want.Format {
		d = append(d, fmt.Sprintf("--format %s, not %s", m.Format, want.Format))
	}
	if !slices.Equal(m.YColumns, want.YColumns) {
		d = append(d, fmt.Sprintf("columns %v, not %v", m.YColumns, want.YColumns))
	}
	if !slices.Equal(m.Keep, want.Keep) {
		d = append(d, fmt.Sprintf("--keep %v, not %v", m.Keep, want.Keep))
	}
	return strings.Join(d, ", ")
}

// settingsKey identifies the settings compared by sameSettings.
func (m *Manifest) settingsKey() string {
	return fmt.Sprintf("%s %s %d %d %d %v %s %q %q", m.Model.SHA256, m.Input.SHA256, m.Input.Size, m.Draws, m.Seed, m.SummaryOnly, m.Format, m.YColumns, m.Keep)
}

// ReadManifest reads a manifest file.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := new(Manifest)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("batch: manifest %s is not valid JSON (%v): delete it and rerun the shard", path, err)
	}
	if !m.ShardOf().Valid() || m.RowStart < 0 || m.RowEnd < m.RowStart || m.Rows != m.RowEnd-m.RowStart {
		return nil, fmt.Errorf("batch: manifest %s has an invalid shard or row range: delete it and rerun the shard", path)
	}
	return m, nil
}

// verify checks that every output of m exists in dir with the recorded size
// and checksum; the error says which file differs.
func (m *Manifest) verify(dir string) error {
	if len(m.Output) == 0 {
		return errors.New("the manifest lists no output files")
	}
	for _, o := range m.Output {
		if o.File != filepath.Base(o.File) {
			return fmt.Errorf("output %q is not a file name", o.File)
		}
		ref, err := hashFile(filepath.Join(dir, o.File))
		if err != nil {
			return err
		}
		if ref.Size != o.Size || ref.SHA256 != o.SHA256 {
			return fmt.Errorf("%s has size %d and sha256 %.12s…, the manifest says %d and %.12s…", ref.Path, ref.Size, ref.SHA256, o.Size, o.SHA256)
		}
	}
	return nil
}

// writeManifest writes m to path atomically: a temporary file in the same
// folder, synced, then renamed.
func writeManifest(path string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	return writeAtomic(path, b)
}

func writeAtomic(path string, b []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("batch: write %s: %w", path, err)
	}
	return nil
}

// hashFile returns the size and SHA-256 of a file.
func hashFile(path string) (FileRef, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileRef{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileRef{}, fmt.Errorf("batch: read %s: %w", path, err)
	}
	return FileRef{Path: path, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
