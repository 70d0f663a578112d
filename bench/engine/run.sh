#!/bin/sh
# Side-by-side benchmark of the gocinn engine (cinn.BenchmarkTrainStep and
# cinn.BenchmarkSample) and the same network in PyTorch (torch_bench.py):
# 8 GLOW blocks, subnets 3x256, dim x 5, dim y 8, batch 512, on this machine
# in one run. Prints training steps/s, posterior samples/s, peak RSS and the
# Go/PyTorch ratios. It first runs crosscheck.py, which checks in float64
# that the engine's forward pass, log|det J|, loss and gradients equal those
# of the PyTorch network.
#
# Environment:
#   GO_BENCHTIME   go test -benchtime for the Go side (default 10x)
#   TORCH_STEPS    timed training steps for PyTorch (default 20)
#   TORCH_THREADS  thread counts to try for PyTorch (default "1 2"; the
#                  best is compared: OpenMP threads thrash on a loaded box)
#   TORCH_BLAS_DIR directory with an optimised libblas.so.3 for PyTorch, e.g.
#                  from: apt-get download libopenblas0-pthread &&
#                  dpkg-deb -x libopenblas0-pthread_*.deb DIR; then
#                  TORCH_BLAS_DIR=DIR/usr/lib/x86_64-linux-gnu/openblas-pthread.
#                  Debian's python3-torch links the system libblas.so.3,
#                  which is the slow reference BLAS unless OpenBLAS is
#                  installed.
#   PYTHON         interpreter with torch (default /usr/bin/python3)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GO_BENCHTIME=${GO_BENCHTIME:-10x}
TORCH_STEPS=${TORCH_STEPS:-20}
TORCH_THREADS=${TORCH_THREADS:-"1 2"}
PYTHON=${PYTHON:-/usr/bin/python3}
cd "$root"

"$PYTHON" bench/engine/crosscheck.py
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), GOMAXPROCS=${GOMAXPROCS:-default}, Go blas32=${GOCINN_BLAS:-sgemm} (GOCINN_BLAS=gonum for gonum's)"
go test -c -o "$tmp/cinn.test" ./cinn/
/usr/bin/time -f %M -o "$tmp/go.rss" "$tmp/cinn.test" -test.run '^$' \
	-test.bench '^Benchmark(TrainStep|Sample)$' -test.benchtime "$GO_BENCHTIME" >"$tmp/go.out"
cat "$tmp/go.out" | grep '^Benchmark' || true

blas=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || echo unknown)
if [ -n "${TORCH_BLAS_DIR:-}" ]; then
	blas="$TORCH_BLAS_DIR/libblas.so.3"
fi
for th in $TORCH_THREADS; do
	LD_LIBRARY_PATH=${TORCH_BLAS_DIR:-${LD_LIBRARY_PATH:-}} /usr/bin/time -f %M -o "$tmp/torch$th.rss" \
		"$PYTHON" bench/engine/torch_bench.py --threads "$th" --steps "$TORCH_STEPS" >"$tmp/torch$th.json"
	echo "torch threads=$th: $(cat "$tmp/torch$th.json")"
done

"$PYTHON" - "$tmp" "$blas" "$TORCH_THREADS" <<'PY'
import json, re, sys
tmp, blas, threads = sys.argv[1], sys.argv[2], sys.argv[3].split()
go = open(f"{tmp}/go.out").read()
step = float(re.search(r"BenchmarkTrainStep\S*\s+\d+\s+\d+ ns/op\s+([\d.]+) steps/s", go).group(1))
samp = float(re.search(r"BenchmarkSample\S*\s+\d+\s+\d+ ns/op\s+([\d.]+) samples/s", go).group(1))
go_rss = int(open(f"{tmp}/go.rss").read().split()[-1]) / 1024
best = None
for th in threads:
    r = json.load(open(f"{tmp}/torch{th}.json"))
    r["rss"] = int(open(f"{tmp}/torch{th}.rss").read().split()[-1]) / 1024
    r["th"] = th
    if best is None or r["train_steps_per_s"] > best["train_steps_per_s"]:
        best = r
print()
print(f"PyTorch {best['torch']} with {best['th']} thread(s) (best of {', '.join(threads)}), BLAS {blas}")
print(f"{'':24}{'gocinn':>12}{'PyTorch':>12}{'Go/PyTorch':>12}")
print(f"{'train steps/s':24}{step:12.3f}{best['train_steps_per_s']:12.3f}{step / best['train_steps_per_s']:12.3f}")
print(f"{'posterior samples/s':24}{samp:12.0f}{best['samples_per_s']:12.0f}{samp / best['samples_per_s']:12.3f}")
print(f"{'peak RSS (MiB)':24}{go_rss:12.0f}{best['rss']:12.0f}{go_rss / best['rss']:12.3f}")
PY
