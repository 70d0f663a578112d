// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/diagnostics"
	"github.com/gocinn/gocinn/cinn/table"

	enginethreads "github.com/gocinn/gocinn/cinn/internal/threads"
)

// DefaultDraws is the number of posterior draws per star when Job.Draws is 0.
const DefaultDraws = 1000

// Row status codes, in the status column of the summary table.
const (
	StatusOK      = 0 // sampled
	StatusMissing = 1 // an observable is missing (NaN) in the catalogue
	StatusInvalid = 2 // an observable is infinite or outside the model's domain (e.g. ≤ 0 under Log10)
)

// Levels are the central credible levels of the summary intervals: 0.68 gives
// the 16th and 84th percentiles, 0.95 the 2.5th and 97.5th.
var Levels = []float64{0.68, 0.95}

// Stats are the per-parameter columns of a summary table, in order; column
// "<parameter>_<stat>" holds one of them.
var Stats = []string{"map", "median", "p16", "p84", "p2_5", "p97_5", "mean", "std"}

// ExtrapolationMargin is how far outside the training range of a
// parameter, as a fraction of the range's width, a draw must lie to count
// in a summary's extrapolated column (diagnostics.Extrapolated).
const ExtrapolationMargin = 0.5

// A Job describes one shard's work for Run. The zero values of Draws, Format
// and Threads select the defaults.
type Job struct {
	Model  string // model file written by cinn's Save
	Input  string // catalogue, in a format cinn/table reads
	OutDir string // folder for the shard's outputs and manifest (created if needed)
	Shard  Shard  // which contiguous slice of the rows; the zero Shard is invalid, use Whole

	Draws       int    // posterior draws per star; 0 means DefaultDraws
	Seed        uint64 // seed of every star's random stream
	SummaryOnly bool   // write summaries only, not the raw samples

	// Format of the summary table: "csv" (the default), "tsv", "npy",
	// "npz" or "fits". Raw samples are written as .fits when Format is
	// "fits" and as .npz otherwise.
	Format string

	// Columns maps the model's observables to catalogue columns: entries
	// "name=column" rename some, or exactly one plain column name per
	// observable gives them all in order. Observables not mapped are read
	// from the column of their own name.
	Columns []string

	// Keep lists catalogue columns (identifiers such as source_id, numeric
	// or text) copied into the summary table after the row column.
	Keep []string

	// Force redoes a shard whose manifest records other settings (another
	// model, seed, ...) instead of refusing.
	Force bool

	// MaxBytes bounds the memory the catalogue's columns may take: the
	// shard's rows of an NPY, NPZ or FITS catalogue, all rows of a text
	// one; 0 means cinn/table's default (half the physical memory, at most
	// 4 GiB).
	MaxBytes int64

	Threads int       // goroutines sampling stars; 0 means GOMAXPROCS
	Version string    // gocinn version recorded in the manifest
	Log     io.Writer // progress and per-row problems; nil discards
}

// A Result describes what Run did.
type Result struct {
	Manifest     *Manifest
	ManifestPath string
	// Skipped is true when the shard was already finished with the same
	// settings and intact outputs, and Run did nothing.
	Skipped bool
	// Redone, if not empty, says why an earlier attempt of the shard was
	// discarded (no manifest, checksum mismatch, ...).
	Redone string
}

// Run runs one shard: it reads the shard's rows of the catalogue, draws
// Draws posterior samples for every star, writes the summary table (and the
// samples unless SummaryOnly) and last the manifest. A shard already
// finished with the same model, catalogue and settings is skipped; one whose
// outputs do not match its manifest, or that has no manifest, is redone.
// Rows with missing or invalid observables get a status and NaN summaries;
// they do not stop the shard. Run returns the context's cause, and writes no
// manifest, when ctx is cancelled.
//
// When Run fails after the output folder exists it leaves the error in
// shard-iiii-of-nnnn.failed there, for Merge to report; a successful run
// removes that file.
func Run(ctx context.Context, job Job) (*Result, error) {
	res, err := run(ctx, job)
	if job.OutDir == "" || !job.Shard.Valid() {
		return res, err
	}
	failed := filepath.Join(job.OutDir, job.Shard.Name()+".failed")
	if err == nil {
		os.Remove(failed)
		return res, nil
	}
	if fi, serr := os.Stat(job.OutDir); serr == nil && fi.IsDir() {
		host, _ := os.Hostname()
		msg := fmt.Sprintf("%s on %s: %v\n", time.Now().UTC().Format(time.RFC3339), host, err)
		writeAtomic(failed, []byte(msg)) // best effort: the error is returned anyway
	}
	return res, err
}

func run(ctx context.Context, job Job) (*Result, error) {
	start := time.Now()
	logw := job.Log
	if logw == nil {
		logw = io.Discard
	}
	if !job.Shard.Valid() {
		panic(fmt.Sprintf("batch: Run with invalid shard %v (use batch.Whole for the whole catalogue)", job.Shard))
	}
	if job.Draws == 0 {
		job.Draws = DefaultDraws
	}
	if job.Draws < 1 {
		return nil, fmt.Errorf("batch: --n %d: the number of draws must be at least 1", job.Draws)
	}
	if job.Format == "" {
		job.Format = table.FormatCSV
	}
	if !slices.Contains([]string{table.FormatCSV, table.FormatTSV, table.FormatNPY, table.FormatNPZ, table.FormatFITS}, job.Format) {
		return nil, fmt.Errorf("batch: --format %q: use csv, tsv, npy, npz or fits", job.Format)
	}
	if job.Model == "" || job.Input == "" || job.OutDir == "" {
		return nil, errors.New("batch: --model, --in and --out are all required")
	}
	threads := job.Threads
	if threads <= 0 {
		threads = enginethreads.N()
	}
	modelPath, err := filepath.Abs(job.Model)
	if err != nil {
		return nil, err
	}
	inPath, err := filepath.Abs(job.Input)
	if err != nil {
		return nil, err
	}
	outDir, err := filepath.Abs(job.OutDir)
	if err != nil {
		return nil, err
	}

	// The model: read once, hashed and parsed from the same bytes.
	mb, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, fmt.Errorf("batch: model: %w", err)
	}
	model := new(cinn.Model)
	if _, err := model.ReadFrom(bytes.NewReader(mb)); err != nil {
		return nil, fmt.Errorf("batch: model %s: %w (is it a file written by %%save or cinn's Save?)", modelPath, err)
	}
	if !model.Trained() {
		return nil, fmt.Errorf("batch: model %s is untrained: train it (%%train) and save it before sampling", modelPath)
	}
	modelRef := FileRef{Path: modelPath, Size: int64(len(mb)), SHA256: sha256Hex(mb)}
	mb = nil

	spec, cfg := model.Spec(), model.Config()
	yNames := names(spec.YNames, cfg.DimY, "y")
	xNames := names(spec.XNames, cfg.DimX, "x")
	yCols, err := mapColumns(yNames, job.Columns)
	if err != nil {
		return nil, err
	}
	for _, k := range job.Keep {
		if k == "row" || k == "status" {
			return nil, fmt.Errorf("batch: --keep %s: the summary table has a %s column of its own; rename the catalogue column", k, k)
		}
	}

	inRef, err := hashFile(inPath)
	if err != nil {
		return nil, fmt.Errorf("batch: input catalogue: %w", err)
	}

	want := &Manifest{
		Gocinn: job.Version, Shard: job.Shard.Index, Shards: job.Shard.Count,
		Draws: job.Draws, Seed: job.Seed, SummaryOnly: job.SummaryOnly, Format: job.Format,
		YColumns: yCols, YNames: yNames, XNames: xNames, Keep: slices.Clone(job.Keep),
		Model: modelRef, Input: inRef, OutDir: outDir, Threads: threads,
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("batch: output folder: %w", err)
	}
	base := job.Shard.Name()
	manPath := filepath.Join(outDir, base+".json")
	res := &Result{ManifestPath: manPath}

	// Idempotency: a finished shard with the same settings is left alone.
	if old, err := ReadManifest(manPath); err == nil {
		diff := old.sameSettings(want)
		switch {
		case diff != "" && !job.Force:
			return nil, fmt.Errorf("batch: %s was made with other settings (%s): use another --out folder, or --force to redo the shard", manPath, diff)
		case diff != "":
			res.Redone = "settings changed (" + diff + ")"
		default:
			if verr := old.verify(outDir); verr == nil {
				res.Manifest, res.Skipped = old, true
				fmt.Fprintf(logw, "shard %v: already done (%s); nothing to do\n", job.Shard, manPath)
				return res, nil
			} else {
				res.Redone = "outputs do not match the manifest: " + verr.Error()
			}
		}
	} else if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(outDir, base+".summary."+job.Format)); err == nil {
			res.Redone = "outputs without a manifest (an interrupted run)"
		}
	} else {
		res.Redone = err.Error()
	}
	if res.Redone != "" {
		fmt.Fprintf(logw, "shard %v: redoing: %s\n", job.Shard, res.Redone)
	}
	// From here on the shard is unfinished: no manifest may claim otherwise.
	if err := os.Remove(manPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("batch: %w", err)
	}
	removeTemps(outDir, base)
	// Outputs of an earlier attempt, possibly in another format or with
	// samples that a --summary-only redo would not replace.
	for _, kind := range []string{"summary", "samples"} {
		stale, _ := filepath.Glob(filepath.Join(outDir, base+"."+kind+".*"))
		for _, f := range stale {
			os.Remove(f)
		}
	}

	cat, total, lo, hi, err := readCatalogue(inPath, yNames, yCols, job.Keep, job.MaxBytes, job.Shard)
	if err != nil {
		return nil, err
	}
	want.RowStart, want.RowEnd, want.Rows, want.TotalRows = lo, hi, hi-lo, total
	fmt.Fprintf(logw, "shard %v: rows [%d, %d) of %d, %d draws per star, %d threads\n", job.Shard, lo, hi, total, job.Draws, threads)

	ycols := make([][]float64, len(yCols))
	for j, c := range yCols {
		ycols[j], _ = cat.Col(c) // present: readCatalogue checked
	}
	st, err := sampleRows(ctx, model, ycols, yNames, lo, hi, job, threads, logw)
	if err != nil {
		return nil, err
	}
	want.BadRows = st.bad

	// Outputs, each written atomically; the manifest last.
	sum, err := summaryTable(cat, st, xNames, lo, job.Keep)
	if err != nil {
		return nil, err
	}
	want.Columns = sum.AllNames()
	outs := []struct {
		kind, file string
		t          *table.Table
	}{{"summary", base + ".summary." + job.Format, sum}}
	if !job.SummaryOnly {
		sf := table.FormatNPZ
		if job.Format == table.FormatFITS {
			sf = table.FormatFITS
		}
		outs = append(outs, struct {
			kind, file string
			t          *table.Table
		}{"samples", base + ".samples." + sf, samplesTable(st, xNames, lo, job.Draws)})
	}
	for _, o := range outs {
		path := filepath.Join(outDir, o.file)
		if err := table.WriteFile(path, o.t); err != nil {
			return nil, fmt.Errorf("batch: %w", err)
		}
		ref, err := hashFile(path)
		if err != nil {
			return nil, fmt.Errorf("batch: %w", err)
		}
		want.Output = append(want.Output, Output{Kind: o.kind, File: o.file, Rows: o.t.Len(), Size: ref.Size, SHA256: ref.SHA256})
	}
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("batch: shard %v interrupted: %w", job.Shard, err)
	}
	want.Seconds = time.Since(start).Seconds()
	want.Host, _ = os.Hostname()
	want.Finished = time.Now().UTC().Truncate(time.Second)
	if err := writeManifest(manPath, want); err != nil {
		return nil, err
	}
	res.Manifest = want
	fmt.Fprintf(logw, "shard %v: %d stars (%d with bad input) in %.1f s, %.2f stars/s; wrote %s\n",
		job.Shard, want.Rows, want.BadRows, want.Seconds, float64(want.Rows)/want.Seconds, manPath)
	return res, nil
}

// names returns the model's column names, or prefix0, prefix1, … when the
// model has none.
func names(have []string, n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		if i < len(have) && have[i] != "" {
			out[i] = have[i]
		} else {
			out[i] = fmt.Sprintf("%s%d", prefix, i)
		}
	}
	return out
}

// mapColumns returns the catalogue column of each observable; see Job.Columns.
func mapColumns(yNames, spec []string) ([]string, error) {
	cols := slices.Clone(yNames)
	var plain []string
	mapped := false
	for _, s := range spec {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		name, col, ok := strings.Cut(s, "=")
		if !ok {
			plain = append(plain, s)
			continue
		}
		mapped = true
		name, col = strings.TrimSpace(name), strings.TrimSpace(col)
		i := slices.Index(yNames, name)
		if i < 0 {
			return nil, fmt.Errorf("batch: --columns %s: the model has no observable %q; its observables are %s", s, name, strings.Join(yNames, ", "))
		}
		if col == "" {
			return nil, fmt.Errorf("batch: --columns %s: empty catalogue column", s)
		}
		cols[i] = col
	}
	if len(plain) > 0 {
		if mapped || len(plain) != len(yNames) {
			return nil, fmt.Errorf("batch: --columns: give either one catalogue column per observable, in the model's order (%s), or name=column pairs", strings.Join(yNames, ", "))
		}
		cols = plain
	}
	return cols, nil
}

// readCatalogue reads the needed columns of the shard's rows [lo, hi) of
// the catalogue's total: only those rows are kept (the memory limit applies
// to them), though a text file is parsed whole, twice (table.ReadOptions.Rows).
func readCatalogue(path string, yNames, yCols, keep []string, maxBytes int64, shard Shard) (t *table.Table, total, lo, hi int, err error) {
	want := slices.Clone(yCols)
	for _, k := range keep {
		if !slices.Contains(want, k) {
			want = append(want, k)
		}
	}
	rows := func(n int) (int, int) {
		total = n
		lo, hi = shard.Rows(n)
		return lo, hi
	}
	t, err = table.ReadFile(path, table.ReadOptions{Columns: want, MaxBytes: maxBytes, Rows: rows})
	if err != nil {
		return nil, 0, 0, 0, catalogueErr(path, yNames, yCols, err)
	}
	for i, c := range yCols {
		if _, err := t.Col(c); err != nil {
			return nil, 0, 0, 0, fmt.Errorf("batch: catalogue %s: column %q for the model's observable %q: %w", path, c, yNames[i], err)
		}
	}
	return t, total, lo, hi, nil
}

// catalogueErr says what to do about a catalogue that cannot be read.
func catalogueErr(path string, yNames, yCols []string, err error) error {
	var ce *table.ColumnError
	if errors.As(err, &ce) {
		if i := slices.Index(yCols, ce.Name); i >= 0 {
			return fmt.Errorf("batch: catalogue %s has no column %q for the model's observable %q (%v): map it with --columns %s=COLUMN", path, ce.Name, yNames[i], err, yNames[i])
		}
		return fmt.Errorf("batch: catalogue %s: --keep: %w", path, err)
	}
	if errors.Is(err, table.ErrTooLarge) {
		return fmt.Errorf("batch: input catalogue: %w (gocinn sample's flag for that limit is --max-bytes; a shard needs memory for its own rows only, so more shards help)", err)
	}
	return fmt.Errorf("batch: input catalogue: %w", err)
}

// StarSource returns the random source of the star in global row row: a
// PCG seeded from seed and row through SplitMix64, so every star's draws are
// the same whichever shard it falls into.
func StarSource(seed uint64, row int) *rand.PCG {
	a := splitmix64(seed ^ 0x6a09e667f3bcc908)
	b := splitmix64(a ^ splitmix64(uint64(row)))
	return rand.NewPCG(a^b, splitmix64(b))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// shardStats holds the results of sampleRows, indexed by row − lo.
type shardStats struct {
	status  []int64
	extrap  []float64    // per row: the fraction of draws that extrapolate
	stats   [][]float64  // per row: len(Stats) values per parameter
	samples []*mat.Dense // raw samples (nil with SummaryOnly or a bad row)
	bad     int
}

// sampleRows samples the rows [lo, hi) on threads goroutines.
func sampleRows(ctx context.Context, m *cinn.Model, ycols [][]float64, yNames []string, lo, hi int, job Job, threads int, logw io.Writer) (*shardStats, error) {
	n := hi - lo
	dx := m.Config().DimX
	st := &shardStats{status: make([]int64, n), extrap: make([]float64, n), stats: make([][]float64, n)}
	xlo, xhi := m.TrainingRange()
	if !job.SummaryOnly {
		st.samples = make([]*mat.Dense, n)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next, done atomic.Int64
	var mu sync.Mutex
	var problems []string
	report := func(msg string) {
		mu.Lock()
		problems = append(problems, msg)
		mu.Unlock()
	}

	stopProgress := make(chan struct{})
	var progressWG sync.WaitGroup
	progressWG.Add(1)
	go func() {
		defer progressWG.Done()
		t0 := time.Now()
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-tick.C:
				d := done.Load()
				rate := float64(d) / time.Since(t0).Seconds()
				eta := time.Duration(float64(int64(n)-d) / rate * float64(time.Second))
				fmt.Fprintf(logw, "shard %v: %d/%d stars, %.2f stars/s, about %v left\n", job.Shard, d, n, rate, eta.Round(time.Second))
			}
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < min(threads, max(n, 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dy := len(ycols)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				row := lo + i
				y := make([]float64, dy)
				status := int64(StatusOK)
				for j := range ycols {
					v := ycols[j][i] // the catalogue holds the shard's rows only
					y[j] = v
					if status == StatusOK && math.IsNaN(v) {
						status = StatusMissing
						report(fmt.Sprintf("row %d: observable %s is missing", row, yNames[j]))
					}
				}
				var s []*mat.Dense
				if status == StatusOK {
					var err error
					s, err = m.Sample(ctx, mat.NewDense(1, dy, y), job.Draws, StarSource(job.Seed, row))
					var de *cinn.DataError
					switch {
					case errors.As(err, &de):
						status = StatusInvalid
						report(fmt.Sprintf("row %d: %s = %v: %s", row, yNames[de.Col], de.Value, de.Reason))
					case err != nil:
						cancel(err)
						return
					}
				}
				st.status[i] = status
				st.extrap[i] = math.NaN()
				vals := make([]float64, len(Stats)*dx)
				if status != StatusOK {
					for k := range vals {
						vals[k] = math.NaN()
					}
				} else {
					if xlo != nil {
						st.extrap[i] = float64(diagnostics.Extrapolated(s[0], xlo, xhi, ExtrapolationMargin).Rows) / float64(job.Draws)
					}
					for p, su := range diagnostics.Summarize(s[0], Levels) {
						v := vals[p*len(Stats):]
						v[0], v[1] = su.MAP, su.Median
						v[2], v[3] = su.Intervals[0].Lo, su.Intervals[0].Hi
						v[4], v[5] = su.Intervals[1].Lo, su.Intervals[1].Hi
						v[6], v[7] = su.Mean, su.Std
					}
					if st.samples != nil {
						st.samples[i] = s[0]
					}
				}
				st.stats[i] = vals
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stopProgress)
	progressWG.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("batch: shard %v: %w", job.Shard, err)
	}
	slices.Sort(problems)
	for i, p := range problems {
		if i == 10 {
			fmt.Fprintf(logw, "shard %v: … and %d more rows with bad input (status column)\n", job.Shard, len(problems)-10)
			break
		}
		fmt.Fprintf(logw, "shard %v: %s; status set, summaries NaN\n", job.Shard, p)
	}
	for _, s := range st.status {
		if s != StatusOK {
			st.bad++
		}
	}
	var far []string
	for i, f := range st.extrap {
		if f > 0 {
			far = append(far, strconv.Itoa(lo+i))
		}
	}
	if len(far) > 0 {
		more := ""
		if len(far) > 10 {
			far, more = far[:10], fmt.Sprintf(" and %d more", len(far)-10)
		}
		fmt.Fprintf(logw, "shard %v: warning: stars with draws more than half the training range outside it (rows %s%s): the network extrapolates there; the column extrapolated holds the fraction of such draws per star\n",
			job.Shard, strings.Join(far, ", "), more)
	}
	return st, nil
}

// summaryTable builds the shard's summary table: row, the kept columns,
// status, then Stats for every parameter. cat holds the shard's rows, the
// first of which is global row lo.
func summaryTable(cat *table.Table, st *shardStats, xNames []string, lo int, keep []string) (*table.Table, error) {
	n := cat.Len()
	t := new(table.Table)
	rows := make([]int64, n)
	for i := range rows {
		rows[i] = int64(lo + i)
	}
	if err := t.AddInt64("row", rows, ""); err != nil {
		return nil, err
	}
	for _, k := range keep {
		if txt, err := cat.Text(k); err == nil {
			if err := t.AddText(k, slices.Clone(txt), ""); err != nil {
				return nil, err
			}
			continue
		}
		if iv, ok := cat.Int64(k); ok {
			if err := t.AddInt64(k, slices.Clone(iv), ""); err != nil {
				return nil, err
			}
			continue
		}
		v, err := cat.Col(k)
		if err != nil {
			return nil, fmt.Errorf("batch: --keep %s: %w", k, err)
		}
		if err := t.AddColumn(k, slices.Clone(v), ""); err != nil {
			return nil, err
		}
	}
	if err := t.AddInt64("status", st.status, ""); err != nil {
		return nil, err
	}
	if err := t.AddColumn("extrapolated", st.extrap, ""); err != nil {
		return nil, err
	}
	for p, x := range xNames {
		for k, s := range Stats {
			col := make([]float64, n)
			for i := range col {
				col[i] = st.stats[i][p*len(Stats)+k]
			}
			if err := t.AddColumn(x+"_"+s, col, ""); err != nil {
				return nil, fmt.Errorf("batch: summary column: %w", err)
			}
		}
	}
	return t, nil
}

// samplesTable lays the raw samples out long: one table row per draw, with
// the star's global row and the draw number, for the rows sampled.
func samplesTable(st *shardStats, xNames []string, lo, draws int) *table.Table {
	good := 0
	for _, s := range st.samples {
		if s != nil {
			good++
		}
	}
	rows := make([]int64, 0, good*draws)
	drawCol := make([]int64, 0, good*draws)
	cols := make([][]float64, len(xNames))
	for p := range cols {
		cols[p] = make([]float64, 0, good*draws)
	}
	for i, s := range st.samples {
		if s == nil {
			continue
		}
		for d := 0; d < draws; d++ {
			rows = append(rows, int64(lo+i))
			drawCol = append(drawCol, int64(d))
			for p := range cols {
				cols[p] = append(cols[p], s.At(d, p))
			}
		}
	}
	t := new(table.Table)
	mustOK(t.AddInt64("row", rows, ""))
	mustOK(t.AddInt64("draw", drawCol, ""))
	for p, x := range xNames {
		mustOK(t.AddColumn(x, cols[p], ""))
	}
	return t
}

func mustOK(err error) {
	if err != nil {
		panic("batch: " + err.Error())
	}
}

// removeTemps removes the temporary files an interrupted run of the shard
// left in dir (".shard-0003-of-0010.summary.csv.tmp123", ...).
func removeTemps(dir, base string) {
	tmps, _ := filepath.Glob(filepath.Join(dir, "."+base+".*tmp*"))
	for _, f := range tmps {
		os.Remove(f)
	}
}
