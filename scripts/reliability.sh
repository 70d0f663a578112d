#!/usr/bin/env bash
# reliability.sh runs gocinn's reliability tests at the counts of issue 8 and
# writes their figures to a log (docs/reliability.md records a run). CI runs
# the same tests with short counts through `go test ./reliability/`; this is
# the long version, to run by hand (about 15-20 minutes on 2 cores).
#
#   scripts/reliability.sh                   # everything
#   STEPS="go fuzz" scripts/reliability.sh   # some of: go race fuzz client
#   RUN='Soak|Heartbeat' STEPS=go scripts/reliability.sh   # some Go tests
#   FUZZTIME=2m scripts/reliability.sh       # per fuzz target (default 60s)
#   FUZZMINIMIZE=10s scripts/reliability.sh  # minimising each new input (default 2s: with
#                                            # go's 60 s default, minimising ate the budget)
#   ROUNDS=10 scripts/reliability.sh         # jupyter_client rounds (default 5)
#
# Steps:
#   go      go test ./reliability/ with GOCINN_RELIABILITY=full: 10,000 hostile
#           messages, 100 interrupts, 100 kill -9 during %save/%export, 2,000
#           reads of changing files, 10,000-cell soak, 3,000 heartbeat pings
#           under training, memory refusals, security checks
#   race    the same tests and the kernel's with the race detector (shorter
#           counts: -race is about ten times slower)
#   fuzz    each fuzz target of the wire decoder (kernel/) and the cell
#           parser (magics/) for FUZZTIME, one worker
#   client  reliability/jupyter_client_busy.py: interrupt, restart and
#           shutdown of a busy kernel from jupyter_client (bin/gocinn built
#           and its kernelspec installed in a temporary JUPYTER_DATA_DIR)
#
# The log goes to ${LOG:-/tmp/gocinn-reliability.log}; the script exits non-zero
# if any step failed. Every loop is bounded in count and time; everything
# runs on loopback or Unix sockets.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
steps=${STEPS:-"go race fuzz client"}
log=${LOG:-/tmp/gocinn-reliability.log}
venv=${GOCINN_VENV:-$root/.venv}
failed=""
: >"$log"
say() { printf '\n=== %s\n' "$*" | tee -a "$log"; }

for step in $steps; do
	case $step in
	go)
		say "go test ./reliability/ (GOCINN_RELIABILITY=full) $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
		if ! GOCINN_RELIABILITY=full go test -count=1 -timeout 60m -v -run "${RUN:-.}" ./reliability/ 2>&1 | tee -a "$log"; then
			failed="$failed go"
		fi
		;;
	race)
		say "go test -race (a third of the CI counts) ./reliability/ ./kernel/..."
		if ! GOCINN_RELIABILITY_SCALE=0.3 go test -race -count=1 -timeout 30m ./reliability/ ./kernel/... 2>&1 | tee -a "$log"; then
			failed="$failed race"
		fi
		;;
	fuzz)
		for target in kernel:FuzzSignedFrames kernel:FuzzRequestContent kernel:FuzzHistoryGlob kernel:FuzzDecode kernel:FuzzGuard \
			magics:FuzzParse magics:FuzzTokenize magics:FuzzComplete magics:FuzzExecute; do
			pkg=${target%%:*} name=${target#*:}
			say "fuzz ./$pkg $name for ${FUZZTIME:-60s}"
			if ! go test "./$pkg/" -run '^$' -fuzz "^$name\$" -fuzztime "${FUZZTIME:-60s}" -fuzzminimizetime "${FUZZMINIMIZE:-2s}" -parallel 1 2>&1 | tail -n 4 | tee -a "$log"; then
				failed="$failed $name"
			fi
		done
		;;
	client)
		say "jupyter_client: interrupt, restart, shutdown of a busy kernel (${ROUNDS:-5} rounds)"
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/gocinn-rel.XXXXXX")
		if go build -o "$tmp/gocinn" . &&
			JUPYTER_DATA_DIR=$tmp/data JUPYTER_RUNTIME_DIR=$tmp/runtime "$tmp/gocinn" install --user >/dev/null &&
			JUPYTER_DATA_DIR=$tmp/data JUPYTER_RUNTIME_DIR=$tmp/runtime timeout 30m \
				"$venv/bin/python" reliability/jupyter_client_busy.py "${ROUNDS:-5}" 2>>"$tmp/kernel.log" | tee -a "$log"; then
			grep -E 'level=(WARN|ERROR)' "$tmp/kernel.log" | sed 's/^/kernel log: /' | tee -a "$log"
		else
			failed="$failed client"
			tail -n 20 "$tmp/kernel.log" | tee -a "$log"
		fi
		rm -rf "$tmp"
		;;
	*)
		echo "unknown step $step (want go, race, fuzz or client)" >&2
		exit 2
		;;
	esac
done

if [ -n "$failed" ]; then
	say "FAILED:$failed (log: $log)"
	exit 1
fi
say "all steps held (log: $log)"
