#!/bin/sh
# make bench: run the benchmark binary from the repository root.
set -eu
exec build/privaudit-bench "$@"
