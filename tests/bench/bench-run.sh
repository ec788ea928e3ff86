#!/bin/bash
# `run` latency of /bin/true: husk vs crun vs runc, N sequential runs each,
# interleaved (h c r h c r ...) so drift hits all runtimes alike, each with
# its own --root and bundle.  Prints median, p90 and the ratio to crun, and
# writes the results as JSON.
#
#   tests/bench/bench-run.sh [-n ITERATIONS] [-o OUT.json]     (as root)
#   HUSK=path/to/husk tests/bench/bench-run.sh
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

ITERATIONS=100
OUT=$REPO_ROOT/tests/.tmp/bench-run.json
parse_bench_options n:o: "$@"

enter_v1_only_namespace "$0" "$@"
find_runtimes
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-run.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

for rt in "${RUNTIMES[@]}"; do
	make_bundle "$WORK/${rt%%=*}/bundle" '["/bin/true"]'
done

for ((i = 0; i < ITERATIONS; i++)); do
	for rt in "${RUNTIMES[@]}"; do
		name=${rt%%=*}
		timed "$name" "${rt#*=}" --root "$WORK/$name/root" run \
			--bundle "$WORK/$name/bundle" "bench-$name-$$-$i"
	done
done

report "run /bin/true" "$OUT"
