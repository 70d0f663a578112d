package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gocinn/gocinn/cinn/batch"
)

// listFlag is a comma-separated list flag that may also be repeated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func cmdSample() *command {
	c := &command{
		UsageLine: "sample --model M --in CATALOGUE --out DIR [--shard i/N] [--n 1000] [--summary-only] [--columns ...] [--seed S]",
		Short:     "sample posteriors for one shard of a catalogue (cluster batch jobs)",
		Long: `
Sample draws posterior samples from a saved model for every star of one
shard of a catalogue, for Slurm job arrays and Kubernetes Indexed Jobs.
Shard i of N covers the contiguous rows [⌊i·R/N⌋, ⌊(i+1)·R/N⌋) of the R rows
of the catalogue (CSV, TSV, whitespace ASCII, NPY, NPZ or FITS); the
model's observables are read from the columns of the same names, or as
mapped by --columns.

When --shard is absent the shard comes from the scheduler. Slurm: with
--shards N (or $GOCINN_SHARDS) the task ID is the shard index (less
$GOCINN_SHARD_BASE, default 0), so any subset of tasks can be resubmitted;
without it the index is SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN, of
SLURM_ARRAY_TASK_COUNT (whole arrays numbered from 0 or from 1). Kubernetes:
JOB_COMPLETION_INDEX of --shards (or $GOCINN_SHARDS). Without any of these
the whole catalogue is one shard, 0/1.

DIR receives shard-0003-of-0010.summary.csv (per star: row, the --keep
columns, status, extrapolated, and for each parameter map, median, p16,
p84, p2_5, p97_5, mean, std); unless --summary-only, the raw samples in
shard-0003-of-0010.samples.npz (or .fits: one row per draw, with the
star's row); and last the manifest shard-0003-of-0010.json (rows, seconds,
checksums, model and input hashes, seed). Status is 0 for a sampled star, 1 for a missing (NaN) observable
and 2 for an infinite one or one outside the model's domain; such rows have
NaN summaries and do not stop the shard. extrapolated is the fraction of
a star's draws that lie more than half the training range outside it: the
network extrapolates there, and the log lists such stars.

Rerunning a finished shard does nothing; a shard without a manifest, or
whose outputs do not match it, is redone. Each star's random stream depends
only on --seed and its row, so any sharding gives the same numbers, bit for
bit. All cores are used (GOMAXPROCS); run "gocinn merge DIR" at the end.
`,
		Flag: flag.NewFlagSet("sample", flag.ContinueOnError),
	}
	var (
		job    batch.Job
		shard  string
		shards int
		cols   listFlag
		keep   listFlag
	)
	fs := c.Flag
	fs.StringVar(&job.Model, "model", "", "model `FILE` saved by %save")
	fs.StringVar(&job.Input, "in", "", "input `CATALOGUE`: .csv, .tsv, .dat/.txt, .npy, .npz or .fits")
	fs.StringVar(&job.OutDir, "out", "", "output `DIR` (created if needed)")
	fs.StringVar(&shard, "shard", "", "shard `i/N` (0 ≤ i < N); default from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, else 0/1")
	fs.IntVar(&shards, "shards", 0, "number of shards `N` when the index comes from the environment (default $GOCINN_SHARDS); with it a Slurm task ID is the shard index")
	fs.IntVar(&job.Draws, "n", batch.DefaultDraws, "`number` of posterior draws per star")
	fs.BoolVar(&job.SummaryOnly, "summary-only", false, "write the per-star summaries only, not the raw samples")
	fs.Var(&cols, "columns", "catalogue columns of the observables: `name=COL,...`, or one column per observable in the model's order")
	fs.Var(&keep, "keep", "catalogue `COLUMNS` (such as source_id) copied into the summary")
	fs.Uint64Var(&job.Seed, "seed", 1, "random `SEED`; each star's stream is derived from it and the star's row")
	fs.StringVar(&job.Format, "format", "csv", "summary `FORMAT`: csv, tsv, npy, npz or fits (raw samples: fits if fits, else npz)")
	fs.BoolVar(&job.Force, "force", false, "redo a shard whose manifest records other settings")
	fs.Int64Var(&job.MaxBytes, "max-bytes", 0, "memory limit in `BYTES` for the catalogue's columns: the shard's rows of an NPY, NPZ or FITS catalogue, the whole file of a text one (default: half the physical memory, at most 4 GiB)")
	fs.IntVar(&job.Threads, "threads", 0, "`number` of stars sampled in parallel (default GOMAXPROCS: all cores)")
	c.Run = func(ctx context.Context, _ *command, args []string, stdout, stderr io.Writer) error {
		if len(args) > 0 {
			return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
		}
		if job.Model == "" || job.Input == "" || job.OutDir == "" {
			return usageError{"--model, --in and --out are required"}
		}
		job.Columns, job.Keep = cols, keep
		job.Version, job.Log = version, stderr
		switch s, ok, err := batch.ShardFromEnv(os.Getenv, shards); {
		case shard != "":
			if job.Shard, err = batch.ParseShard(shard); err != nil {
				return usageError{err.Error()}
			}
		case err != nil:
			return err
		case ok:
			job.Shard = s
		default:
			job.Shard = batch.Whole
		}
		// Schedulers stop a task with SIGTERM (time limit, pre-emption):
		// stop sampling, write no manifest, and say how to resume.
		ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
		defer stop()
		res, err := batch.Run(ctx, job)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("shard %v stopped by a signal before it finished; run the same command again to redo it: %w", job.Shard, err)
			}
			return err
		}
		m := res.Manifest
		state := "done"
		if res.Skipped {
			state = "already done"
		}
		fmt.Fprintf(stdout, "shard %v %s: rows [%d, %d), %d with bad input, manifest %s\n", job.Shard, state, m.RowStart, m.RowEnd, m.BadRows, res.ManifestPath)
		return nil
	}
	return c
}

func cmdMerge() *command {
	c := &command{
		UsageLine: "merge DIR [--out FILE] [--check]",
		Short:     "check the shards of a sample run and merge their summaries",
		Long: `
Merge checks every shard manifest in DIR (the --out folder of gocinn
sample): the same model, catalogue and settings throughout, all shards
0 … N-1 present, row ranges that tile the catalogue, and outputs whose
SHA-256 matches their manifest. If a shard is missing or broken it prints
the exact command that redoes it and exits with status 1, writing nothing.
Otherwise it concatenates the summary tables in row order into FILE
(default DIR/merged.csv, or the shards' format), as .csv, .tsv, .npz or
.fits, which pandas (read_csv, or numpy.load for .npz), astropy
(Table.read) and Dask (dask.dataframe.read_csv) read. With --check it only
checks, for runs too large for one file: Dask then reads the shards'
summaries directly, dask.dataframe.read_csv("DIR/shard-*.summary.csv").
`,
		Flag: flag.NewFlagSet("merge", flag.ContinueOnError),
	}
	out := c.Flag.String("out", "", "merged table `FILE` (.csv, .tsv, .npz or .fits)")
	checkOnly := c.Flag.Bool("check", false, "only check the shards; write no merged table")
	c.Run = func(ctx context.Context, _ *command, args []string, stdout, _ io.Writer) error {
		// Allow the flags after DIR too: merge DIR --out FILE.
		if len(args) > 1 {
			if err := c.Flag.Parse(args[1:]); err != nil {
				return usageError{err.Error()}
			}
			if c.Flag.NArg() > 0 {
				return usageError{fmt.Sprintf("unexpected argument %q", c.Flag.Arg(0))}
			}
			args = args[:1]
		}
		if len(args) != 1 {
			return usageError{"merge takes one folder, the --out of gocinn sample"}
		}
		var r *batch.MergeReport
		var err error
		if *checkOnly {
			r, err = batch.Check(ctx, args[0])
		} else {
			r, err = batch.Merge(ctx, args[0], *out)
		}
		var ie *batch.IncompleteError
		if errors.As(err, &ie) {
			return errors.New(strings.TrimPrefix(err.Error(), "batch: "))
		}
		if err != nil {
			return err
		}
		if *checkOnly {
			fmt.Fprintf(stdout, "all %d shards finished and intact: %d rows (%d with bad input)\n", r.Shards, r.Rows, r.BadRows)
			return nil
		}
		fmt.Fprintf(stdout, "merged %d shards: %d rows (%d with bad input) into %s\n", r.Shards, r.Rows, r.BadRows, r.Out)
		return nil
	}
	return c
}
