"""Measure numpy float32 matmul GFLOP/s on the cINN's GEMM shapes.

    numpy_gemm.py [seconds [batches]]   all shapes, e.g. 0.3 512,4096
    numpy_gemm.py --serve [seconds]     read shape names on stdin, answer each

Prints one line per shape, "name gflops cpu_gflops" (per second of wall
clock and of CPU time), with the names of the Go
benchmark BenchmarkSgemm in cinn/sgemm (m x k x n / op(A) op(B)), then the
BLAS that numpy runs as threadpoolctl reports it, on lines starting with '#'.
A figure is the best rate over chunks of at least 10 ms. Run it through
bench/gemm/run.sh, which interleaves it with the Go benchmark shape by shape
and unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for this command only.
"""

import re
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info


def shapes(batch):
    """The products of a subnet layer in -> out at the given batch size."""
    out = []
    for fan_in, fan_out in ((13, 256), (256, 256), (256, 6)):
        out.append((f"{batch}x{fan_in}x{fan_out}/NN", "N", "N", batch, fan_out, fan_in))
        out.append((f"{batch}x{fan_out}x{fan_in}/NT", "N", "T", batch, fan_in, fan_out))
        out.append((f"{fan_in}x{batch}x{fan_out}/TN", "T", "N", fan_in, fan_out, batch))
    return out


def measure(ta, tb, m, n, k, seconds, rng):
    """Best GFLOP/s over chunks of at least 10 ms: (wall clock, CPU time).

    The CPU-time rate counts every thread of the process, OpenBLAS's
    spinning ones too, so it is comparable with Go's only on one thread.
    """
    a = rng.standard_normal((k, m) if ta == "T" else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if tb == "T" else (k, n), dtype=np.float32)
    opa = a.T if ta == "T" else a
    opb = b.T if tb == "T" else b
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(opa, opb, out=c)  # warm up
    reps, wall, cpu = 1, 0.0, 0.0
    flop = 2.0 * m * n * k
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(reps):
            np.matmul(opa, opb, out=c)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        wall = max(wall, flop * reps / dt / 1e9)
        if dc > 0:
            cpu = max(cpu, flop * reps / dc / 1e9)
        if dt < 0.01:
            reps *= 2
    return wall, cpu


def blas_info():
    for lib in threadpool_info():
        print("# " + ", ".join(f"{key}={lib.get(key)}" for key in
                               ("internal_api", "version", "architecture", "num_threads", "filepath")))


def parse(name):
    """(ta, tb, m, n, k) of a name m x k x n / op(A) op(B), or None."""
    match = re.fullmatch(r"(\d+)x(\d+)x(\d+)/([NT])([NT])", name)
    if not match:
        return None
    m, k, n = (int(match.group(i)) for i in (1, 2, 3))
    if min(m, k, n) < 1:
        return None
    return match.group(4), match.group(5), m, n, k


def serve(seconds):
    """Answer shape names read from stdin, one line each, until EOF."""
    rng = np.random.default_rng(1)
    blas_info()
    print("# ready", flush=True)
    for line in sys.stdin:
        name = line.strip()
        shape = parse(name)
        if shape is None:
            print(f"numpy_gemm.py: shape {name!r}: want m x k x n/op(A)op(B), as 512x13x256/NN",
                  file=sys.stderr)
            print(f"{name} nan nan", flush=True)
            continue
        wall, cpu = measure(*shape, seconds, rng)
        print(f"{name} {wall:.2f} {cpu:.2f}", flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(float(sys.argv[2]) if len(sys.argv) > 2 else 0.1)
        return
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.3
    batches = [int(x) for x in sys.argv[2].split(",")] if len(sys.argv) > 2 else [512, 4096]
    rng = np.random.default_rng(1)
    for batch in batches:
        for name, ta, tb, m, n, k in shapes(batch):
            wall, cpu = measure(ta, tb, m, n, k, seconds, rng)
            print(f"{name} {wall:.2f} {cpu:.2f}", flush=True)
    blas_info()


if __name__ == "__main__":
    main()
