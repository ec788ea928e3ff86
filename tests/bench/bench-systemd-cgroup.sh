#!/bin/bash
# run and create+delete with --systemd-cgroup, husk against runc and crun,
# in the systemd guest of tests/vm/run-systemd.sh (the guest runs
# tests/bench/systemd-cgroup-guest.sh).  Under qemu TCG absolute times mean
# little: read the ratios.
#
#   tests/bench/bench-systemd-cgroup.sh [BUILD_DIR]    (BENCH_N: runs per case, default 10)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
export VM_GUEST=$src/tests/bench/systemd-cgroup-guest.sh
export BENCH_N=${BENCH_N:-10}
export VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_VERBOSE=0 exec "$src/tests/vm/run-systemd.sh" "$@"
