#!/usr/bin/env python3
"""Executes a notebook headlessly with nbclient and writes the result.

    run_notebook.py [--kernel NAME] [--timeout S] IN.ipynb OUT.ipynb

The kernel runs in the notebook's own directory, as in Jupyter, so relative
paths in cells mean the same thing. The executed notebook is written even
when a cell fails (the failing cell holds the error); the exit status is
then 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebook", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--kernel", default="", help="kernel name (default: the notebook's kernelspec)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds one cell may run (default 1800)")
    args = ap.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        startup_timeout=60,
        resources={"metadata": {"path": str(args.notebook.resolve().parent)}},
    )
    start = time.monotonic()
    failed = None
    try:
        client.execute()
    except CellExecutionError as e:
        failed = e
    elapsed = time.monotonic() - start
    args.output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, args.output)

    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    outputs = sum(len(c.get("outputs", [])) for c in code_cells)
    print(
        f"{args.notebook}: {len(code_cells)} code cells, {outputs} outputs, {elapsed:.1f} s",
        file=sys.stderr,
    )
    if failed is not None:
        print(f"{args.notebook}: a cell failed (see {args.output}):\n{failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
