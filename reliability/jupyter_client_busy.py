#!/usr/bin/env python3
"""Restart, shutdown and interrupt a busy gocinn kernel from jupyter_client.

Run by scripts/reliability.sh, which builds bin/gocinn and installs its
kernelspec into a temporary JUPYTER_DATA_DIR; usage:

    python reliability/jupyter_client_busy.py [ROUNDS]

Each round starts the kernel through jupyter_client's KernelManager, as
JupyterLab does, starts a long %train and then, in turn:

  * interrupts it with KernelManager.interrupt_kernel (interrupt_mode
    "message"): the cell ends with KeyboardInterrupt and the session works;
  * restarts the kernel with KernelManager.restart_kernel(now=False): the
    busy process must exit by itself after shutdown_request (not be killed)
    and the new one must run a cell;
  * shuts it down with KernelManager.shutdown_kernel(now=False) while busy:
    again the process must exit by itself.

It prints what each step took and exits 1 on the first failure.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from queue import Empty

from jupyter_client.manager import KernelManager

TIMEOUT = 60
SETUP = "%simulate two_moons --n 3000 --quiet --obs 2\n%data two_moons\n%model --blocks 2 --hidden 32 --layers 1"
LONG = "%train --epochs 100000 --patience -1"


def fail(msg: str) -> None:
    print("FAIL:", msg, flush=True)
    sys.exit(1)


def run(kc, code: str) -> dict:
    reply = kc.execute_interactive(code, timeout=TIMEOUT, output_hook=lambda m: None)
    return reply["content"]


def start_busy(kc) -> str:
    """Sends LONG and waits until the kernel reports it busy with it."""
    msg_id = kc.execute(LONG)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        try:
            m = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            time.sleep(0.3)
            return msg_id
    fail("the training cell did not start")
    return ""


def exited_by_itself(km: KernelManager, t0: float) -> float:
    """Waits for the kernel process to exit after a shutdown_request."""
    deadline = t0 + 10
    while time.time() < deadline:
        if not km.is_alive():
            return time.time() - t0
        time.sleep(0.02)
    return -1.0


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    worst = {"interrupt": 0.0, "restart": 0.0, "shutdown": 0.0}
    for r in range(rounds):
        km = KernelManager(kernel_name="gocinn")
        km.start_kernel()
        mode = stat.S_IMODE(os.stat(km.connection_file).st_mode)
        if mode & 0o077:
            fail(f"connection file {km.connection_file} has mode {oct(mode)}: readable by others")
        if km.ip not in ("127.0.0.1", "localhost"):
            fail(f"jupyter_client chose ip {km.ip}")
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=TIMEOUT)
        if run(kc, SETUP)["status"] != "ok":
            fail("setup cell failed")

        # Interrupt while busy.
        msg_id = start_busy(kc)
        t0 = time.time()
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kc.get_shell_msg(timeout=TIMEOUT)
        took = time.time() - t0
        worst["interrupt"] = max(worst["interrupt"], took)
        if reply["content"].get("ename") != "KeyboardInterrupt":
            fail(f"interrupted %train replied {reply['content']}")
        c = run(kc, "%sample --obs two_moons_obs --n 64")
        if c["status"] != "ok":
            fail(f"the model is not usable after the interrupt: {c}")

        # Restart while busy.
        start_busy(kc)
        t0 = time.time()
        kc.shutdown(restart=True)  # what restart_kernel(now=False) sends first
        took = exited_by_itself(km, t0)
        if took < 0:
            fail("the busy kernel did not exit after shutdown_request(restart=True)")
        worst["restart"] = max(worst["restart"], took)
        km.restart_kernel(now=True)  # the process is gone: start the new one
        kc.stop_channels()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=TIMEOUT)
        if run(kc, "%echo after restart")["status"] != "ok":
            fail("the restarted kernel does not run cells")
        if run(kc, SETUP)["status"] != "ok":
            fail("setup cell failed after restart")

        # Shutdown while busy.
        start_busy(kc)
        t0 = time.time()
        km.shutdown_kernel(now=False)
        took = time.time() - t0
        worst["shutdown"] = max(worst["shutdown"], took)
        if km.is_alive():
            fail("the kernel is alive after shutdown_kernel")
        kc.stop_channels()
        print(f"round {r + 1}/{rounds}: ok", flush=True)
    print("worst times: " + ", ".join(f"{k} {v:.2f} s" for k, v in worst.items()))
    print(f"{rounds} rounds of interrupt, restart and shutdown of a busy kernel from jupyter_client: all held")


if __name__ == "__main__":
    main()
