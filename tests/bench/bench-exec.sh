#!/bin/bash
# `exec` latency of /bin/true into a running container: husk vs crun vs
# runc, interleaved, each runtime with its own --root, bundle and container.
#
#   tests/bench/bench-exec.sh [-n ITERATIONS] [-o OUT.json]    (as root)
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

ITERATIONS=100
OUT=$REPO_ROOT/tests/.tmp/bench-exec.json
parse_bench_options n:o: "$@"

enter_v1_only_namespace "$0" "$@"
find_runtimes
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-exec.XXXXXX)

cleanup() {
	for rt in "${RUNTIMES[@]}"; do
		"${rt#*=}" --root "$WORK/${rt%%=*}/root" delete --force "bench-${rt%%=*}-$$" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

for rt in "${RUNTIMES[@]}"; do
	name=${rt%%=*}
	make_bundle "$WORK/$name/bundle" '["/bin/sleep", "100000"]'
	"${rt#*=}" --root "$WORK/$name/root" run -d --bundle "$WORK/$name/bundle" \
		"bench-$name-$$" </dev/null >/dev/null 2>&1
done

for ((i = 0; i < ITERATIONS; i++)); do
	for rt in "${RUNTIMES[@]}"; do
		name=${rt%%=*}
		timed "$name" "${rt#*=}" --root "$WORK/$name/root" exec "bench-$name-$$" /bin/true
	done
done

report "exec /bin/true" "$OUT"
