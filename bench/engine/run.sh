#!/bin/sh
# Side-by-side benchmark of the gocinn engine and the same network in
# PyTorch float32 (torch_bench.py): 8 GLOW blocks, subnets 3x256, dim x 5,
# dim y 8, batch 512, on this machine in one run. It prints, for each thread
# count (GOMAXPROCS for Go, torch.set_num_threads for PyTorch; the headline
# is threads = cores), training steps/s and posterior samples/s with the
# Go/PyTorch ratios and the CPU time per operation, then the peak resident
# memory of training on MEM_N (10^6) samples (bench/engine/trainmem against
# torch_bench.py --mem-n). It first runs crosscheck.py, which checks in
# float64 that the engine's forward pass, log|det J|, loss and gradients
# equal those of the PyTorch network.
#
# Environment:
#   THREADS        thread counts to measure (default "1 <cores>")
#   GO_BENCHTIME   go test -benchtime for the Go side (default 10x)
#   TORCH_STEPS    timed training steps for PyTorch (default 20)
#   MEM_N          training samples for the memory benchmark (default 1000000)
#   MEM_STEPS      training steps of the memory benchmark (default 20; PyTorch
#                  runs them on one thread: 2 OpenMP threads thrash on a
#                  loaded machine and threads do not change the memory)
#   TORCH_BLAS_DIR directory holding the libblas.so.3 PyTorch should use.
#                  Debian's python3-torch links the system libblas.so.3,
#                  which is the slow netlib reference BLAS unless OpenBLAS
#                  is installed. By default the script downloads Debian's
#                  libopenblas0-pthread with apt-get download (no root
#                  needed) and unpacks it with dpkg-deb into
#                  $BENCH_CACHE/openblas (BENCH_CACHE defaults to
#                  ${XDG_CACHE_HOME:-$HOME/.cache}/gocinn-bench); only the
#                  PyTorch processes see it (LD_LIBRARY_PATH).
#                  TORCH_BLAS_DIR=system keeps the system BLAS.
#   PYTHON         interpreter with torch (default /usr/bin/python3)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cores=$(nproc)
THREADS=${THREADS:-"1 $cores"}
GO_BENCHTIME=${GO_BENCHTIME:-10x}
TORCH_STEPS=${TORCH_STEPS:-20}
MEM_N=${MEM_N:-1000000}
MEM_STEPS=${MEM_STEPS:-20}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gocinn-bench}
cd "$root"

# An optimised BLAS for PyTorch, fetched once.
if [ -z "${TORCH_BLAS_DIR:-}" ]; then
	ob="$BENCH_CACHE/openblas"
	TORCH_BLAS_DIR="$ob/usr/lib/x86_64-linux-gnu/openblas-pthread"
	if [ ! -e "$TORCH_BLAS_DIR/libblas.so.3" ]; then
		echo "fetching OpenBLAS for PyTorch into $ob (apt-get download libopenblas0-pthread)"
		mkdir -p "$ob"
		if (cd "$ob" && apt-get download libopenblas0-pthread >apt.log 2>&1 && dpkg-deb -x libopenblas0-pthread_*.deb .); then
			:
		else
			echo "warning: could not fetch OpenBLAS (see $ob/apt.log); PyTorch keeps the system BLAS (slow if it is the reference BLAS)" >&2
			TORCH_BLAS_DIR=system
		fi
	fi
fi
if [ "$TORCH_BLAS_DIR" = system ]; then
	blas=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || echo "system libblas.so.3")
	torch_ld=${LD_LIBRARY_PATH:-}
else
	blas="$TORCH_BLAS_DIR/libblas.so.3"
	torch_ld=$TORCH_BLAS_DIR
fi

"$PYTHON" bench/engine/crosscheck.py
echo "# $(date -u +%FT%TZ) $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# Go blas32=${GOCINN_BLAS:-sgemm} (GOCINN_BLAS=gonum for gonum's), PyTorch BLAS $blas"

cpus=$(echo $THREADS | tr ' ' ',')
go test -c -o "$tmp/cinn.test" ./cinn/
go build -o "$tmp/trainmem" ./bench/engine/trainmem
"$tmp/cinn.test" -test.run '^$' -test.bench '^Benchmark(TrainStep|Sample)$' \
	-test.benchtime "$GO_BENCHTIME" -test.cpu "$cpus" >"$tmp/go.out"
grep '^Benchmark' "$tmp/go.out" || true
for th in $THREADS; do
	OPENBLAS_NUM_THREADS=$th LD_LIBRARY_PATH=$torch_ld "$PYTHON" bench/engine/torch_bench.py --threads "$th" --steps "$TORCH_STEPS" >"$tmp/torch$th.json"
	echo "torch threads=$th: $(cat "$tmp/torch$th.json")"
done
GOMAXPROCS=$cores "$tmp/trainmem" -n "$MEM_N" -steps "$MEM_STEPS" >"$tmp/gomem.json"
echo "go trainmem: $(cat "$tmp/gomem.json")"
OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH=$torch_ld "$PYTHON" bench/engine/torch_bench.py --threads 1 --mem-n "$MEM_N" --mem-steps "$MEM_STEPS" >"$tmp/torchmem.json"
echo "torch mem: $(cat "$tmp/torchmem.json")"
echo "# end load average $(cut -d' ' -f1-3 /proc/loadavg)"

"$PYTHON" - "$tmp" "$THREADS" "$cores" <<'PY'
import json, re, sys
tmp, threads, cores = sys.argv[1], sys.argv[2].split(), sys.argv[3]
go = open(f"{tmp}/go.out").read()

def metric(name, th, unit):
    suffix = "" if th == "1" else f"-{th}"
    line = re.search(rf"^Benchmark{name}{re.escape(suffix)}\s.*$", go, re.M)
    if not line:
        sys.exit(f"no Benchmark{name}{suffix} line in the Go output")
    m = re.search(rf"([\d.]+) {re.escape(unit)}", line.group(0))
    return float(m.group(1)) if m else float("nan")

targets = {"train steps/s": 2.0, "posterior samples/s": 4.0}
print()
print(f"{'threads':>8} {'':22}{'gocinn':>12}{'PyTorch':>12}{'Go/PyTorch':>12}{'target':>8}  met")
for th in threads:
    t = json.load(open(f"{tmp}/torch{th}.json"))
    rows = [("train steps/s", metric("TrainStep", th, "steps/s"), t["train_steps_per_s"]),
            ("posterior samples/s", metric("Sample", th, "samples/s"), t["samples_per_s"])]
    for name, g, p in rows:
        r = g / p
        tg = targets[name]
        met = "yes" if r >= tg else f"no, {r / tg:.0%} of the target"
        print(f"{th:>8} {name:22}{g:12.1f}{p:12.1f}{r:12.2f}{tg:7.0f}×  {met}")
# CPU time per operation with one thread each: the cost of the work itself,
# much less sensitive to the load than the rates above.
if "1" in threads:
    t = json.load(open(f"{tmp}/torch1.json"))
    print()
    print(f"{'1 thread, CPU ms/op':31}{'gocinn':>12}{'PyTorch':>12}{'PyTorch/Go':>12}")
    for name, g, p in [("train step", metric("TrainStep", "1", "cpu-ms/op"), t["train_cpu_ms"]),
                       ("20 x 512 posterior draws", metric("Sample", "1", "cpu-ms/op"), t["sample_cpu_ms"])]:
        print(f"{'':5}{name:26}{g:12.1f}{p:12.1f}{p / g:12.2f}")
    print()
# Each side at its best thread count: on a loaded machine more threads can
# be slower (OpenMP threads thrash), so this is the fairest single figure.
best = {}
for th in threads:
    t = json.load(open(f"{tmp}/torch{th}.json"))
    for name, g, p in [("train steps/s", metric("TrainStep", th, "steps/s"), t["train_steps_per_s"]),
                       ("posterior samples/s", metric("Sample", th, "samples/s"), t["samples_per_s"])]:
        bg, bp = best.get(name, (0, 0))
        best[name] = (max(bg, g), max(bp, p))
for name, (g, p) in best.items():
    r = g / p
    tg = targets[name]
    met = "yes" if r >= tg else f"no, {r / tg:.0%} of the target"
    print(f"{'best':>8} {name:22}{g:12.1f}{p:12.1f}{r:12.2f}{tg:7.0f}×  {met}")
gm = json.load(open(f"{tmp}/gomem.json"))
tm = json.load(open(f"{tmp}/torchmem.json"))
print()
print(f"peak RSS training on {gm['samples']} samples ({gm['steps']} steps of batch {gm['batch']}):")
print(f"  gocinn {gm['peak_rss_mib']:.0f} MiB (after building the float64 data: {gm['rss_data_mib']:.0f} MiB), "
      f"PyTorch {tm['peak_rss_mib']:.0f} MiB (after its float32 data: {tm['rss_after_data_mib']:.0f} MiB); "
      f"Go/PyTorch {gm['peak_rss_mib'] / tm['peak_rss_mib']:.2f}; target 1000 MiB: "
      f"{'met' if gm['peak_rss_mib'] <= 1000 else 'missed'}")
PY
