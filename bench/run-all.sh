#!/bin/sh
# Every side-by-side benchmark of issue 7 in one go, on this machine:
#
#   1. bench/gemm/run.sh: float32 GEMM GFLOP/s of cinn/sgemm against gonum
#      and numpy (OpenBLAS) on the cINN's shapes at batch 512 and 4096,
#      first with one thread each (plus GFLOP per CPU second, the steadier
#      figure on a shared machine), then with threads = cores;
#   2. bench/engine/run.sh: training steps/s and posterior samples/s of the
#      seeds' network against PyTorch float32 (1 thread and threads =
#      cores), and the peak resident memory of training on 10^6 samples.
#
# Usage, from anywhere in the repository:
#
#   bench/run-all.sh 2>&1 | tee /tmp/bench.txt
#
# The environment variables of both scripts pass through (ROUNDS, SHAPES,
# GO_BENCHTIME, TORCH_STEPS, MEM_N, ...). docs/benchmarks.md holds the
# tables of a run and how to read them.
set -eu
cd "$(dirname "$0")/.."
echo "# bench/run-all.sh $(date -u +%FT%TZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## GEMM, one thread each"
THREADS=1 bench/gemm/run.sh
echo
echo "## GEMM, threads = cores"
bench/gemm/run.sh
echo
echo "## Engine"
bench/engine/run.sh
echo
echo "# bench/run-all.sh done $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
