#!/usr/bin/env bash
# Installs what gocinn's build, quick start and tests need on Debian/Ubuntu:
# Go (checked), Python 3 with venv and pip and Chromium (apt-get, as root or
# with sudo), and the Python clients of e2e/requirements.txt in the virtualenv .venv at
# the repository root. Idempotent: a second run changes nothing and takes a
# second; the virtualenv is reinstalled only when e2e/requirements.txt,
# e2e/constraints.txt or the Python version changes.
#
# Environment:
#   GOCINN_VENV  virtualenv to use instead of REPO/.venv
#   PYTHON       interpreter that creates the virtualenv (default: python3)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${GOCINN_VENV:-$root/.venv}
python=${PYTHON:-python3}
req=$root/e2e/requirements.txt
constraints=$root/e2e/constraints.txt

say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		say "need root or sudo to run: $*"
		exit 1
	fi
}

apt_updated=
apt_install() {
	if ! command -v apt-get >/dev/null 2>&1; then
		say "apt-get not found: install these packages with your system's package manager: $*"
		exit 1
	fi
	if [ -z "$apt_updated" ]; then
		as_root apt-get update -q >&2
		apt_updated=1
	fi
	say "apt-get install $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

# Debian packages: only those that are missing.
missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
command -v "$python" >/dev/null 2>&1 || missing+=(python3)
if ! command -v "$python" >/dev/null 2>&1 || ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
	missing+=(python3-venv python3-pip)
fi
command -v go >/dev/null 2>&1 || missing+=(golang-go ca-certificates)
# Headless Chromium for the JupyterLab and Notebook 7 tests (e2e/test_browser.py).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 &&
	! command -v google-chrome >/dev/null 2>&1; then
	missing+=(chromium)
fi
# Node.js and npm for the JupyterLab browser test of the tutorials (e2e/browser).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
	apt_install "${missing[@]}"
fi

# playwright-core, pinned by e2e/browser/package-lock.json; it drives the
# system Chromium and downloads no browser.
lockstamp=$root/e2e/browser/node_modules/.gocinn-lock.sha256
lockwant=$(sha256sum "$root/e2e/browser/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$lockstamp" ] || [ "$(cat "$lockstamp")" != "$lockwant" ]; then
	say "npm ci in e2e/browser"
	(cd "$root/e2e/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
	printf '%s\n' "$lockwant" >"$lockstamp"
fi

# Go: go.mod asks for 1.24; a go of 1.21 or later fetches that toolchain
# itself through the module proxy.
gov=$(go env GOVERSION 2>/dev/null || go version | awk '{print $3}')
case "$gov" in
go1.[0-9] | go1.[0-9].* | go1.1[0-9] | go1.1[0-9].* | go1.20 | go1.20.*)
	say "$gov is too old: gocinn needs Go 1.21 or later to build (it then fetches the toolchain go.mod asks for)."
	say "On Debian 12: apt-get install -t bookworm-backports golang-1.23-go and put /usr/lib/go-1.23/bin first in PATH; on Ubuntu: apt-get install golang-1.23-go; or see https://go.dev/dl"
	exit 1
	;;
esac

# The virtualenv, reinstalled when its inputs change.
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
	say "creating $venv"
	"$python" -m venv "$venv"
fi
stamp=$venv/.gocinn-requirements.sha256
want=$({
	cat "$req" "$constraints"
	"$venv/bin/python" -c 'import sys; print(sys.version)'
} | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	say "$venv is up to date"
	exit 0
fi
say "installing e2e/requirements.txt into $venv (a few minutes on a new machine)"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q \
	-r "$req" -c "$constraints"
printf '%s\n' "$want" >"$stamp"
say "$venv ready"
