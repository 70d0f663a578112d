"""The kernel process on its own: signals, orphaning, bad connection files."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time

import pytest
from jupyter_client.connect import write_connection_file


def gone(pid: int) -> bool:
    """Whether pid has exited (a zombie counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if gone(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def connection_file(tmp_path):
    fname, _ = write_connection_file(str(tmp_path / "kernel-test.json"))
    return fname


def wait_started(proc, timeout=10) -> str:
    """Reads the kernel's stderr up to its "kernel started" log line."""
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = proc.stderr.readline()
        seen += line
        if "kernel started" in line:
            return seen
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"the kernel did not start within {timeout} s: {seen}")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_stops_cleanly(gocinn, connection_file):
    proc = subprocess.Popen(
        [str(gocinn.binary), "kernel", "--connection-file", connection_file], stderr=subprocess.PIPE, text=True
    )
    try:
        wait_started(proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.stderr.close()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_orphaned_kernel_exits(gocinn, connection_file):
    """A kernel whose frontend dies without shutting it down exits by itself."""
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys\n"
            "p = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)\n"
            "print(p.pid, flush=True)\n"
            "p.wait()\n",
            str(gocinn.binary),
            "kernel",
            "--connection-file",
            connection_file,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    kernel_pid = int(launcher.stdout.readline())
    try:
        time.sleep(0.5)
        assert not gone(kernel_pid)
        launcher.kill()
        launcher.wait(timeout=10)
        assert wait_gone(kernel_pid, 10), "the orphaned kernel is still running"
    finally:
        launcher.stdout.close()
        if not gone(kernel_pid):
            os.kill(kernel_pid, signal.SIGKILL)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        ("{not json", "kernel-test.json"),
        (json.dumps({"transport": "pigeon", "ip": "127.0.0.1", "key": "k", "signature_scheme": "hmac-sha256"}), "pigeon"),
    ],
)
def test_bad_connection_file(gocinn, tmp_path, content, message):
    path = tmp_path / "kernel-test.json"
    if content is not None:
        path.write_text(content)
    r = subprocess.run(
        [str(gocinn.binary), "kernel", "--connection-file", str(path)], capture_output=True, text=True, timeout=30
    )
    assert r.returncode == 1
    assert message in r.stderr.lower() or message in r.stderr, r.stderr
