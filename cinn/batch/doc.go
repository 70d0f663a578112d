// Copyright ©2026 The gocinn Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package batch samples posteriors for whole survey catalogues, one shard at
// a time, so that the existing schedulers of computing centres (Slurm job
// arrays, Kubernetes Indexed Jobs) can spread a catalogue of 10⁶ to 10⁹
// stars over many nodes. It implements the commands "gocinn sample" (Run)
// and "gocinn merge" (Merge); docs/scale-out.md has the job scripts.
//
// # Shards
//
// Shard i of N covers the contiguous rows
//
//	[⌊i·R/N⌋, ⌊(i+1)·R/N⌋)
//
// of a catalogue of R rows (Shard.Rows): the shards tile the catalogue and
// their sizes differ by at most one. ShardFromEnv reads the shard of a Slurm
// array task or of a Kubernetes Indexed Job pod (JOB_COMPLETION_INDEX, with
// the count from GOCINN_SHARDS). For Slurm, when the count is given the task
// ID is the shard index (less GOCINN_SHARD_BASE), so failed shards can be
// resubmitted alone; otherwise the index is SLURM_ARRAY_TASK_ID −
// SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, so whole arrays numbered
// from 0 or from 1 both work.
//
// # Reproducibility
//
// Every star's draws come from its own random stream, StarSource(seed, row),
// a PCG seeded through SplitMix64 from the seed and the star's global row
// index, and cinn's Sample is independent of GOMAXPROCS. So the results
// depend only on the model, the catalogue, the seed and the number of draws:
// N shards merged equal one unsharded run bit for bit, whatever N and the
// number of threads.
//
// # Outputs
//
// A shard writes into its output folder, each file atomically (a temporary
// file renamed into place):
//
//	shard-0003-of-0010.summary.csv   one row per star: row (global, 0-based),
//	                                 the Job.Keep columns, status,
//	                                 extrapolated (the fraction of draws
//	                                 more than half the training range
//	                                 outside it), and for
//	                                 each parameter p the columns p_map,
//	                                 p_median, p_p16, p_p84, p_p2_5, p_p97_5,
//	                                 p_mean, p_std (Stats; KDE MAP and numpy
//	                                 percentiles as in cinn/diagnostics)
//	shard-0003-of-0010.samples.npz   unless SummaryOnly: one row per draw,
//	                                 columns row, draw and the parameters
//	                                 (.fits when the format is fits)
//	shard-0003-of-0010.json          the Manifest, written last
//	shard-0003-of-0010.failed        only after a failed run: its error, for
//	                                 Merge to report (removed on success)
//
// The status of a star is StatusOK (0), StatusMissing (1: an observable is
// NaN in the catalogue) or StatusInvalid (2: infinite, or outside the
// domain of the model's transform); such stars get NaN summaries and are
// listed in the log, and never stop the shard. A star whose draws lie far
// outside the parameters' training range (extrapolated above 0) is where
// the network extrapolates; the log lists the first ten such rows.
//
// # Idempotency
//
// A shard is finished when its manifest exists and every output it lists has
// the recorded size and SHA-256. Run first checks this: a finished shard
// with the same model (by hash), catalogue (by hash and size) and settings
// is skipped; a shard without a manifest, with a damaged manifest or with
// outputs that do not match it (a killed run, a truncated copy) is redone
// from scratch; a manifest recording other settings is an error unless
// Job.Force. The old manifest is deleted before any work, and the new one
// written only after all outputs are in place, so a crash at any moment
// leaves a shard that the next run redoes.
//
// # Merging
//
// Merge checks all manifests of a folder (one model, catalogue and set of
// settings; shards 0 … N−1 all present; row ranges that tile the catalogue;
// checksums), and then concatenates the summaries into one table in row
// order. When a shard is missing or broken it writes nothing and returns an
// *IncompleteError listing, for each, the problem and the exact command that
// redoes it. Check does the checks alone, for runs too large to hold in one
// table (read the per-shard summaries directly then).
//
// # Limits
//
// A shard keeps its own rows only (table.ReadOptions.Rows), so Job.MaxBytes
// bounds the shard's rows, not the file: an NPY, NPZ or FITS catalogue
// skips the rows before its range (a seek in a plain file), a text
// catalogue (CSV, TSV, ECSV, whitespace) is parsed twice, once to count and
// check every row and once to keep the shard's. Every shard of a text
// catalogue thus parses the whole file twice; FITS is much faster to
// shard. Raw samples of a
// shard are held in memory until written: rows × draws × (parameters + 2) ×
// 8 bytes; use SummaryOnly for large shards.
package batch
