#!/usr/bin/env bash
# Regenerates the tutorial notebooks: builds gocinn, installs its kernelspec
# into a temporary JUPYTER_DATA_DIR and executes notebooks/*.ipynb in order
# (01-03 export into notebooks/exports, which 04 reads) with nbclient, each
# in its own folder as Jupyter does. A notebook is rewritten with its new
# outputs only when all its cells ran without an error; otherwise the
# script stops, names the cell and leaves the committed notebook alone.
#
#   scripts/notebooks.sh [NOTEBOOK...]     (default: all of notebooks/*.ipynb)
#
# Needs the .venv of scripts/setup.sh and the real data of ../shared/data
# (see notebooks/README.md). Takes about five minutes on two cores.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${GOCINN_VENV:-$root/.venv}
if [ ! -x "$venv/bin/python" ]; then
	echo "notebooks: $venv/bin/python not found: run scripts/setup.sh first" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gocinn-notebooks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "notebooks: go build" >&2
go build -o "$tmp/gocinn" .
export JUPYTER_DATA_DIR=$tmp/jupyter-data JUPYTER_RUNTIME_DIR=$tmp/jupyter-runtime
"$tmp/gocinn" install --user >&2

if [ $# -eq 0 ]; then
	set -- notebooks/[0-9]*.ipynb
fi
mkdir -p notebooks/exports
"$venv/bin/python" - "$@" <<'EOF'
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

for name in sys.argv[1:]:
    path = Path(name).resolve()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=1200,
        startup_timeout=60,
        record_timing=False,  # no timestamps: a rerun changes only what changed
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as e:
        sys.exit(f"notebooks: {name} failed, left unchanged:\n{e}")
    bad = [
        (i, o.get("ename", ""))
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    if bad:
        sys.exit(f"notebooks: {name}: error outputs in cells {bad}, left unchanged")
    nbformat.write(nb, path)
    print(f"notebooks: {name}: {time.monotonic() - start:.0f} s", file=sys.stderr)
EOF
