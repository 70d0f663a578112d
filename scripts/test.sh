#!/usr/bin/env bash
# THE test command of gocinn: every check that CI runs, in order.
#
#   1. scripts/setup.sh (Debian packages and the Python clients in .venv)
#   2. gofmt -l, go vet ./..., go test ./...
#   3. go build -o bin/gocinn ., then install the kernelspec into a temporary
#      JUPYTER_DATA_DIR and check that "jupyter kernelspec list" shows it
#   4. pytest e2e: real Jupyter clients against bin/gocinn
#   5. e2e/browser: the quick-start notebook in JupyterLab in headless Chromium
#
# With CI=true (as in CI) or GOCINN_REQUIRE_E2E=1, an end-to-end test that
# would be skipped, for example because a client is missing, fails instead.
# Extra arguments go to pytest, e.g. scripts/test.sh -k console.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${GOCINN_VENV:-$root/.venv}
step() { printf '\n=== %s\n' "$*"; }

step "setup"
scripts/setup.sh

step "gofmt"
unformatted=$(find . -name '*.go' -not -path './.venv/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
	printf 'gofmt would change these files (run gofmt -w on them):\n%s\n' "$unformatted" >&2
	exit 1
fi

step "go vet ./..."
go vet ./...

step "go test ./..."
go test -timeout 15m ./...

step "go build -o bin/gocinn ."
go build -o bin/gocinn .

step "kernelspec in a temporary JUPYTER_DATA_DIR"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gocinn-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export JUPYTER_DATA_DIR=$tmp/jupyter-data JUPYTER_RUNTIME_DIR=$tmp/jupyter-runtime
bin/gocinn install --user
specs=$("$venv/bin/jupyter" kernelspec list)
printf '%s\n' "$specs"
for k in gocinn python3; do
	if ! grep -q "^ *$k " <<<"$specs"; then
		echo "jupyter kernelspec list does not show $k" >&2
		exit 1
	fi
done

step "pytest e2e"
export GOCINN_BIN=$root/bin/gocinn
timeout 20m "$venv/bin/python" -m pytest -p no:cacheprovider -ra "$@" e2e

step "browser: notebooks/01-quickstart.ipynb in JupyterLab, headless Chromium"
GOCINN_VENV=$venv timeout 15m node e2e/browser/lab-quickstart.mjs
