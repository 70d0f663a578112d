#!/usr/bin/env bash
# Float32 GEMM on the cINN's shapes, side by side: cinn/sgemm, gonum's pure-Go
# Sgemm and numpy's float32 matmul (OpenBLAS), in GFLOP/s with ratios.
#
#   bench/gemm/run.sh                 # from anywhere in the repository
#   BENCHTIME=0.5s COUNT=5 bench/gemm/run.sh
#
# Shapes are named m×k×n/op(A)op(B): the forward product X·W (NN), the input
# gradient dY·Wᵀ (NT) and the weight gradient Xᵀ·dY (TN) of the subnet layers
# 13→256, 256→256 and 256→6 at batch 512 and 4096. Each figure is the best of
# COUNT runs, which tames but does not remove the noise of a shared machine.
#
# numpy runs from .venv (PYTHON overrides it) with OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset for that command only: they are set on some machines
# for older OpenBLAS builds and slow a current one. The BLAS numpy used is
# printed below the table (threadpoolctl).
set -euo pipefail
cd "$(dirname "$0")/../.."
benchtime=${BENCHTIME:-0.2s}
count=${COUNT:-3}
py=${PYTHON:-.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench '^BenchmarkSgemm$' -benchtime "$benchtime" -count "$count" ./cinn/sgemm >"$tmp/go.txt"
grep -E '^(goos|goarch|cpu):' "$tmp/go.txt" | sed 's/^/# /'
# BenchmarkSgemm/512x13x256/NN/sgemm-2  N  ns/op  G GFLOP/s  ->  "shape impl G"
awk '/^BenchmarkSgemm\// {
	name = $1; sub(/^BenchmarkSgemm\//, "", name); sub(/-[0-9]+$/, "", name)
	impl = name; sub(/.*\//, "", impl); sub(/\/[^\/]*$/, "", name)
	for (i = 2; i < NF; i++) if ($(i+1) == "GFLOP/s") print name, impl, $i
}' "$tmp/go.txt" >"$tmp/go.dat"

if [ -x "$py" ] && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" bench/gemm/numpy_gemm.py 0.3 >"$tmp/np.txt"; then
	awk '!/^#/ {print $1, "numpy", $2}' "$tmp/np.txt" >>"$tmp/go.dat"
else
	echo "# numpy not measured: $py is missing or failed" >&2
	: >"$tmp/np.txt"
fi

awk '
{ if ($3 > best[$1 SUBSEP $2]) best[$1 SUBSEP $2] = $3
  if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
END {
	printf "%-20s %9s %9s %9s %11s %11s\n", "shape m×k×n", "sgemm", "gonum", "numpy", "sgemm/gonum", "sgemm/numpy"
	for (i = 1; i <= n; i++) {
		s = order[i]; o = best[s SUBSEP "sgemm"]; g = best[s SUBSEP "gonum"]; p = best[s SUBSEP "numpy"]
		rg = (g > 0) ? sprintf("%10.1f×", o / g) : "-"
		rp = (p > 0) ? sprintf("%10.0f%%", 100 * o / p) : "-"
		printf "%-20s %9.1f %9.1f %9s %11s %11s\n", s, o, g, (p > 0) ? sprintf("%.1f", p) : "-", rg, rp
	}
	print "GFLOP/s, best of the runs; sgemm/numpy is the share of OpenBLAS (issue 7 aims at 60% or more)."
}' "$tmp/go.dat"
grep '^#' "$tmp/np.txt" | sed 's/^# /# numpy BLAS: /' || true
