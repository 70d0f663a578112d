"""Shared fixtures of gocinn's end-to-end tests.

The tests drive the real gocinn binary through real Jupyter clients. A
session fixture builds the binary (or takes $GOCINN_BIN), installs its
kernelspec with ``gocinn install`` into a temporary JUPYTER_DATA_DIR and
points every client of the session there.

With CI=true or GOCINN_REQUIRE_E2E=1 a skipped test fails: a client missing
from the environment must not pass CI unnoticed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
KERNEL_NAME = "gocinn"

# Every wait on the kernel is bounded by one of these (seconds).
START_TIMEOUT = 30
REPLY_TIMEOUT = 30


def strict() -> bool:
    """Whether a skip must count as a failure (CI)."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("GOCINN_REQUIRE_E2E") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if strict() and rep.skipped and not hasattr(rep, "wasxfail"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"skipped, but CI=true or GOCINN_REQUIRE_E2E=1 requires this test to run: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    rep = outcome.get_result()
    if strict() and rep.skipped:
        rep.outcome = "failed"
        rep.longrepr = f"module skipped, but CI=true or GOCINN_REQUIRE_E2E=1 requires it: {rep.longrepr}"


@dataclass
class Gocinn:
    binary: Path  # the gocinn binary under test
    data_dir: Path  # the temporary JUPYTER_DATA_DIR
    spec_dir: Path  # its kernels/gocinn


def venv_bin(name: str) -> str:
    """Path of a console script of the Python running the tests."""
    p = Path(sys.executable).parent / name
    if p.exists():
        return str(p)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed: run scripts/setup.sh")
    return found


@pytest.fixture(scope="session")
def gocinn_binary(tmp_path_factory) -> Path:
    """The gocinn binary: $GOCINN_BIN, or one built from this repository."""
    if os.environ.get("GOCINN_BIN"):
        b = Path(os.environ["GOCINN_BIN"]).resolve()
        if not b.is_file():
            pytest.fail(f"GOCINN_BIN={b} is not a file: build it with go build -o bin/gocinn .")
        return b
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not installed and GOCINN_BIN is not set")
    b = tmp_path_factory.mktemp("bin") / "gocinn"
    subprocess.run([go, "build", "-o", str(b), "."], cwd=ROOT, check=True, timeout=600)
    return b


@pytest.fixture(scope="session", autouse=True)
def gocinn(tmp_path_factory, gocinn_binary) -> Gocinn:
    """Installs the kernelspec into a temporary JUPYTER_DATA_DIR for the session."""
    data = tmp_path_factory.mktemp("jupyter-data")
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    saved = {k: os.environ.get(k) for k in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")}
    os.environ["JUPYTER_DATA_DIR"] = str(data)
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    out = subprocess.run(
        [str(gocinn_binary), "install", "--user"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, f"gocinn install failed: {out.stderr}"
    spec = data / "kernels" / KERNEL_NAME
    assert (spec / "kernel.json").is_file(), out.stdout
    yield Gocinn(binary=gocinn_binary, data_dir=data, spec_dir=spec)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def kernel():
    """A started gocinn kernel and a ready blocking client, shut down after the test."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=START_TIMEOUT)  # also waits until IOPub is connected
    except Exception:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    yield km, kc
    kc.stop_channels()
    if km.is_alive():
        km.shutdown_kernel(now=False)


def execute(kc, code: str, timeout: float = REPLY_TIMEOUT, **kwargs: Any) -> tuple[dict, list[dict]]:
    """Runs code and returns its execute_reply and the IOPub messages it
    caused (status and execute_input excluded), waiting for status idle."""
    msg_id = kc.execute(code, **kwargs)
    return collect(kc, msg_id, timeout)


def collect(kc, msg_id: str, timeout: float = REPLY_TIMEOUT) -> tuple[dict, list[dict]]:
    """Waits for the shell reply to msg_id and for IOPub status idle of it."""
    deadline = time.monotonic() + timeout
    reply = None
    while reply is None:
        msg = kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            reply = msg
    outputs = []
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        except Empty:
            raise TimeoutError(f"no status idle for {msg_id} within {timeout}s; got {outputs}") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t = msg["msg_type"]
        if t == "status":
            if msg["content"]["execution_state"] == "idle":
                return reply, outputs
            continue
        if t == "execute_input":
            continue
        outputs.append(msg)


def stream_text(outputs: list[dict], name: str = "stdout") -> str:
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == name)


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT
    token: str
    root: Path  # the server's root_dir, where notebooks for it go
    http: Any  # a requests.Session that sends the token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory, gocinn) -> Server:
    """A jupyter server with JupyterLab and Notebook 7, as users run it,
    seeing the session's kernelspec; its settings and workspaces in temporary
    directories."""
    import requests

    root = tmp_path_factory.mktemp("server-root")
    state = tmp_path_factory.mktemp("lab-state")
    token = "gocinn-e2e-" + uuid.uuid4().hex
    port = free_port()
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
    )
    logpath = state / "server.log"
    log = open(logpath, "w")
    proc = subprocess.Popen(
        [
            venv_bin("jupyter-server"),
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--ServerApp.root_dir={root}",
            f"--IdentityProvider.token={token}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    http = requests.Session()
    http.headers["Authorization"] = f"token {token}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if http.get(f"{base}/api/status", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"jupyter server did not start: {logpath.read_text()}")
        time.sleep(0.2)
    yield Server(base=base, token=token, root=root, http=http)
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
