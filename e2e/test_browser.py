"""gocinn in JupyterLab 4 and Notebook 7, driven in headless Chromium.

Chromium is driven through its DevTools protocol over a websocket (no
driver binary needed): open a notebook, click into a cell, press
Shift+Enter, read the rendered outputs from the page, use the toolbar's
interrupt and restart buttons. A screenshot of each page is left in the
test's temporary directory.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
import requests
import websocket

UI_TIMEOUT = 60  # seconds for the page to show what a step waits for


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium is not installed: run scripts/setup.sh (apt-get install chromium)")


class Browser:
    """One headless Chromium page, driven through the DevTools protocol."""

    def __init__(self, user_data_dir: Path):
        self.proc = subprocess.Popen(
            [
                find_chromium(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={user_data_dir}",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = user_data_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and "\n" in port_file.read_text()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        pages = [t for t in requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json() if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.ids = itertools.count(1)

    def call(self, method: str, **params):
        i = next(self.ids)
        self.ws.send(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == i:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def eval(self, expr: str):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")

    def wait(self, expr: str, what: str, timeout: float = UI_TIMEOUT):
        """Polls the JavaScript expression until it is truthy and returns it.
        An expression that throws (the page is still loading) counts as false."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                v = self.eval(expr)
            except RuntimeError:
                v = None
            if v:
                return v
            time.sleep(0.1)
        raise AssertionError(f"the page did not show {what} within {timeout} s")

    def click(self, selector: str, what: str):
        x, y = self.wait(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " const r = e.getBoundingClientRect(); if (!r.width) return null;"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()",
            what,
        )
        for t in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=t, x=x, y=y, button="left", clickCount=1)

    def shift_enter(self):
        for t in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=t, key="Enter", code="Enter", windowsVirtualKeyCode=13, modifiers=8)

    def screenshot(self, path: Path):
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self):
        if getattr(self, "ws", None):
            self.ws.close()
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    b = Browser(tmp_path / "chromium-profile")
    yield b
    b.close()


def write_notebook(server, name: str, *cells: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "gocinn", "display_name": "gocinn (cINN)", "language": "gocinn"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, server.root / name)
    return name


OUTPUTS = (
    "Array.from(document.querySelectorAll('.jp-Cell')).map(c => "
    "Array.from(c.querySelectorAll('.jp-OutputArea-output')).map(o => "
    "o.innerText + (o.querySelector('img[src^=\"data:image/png\"]') ? '[png]' : '')).join('|'))"
)
BUSY = "document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') === 'busy'"
PROMPTS = "Array.from(document.querySelectorAll('.jp-InputArea-prompt')).map(p => p.innerText.trim())"


def run_first_cell(browser):
    """Runs the first cell with Shift+Enter. Until the page's kernel
    connection is up, JupyterLab ignores a run without a trace, so the
    keystroke is repeated until the prompt shows the cell queued or run."""
    first_prompt = f"{PROMPTS}[0]"
    deadline = time.monotonic() + UI_TIMEOUT
    while time.monotonic() < deadline:
        before = browser.eval(first_prompt)
        browser.click(".jp-Notebook .jp-Cell .cm-content", "the first cell's editor")
        browser.shift_enter()
        try:
            browser.wait(f"{first_prompt} !== {json.dumps(before)}", "the cell starting", timeout=2)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the first cell did not start within {UI_TIMEOUT} s")


@pytest.mark.parametrize("app", ["lab", "notebooks"])
def test_run_cell(server, browser, tmp_path, app):
    """JupyterLab (/lab) and Notebook 7 (/notebooks) start gocinn and show its outputs."""
    name = write_notebook(server, f"browser-{app}.ipynb", "%echo hello from the browser\n%simulate two_moons --n 300 --as tm --quiet\n%plot hist2d --data tm --x x1 --y x2 --width 300")
    tree = "tree/" if app == "lab" else ""
    browser.call("Page.navigate", url=f"{server.base}/{app}/{tree}{name}?reset&token={server.token}")
    try:
        browser.wait("document.body.innerText.includes('gocinn (cINN)')", "the kernel's display name")
        run_first_cell(browser)
        outs = browser.wait(
            f"(() => {{ const o = {OUTPUTS}; return o[0] && o[0].includes('[png]') ? o : null; }})()",
            "the cell's outputs",
        )
        assert outs[0] == "hello from the browser\n|[png]", outs
        browser.wait(f"{PROMPTS}[0] === '[1]:'", "execution count 1")
    finally:
        browser.screenshot(tmp_path / f"{app}.png")


def test_lab_interrupt_and_restart(server, browser, tmp_path):
    name = write_notebook(server, "browser-interrupt.ipynb", "%sleep 120")
    browser.call("Page.navigate", url=f"{server.base}/lab/tree/{name}?reset&token={server.token}")

    def run_and_interrupt(count: int):
        run_first_cell(browser)
        browser.wait(f"{PROMPTS}[0] === '[*]:'", "the cell queued")
        # Interrupt once the kernel runs the cell (an interrupt of an idle
        # kernel does nothing, in gocinn as in ipykernel).
        browser.wait(BUSY, "the kernel busy")
        t0 = time.monotonic()
        browser.click('[data-command="notebook:interrupt-kernel"]', "the interrupt button")
        browser.wait(f"{OUTPUTS}[0].includes('KeyboardInterrupt')", "the KeyboardInterrupt error")
        browser.wait(f"{PROMPTS}[0] === '[{count}]:'", f"execution count {count}")
        assert time.monotonic() - t0 < 10

    try:
        browser.wait("document.body.innerText.includes('gocinn (cINN)')", "the kernel's display name")
        run_and_interrupt(1)
        run_and_interrupt(2)
        browser.click('[data-command="notebook:restart-kernel"]', "the restart button")
        browser.click(".jp-Dialog .jp-mod-accept", "the restart dialog's Restart button")
        browser.wait("!document.querySelector('.jp-Dialog')", "the dialog closed")
        # A restarted kernel counts from 1 again.
        run_and_interrupt(1)
    finally:
        browser.screenshot(tmp_path / "lab-interrupt.png")
