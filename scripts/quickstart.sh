#!/usr/bin/env bash
# THE main job of gocinn on a fresh Debian/Ubuntu machine: set everything up,
# build the binary, install the Jupyter kernelspec for the current user and
# run the quick-start notebook headlessly. Prints where the executed notebook
# (and an HTML rendering of it) went.
#
# Environment:
#   GOCINN_OUT  directory for the executed notebook (default: a new
#               directory under ${TMPDIR:-/tmp})
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${GOCINN_VENV:-$root/.venv}

scripts/setup.sh

echo "quickstart: go build -o bin/gocinn ." >&2
go build -o bin/gocinn .
bin/gocinn install --user

notebook=notebooks/01-quickstart.ipynb
out=${GOCINN_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/gocinn-quickstart.XXXXXX")}
mkdir -p "$out"
executed=$out/$(basename "$notebook" .ipynb).executed.ipynb

echo "quickstart: running $notebook" >&2
"$venv/bin/python" scripts/run_notebook.py --kernel gocinn "$notebook" "$executed"
"$venv/bin/jupyter" nbconvert --log-level=WARN --to html "$executed" --output-dir "$out" >&2

echo
echo "Executed notebook: $executed"
echo "As HTML:           ${executed%.ipynb}.html"
