#!/bin/sh
# make bench: run the benchmark binary from the repository root.
#
#   make bench                        full mode (about 3-5 minutes on 2 cores)
#   make bench BENCH_ARGS=--quick     quick mode (under a minute)
#   sh bench/run.sh --quick --keep DIR   arguments go to build/privaudit-bench
#
# The table goes to stdout, the figures to bench/results.json (or --out FILE);
# bench/README.md says what every row means.  Timings are measurements, never
# pass/fail: nothing here fails because the machine is slow or busy.
set -eu
cd "$(dirname "$0")/.."
# shellcheck disable=SC2086 # BENCH_ARGS is a list of words on purpose
exec build/privaudit-bench ${BENCH_ARGS:-} "$@"
