#!/usr/bin/env bash
# Float32 GEMM on the cINN's shapes, side by side: cinn/sgemm, gonum's pure-Go
# Sgemm and numpy's float32 matmul (OpenBLAS), in GFLOP/s with ratios.
#
#   bench/gemm/run.sh                 # from anywhere in the repository
#   ROUNDS=5 bench/gemm/run.sh        # more rounds, steadier figures
#   SHAPES='512x256x256/NN 512x256x6/NN' bench/gemm/run.sh
#   THREADS=1 bench/gemm/run.sh       # one core each (GOMAXPROCS, OPENBLAS_NUM_THREADS)
#   ARCH=avx2 bench/gemm/run.sh       # our AVX2 kernels against OpenBLAS's Haswell ones
#
# With THREADS=1 a second table gives GFLOP per second of CPU time: on a
# machine that other work keeps busy it is the steadier figure of how well
# each library uses the core it gets. (With more threads OpenBLAS's spinning
# threads burn CPU time while waiting, so that figure is not printed.)
#
# Shapes are named m×k×n/op(A)op(B): the forward product X·W (NN), the input
# gradient dY·Wᵀ (NT) and the weight gradient Xᵀ·dY (TN) of the subnet layers
# 13→256, 256→256 and 256→6 at batch 512 and 4096.
#
# The machine may be shared, so the measurements interleave: two servers,
# gemmserve (Go: cinn/sgemm and gonum) and numpy_gemm.py --serve (numpy),
# stay up and, in each of ROUNDS rounds, measure every shape in turn for
# 0.1 s each in chunks of at least 10 ms. Every figure is the best rate seen,
# which tames the noise of other processes but cannot remove it. The same
# shapes are Go benchmarks too: go test -bench Sgemm ./cinn/sgemm.
#
# numpy runs from .venv (PYTHON overrides it) with OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset for that command only: they are set on some machines
# for older OpenBLAS builds and slow a current one. The BLAS numpy used is
# printed below the table (threadpoolctl).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
py=${PYTHON:-.venv/bin/python}
all="512x13x256/NN 512x256x13/NT 13x512x256/TN 512x256x256/NN 512x256x256/NT 256x512x256/TN
512x256x6/NN 512x6x256/NT 256x512x6/TN 4096x13x256/NN 4096x256x13/NT 13x4096x256/TN
4096x256x256/NN 4096x256x256/NT 256x4096x256/TN 4096x256x6/NN 4096x6x256/NT 256x4096x6/TN"
shapes=${SHAPES:-$all}
if [ -n "${THREADS:-}" ]; then
	export GOMAXPROCS=$THREADS OPENBLAS_NUM_THREADS=$THREADS
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
go build -o "$tmp/gemmserve" ./bench/gemm/gemmserve
npenv=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
if [ "${ARCH:-}" = avx2 ]; then
	npenv=(env OPENBLAS_CORETYPE=Haswell)
fi

# ready reads a server's header up to "# ready" from descriptor $1 and
# prints it.
ready() {
	local line
	while read -r line <&"$1"; do
		[ "$line" = "# ready" ] && return 0
		echo "$line"
	done
	return 1
}

# The servers talk through named pipes: descriptors 3 and 4 for Go, 5 and 6
# for numpy.
mkfifo "$tmp/go.in" "$tmp/go.out" "$tmp/np.in" "$tmp/np.out"
"$tmp/gemmserve" -seconds 0.1 -arch "${ARCH:-}" <"$tmp/go.in" >"$tmp/go.out" &
exec 3>"$tmp/go.in" 4<"$tmp/go.out"
ready 4
numpy=0
if [ -x "$py" ]; then
	"${npenv[@]}" "$py" bench/gemm/numpy_gemm.py --serve 0.1 <"$tmp/np.in" >"$tmp/np.out" &
	exec 5>"$tmp/np.in" 6<"$tmp/np.out"
	if ready 6 | sed 's/^# /# numpy BLAS: /'; then numpy=1; fi
fi
[ "$numpy" = 1 ] || echo "# numpy not measured: $py is missing or failed" >&2

: >"$tmp/all.dat"
for ((r = 1; r <= rounds; r++)); do
	for s in $shapes; do
		echo "$s" >&3
		while read -r name impl g gc <&4; do
			[ "$name" = "#" ] && break
			echo "wall $name $impl $g" >>"$tmp/all.dat"
			echo "cpu $name $impl $gc" >>"$tmp/all.dat"
		done
		if [ "$numpy" = 1 ]; then
			echo "$s" >&5
			read -r name g gc <&6
			echo "wall $name numpy $g" >>"$tmp/all.dat"
			echo "cpu $name numpy $gc" >>"$tmp/all.dat"
		fi
	done
done

table() { # metric title
	awk -v order="$shapes" -v metric="$1" -v title="$2" '
	$1 == metric { if (!(($2, $3) in best) || $4 > best[$2, $3]) best[$2, $3] = $4 }
	END {
		print title
		printf "%-20s %9s %9s %9s %11s %11s\n", "shape m×k×n", "sgemm", "gonum", "numpy", "sgemm/gonum", "sgemm/numpy"
		n = split(order, list, /[ \n]+/)
		for (i = 1; i <= n; i++) {
			s = list[i]; if (s == "") continue
			o = best[s, "sgemm"]; g = best[s, "gonum"]; p = best[s, "numpy"]
			rg = (g > 0) ? sprintf("%10.1f×", o / g) : "-"
			rp = (p > 0) ? sprintf("%10.0f%%", 100 * o / p) : "-"
			printf "%-20s %9.1f %9.1f %9s %11s %11s\n", s, o, g, (p > 0) ? sprintf("%.1f", p) : "-", rg, rp
		}
	}' "$tmp/all.dat"
}
table wall "GFLOP/s (wall clock), best over the rounds; sgemm/numpy is the share of OpenBLAS (issue 7 aims at 60% or more):"
if [ "${GOMAXPROCS:-}" = 1 ]; then
	echo
	table cpu "GFLOP per CPU second, best over the rounds (one thread each, so the CPU time is the work's own):"
fi
echo "# end load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec 3>&- 5>&- # the servers end at the end of their input
wait
