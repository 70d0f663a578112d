#!/usr/bin/env python3
"""Measures gocinn beside ipykernel, in the same run, with jupyter_client.

    .venv/bin/python bench/kernel/bench.py [--starts N] [--rounds N] [--bin PATH]

For each kernel:
  start-up     from KernelManager.start_kernel() to the first
               kernel_info_reply (median and p90 of --starts starts)
  kernel_info  round trip of kernel_info_request to its reply
  execute      round trip of a trivial cell that prints one line, to its
               execute_reply and to the status idle that ends it
               (median and p90 of --rounds each)

The gocinn kernelspec is installed into a temporary JUPYTER_DATA_DIR from
--bin (default bin/gocinn, built with go build if missing); ipykernel is the
python3 kernel of the running Python. Not a test: numbers depend on the
machine and its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30

KERNELS = {
    # name: trivial cell printing one line
    "gocinn": "%echo hi",
    "python3": "print('hi')",
}


def p90(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]


def wait_reply(kc, msg_id: str) -> dict:
    deadline = time.monotonic() + TIMEOUT
    while True:
        msg = kc.get_shell_msg(timeout=max(0.001, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def wait_idle(kc, msg_id: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.001, deadline - time.monotonic()))
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            return


def startup(name: str) -> float:
    """Seconds from start_kernel to the first kernel_info_reply."""
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel(stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    try:
        wait_reply(kc, kc.kernel_info())
        return time.perf_counter() - t0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def round_trips(name: str, code: str, rounds: int) -> dict[str, list[float]]:
    km = KernelManager(kernel_name=name)
    km.start_kernel(stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=TIMEOUT)
        for _ in range(10):  # warm up both ends
            wait_reply(kc, kc.kernel_info())
            mid = kc.execute(code)
            wait_reply(kc, mid)
            wait_idle(kc, mid)
        out: dict[str, list[float]] = {"kernel_info": [], "execute reply": [], "execute idle": []}
        for _ in range(rounds):
            t0 = time.perf_counter()
            mid = kc.kernel_info()
            wait_reply(kc, mid)
            out["kernel_info"].append(time.perf_counter() - t0)
            wait_idle(kc, mid)
        for _ in range(rounds):
            t0 = time.perf_counter()
            mid = kc.execute(code)
            wait_reply(kc, mid)
            t1 = time.perf_counter()
            wait_idle(kc, mid)
            t2 = time.perf_counter()
            out["execute reply"].append(t1 - t0)
            out["execute idle"].append(t2 - t0)
        return out
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--starts", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--bin", type=Path, default=ROOT / "bin" / "gocinn")
    args = ap.parse_args()

    if not args.bin.exists():
        subprocess.run(["go", "build", "-o", str(args.bin), "."], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="gocinn-bench") as tmp:
        os.environ["JUPYTER_DATA_DIR"] = tmp
        subprocess.run([str(args.bin), "install", "--user"], check=True, stdout=subprocess.DEVNULL)

        results: dict[str, dict[str, list[float]]] = {}
        for name, code in KERNELS.items():
            print(f"{name}: {args.starts} starts, {args.rounds} round trips ...", file=sys.stderr)
            r = {"start-up": [startup(name) for _ in range(args.starts)]}
            r.update(round_trips(name, code, args.rounds))
            results[name] = r

    go, py = results["gocinn"], results["python3"]
    ms = lambda v: f"{v * 1e3:10.3f} ms"  # noqa: E731
    print(f"\n{'':14}{'gocinn median':>15}{'p90':>14}{'ipykernel median':>18}{'p90':>14}{'ratio':>8}")
    for metric in go:
        gm, pm = statistics.median(go[metric]), statistics.median(py[metric])
        print(f"{metric:14}{ms(gm):>15}{ms(p90(go[metric])):>14}{ms(pm):>18}{ms(p90(py[metric])):>14}{pm / gm:7.1f}x")
    print("\nratio = ipykernel median / gocinn median (higher: gocinn faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
