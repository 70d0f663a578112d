#!/bin/sh
# fuzz-table.sh runs each fuzzer of cinn/table for a bounded time. It is not
# part of CI: run it by hand after changing a reader, and record what it
# finds in cinn/table/FUZZING.md.
#
#   scripts/fuzz-table.sh                 # 60 s per fuzzer
#   FUZZTIME=30s scripts/fuzz-table.sh    # another budget (go test -fuzztime syntax)
#   FUZZERS="FuzzReadFITS" scripts/fuzz-table.sh
#   FUZZWORKERS=2 scripts/fuzz-table.sh   # parallel workers (default 1: the machine is shared)
#   FUZZMINIMIZE=10s scripts/fuzz-table.sh # effort to minimise each new input (default 1x, one try:
#                                          # with go's 60 s default, minimising 8 KB FITS inputs
#                                          # took nearly all the time: 61 execs in 30 s)
#
# A failing input is saved by go test under cinn/table/testdata/fuzz/<Fuzzer>/
# and from then on replayed by every plain `go test`; fix the reader, keep
# the file as a regression test. The script runs every fuzzer and exits
# non-zero if any failed.
set -u
cd "$(dirname "$0")/.." || exit 2
time=${FUZZTIME:-60s}
workers=${FUZZWORKERS:-1}
fuzzers=${FUZZERS:-"FuzzReadCSV FuzzReadASCII FuzzReadNPY FuzzReadNPZ FuzzReadFITS"}
failed=""
for f in $fuzzers; do
	echo "== $f for $time ($workers worker(s))"
	if ! go test ./cinn/table/ -run '^$' -fuzz "^$f\$" -fuzztime "$time" -fuzzminimizetime "${FUZZMINIMIZE:-1x}" -parallel "$workers"; then
		failed="$failed $f"
	fi
done
if [ -n "$failed" ]; then
	echo "FAILED:$failed (inputs saved under cinn/table/testdata/fuzz/)"
	exit 1
fi
echo "all fuzzers ran for $time each without failure"
