"""Notebooks executed headlessly: nbclient, papermill and scripts/run_notebook.py."""

from __future__ import annotations

import base64
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import NOTEBOOKS, ROOT

SMOKE = NOTEBOOKS / "smoke.ipynb"


def outputs_of(nb, source_start):
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start)]
    return cell.outputs


def check_smoke(nb):
    assert nb.metadata.language_info.name == "gocinn"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))

    (o,) = outputs_of(nb, "%echo hello")
    assert o.output_type == "stream" and o.name == "stdout" and o.text == "hello from gocinn\n"
    (o,) = outputs_of(nb, "%echo --stderr")
    assert o.output_type == "stream" and o.name == "stderr"
    (o,) = [o for o in outputs_of(nb, "%simulate") if "image/png" in o.get("data", {})]
    assert o.output_type == "display_data"
    assert base64.b64decode(o.data["image/png"])[:4] == b"\x89PNG"
    assert o.metadata["image/png"]["width"] == 320 and "text/plain" in o.data
    (o,) = outputs_of(nb, "%help")
    assert "<table" in o.data["text/html"] and "%train" in o.data["text/plain"]
    # The %train progress display was updated in place: one output, final state.
    outs = outputs_of(nb, "%data moons")
    progress = [o for o in outs if "<progress" in o.get("data", {}).get("text/html", "")]
    assert len(progress) == 1, [o.get("data", {}).get("text/plain") for o in outs]
    assert "epoch 2/2" in progress[0].data["text/plain"] and "(done)" in progress[0].data["text/plain"]
    assert any("training summary" in o.get("data", {}).get("text/plain", "") for o in outs)
    (o,) = outputs_of(nb, "%echo --result")
    assert o.output_type == "execute_result" and o.data["text/plain"] == "42"
    # clear_output(wait) then new output: only the new output remains.
    (o,) = outputs_of(nb, "%echo to be cleared")
    assert o.text == "after clear\n"


def test_nbclient_runs_smoke_notebook():
    nb = nbformat.read(SMOKE, as_version=4)
    NotebookClient(nb, kernel_name="gocinn", timeout=60, startup_timeout=30).execute()
    check_smoke(nb)


def test_nbclient_reports_failing_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%echo before"),
        nbformat.v4.new_code_cell("%load the-data-file-is-missing.csv"),
        nbformat.v4.new_code_cell("%echo never runs"),
    ]
    with pytest.raises(CellExecutionError, match="the-data-file-is-missing.csv"):
        NotebookClient(nb, kernel_name="gocinn", timeout=60, startup_timeout=30).execute()
    assert nb.cells[0].outputs[0].text == "before\n"
    assert nb.cells[1].outputs[0].output_type == "error"
    assert nb.cells[2].outputs == []


def test_nbclient_interrupts_on_timeout():
    """nbclient's cell timeout interrupts the kernel and goes on."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%sleep 60"), nbformat.v4.new_code_cell("%echo next")]
    client = NotebookClient(
        nb, kernel_name="gocinn", timeout=2, startup_timeout=30, interrupt_on_timeout=True, allow_errors=True
    )
    client.execute()
    assert nb.cells[0].outputs[0].output_type == "error"
    assert nb.cells[0].outputs[0].ename == "KeyboardInterrupt"
    assert nb.cells[1].outputs[0].text == "next\n"


def test_papermill(tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "smoke-papermill.ipynb"
    papermill.execute_notebook(str(SMOKE), str(out), kernel_name="gocinn", progress_bar=False, execution_timeout=60)
    check_smoke(nbformat.read(out, as_version=4))


def test_run_notebook_script(tmp_path):
    out = tmp_path / "smoke.executed.ipynb"
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "run_notebook.py"), "--kernel", "gocinn", str(SMOKE), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    check_smoke(nbformat.read(out, as_version=4))
