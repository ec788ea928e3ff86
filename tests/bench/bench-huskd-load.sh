#!/bin/bash
# huskd under load: CLIENTS concurrent keep-alive clients (huskd-load, one
# thread each, on huskd's unix socket) for DURATION seconds, each repeating
# one pod's life: POST, LIST, GET every 200 ms until Running, LIST, DELETE.
# Prints p50/p99/max per verb (create = the POST answered, not the pod
# started) and the pods that reached Running per second.  A private huskd
# (own socket, state, roots, cgroup parent) runs the pods with husk.
#
#   CLIENTS=50 DURATION=60 tests/bench/bench-huskd-load.sh [-o OUT.json]   (root)
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

CLIENTS=${CLIENTS:-50}
DURATION=${DURATION:-60}
ITERATIONS=1
OUT=$REPO_ROOT/tests/.tmp/bench-huskd-load.json
parse_bench_options o: "$@"

HUSKD_BIN=${HUSKD:-$(newest_bin sandbox/huskd/huskd)}
RUNTIME=${HUSK:-$(newest_bin runtime/cli/husk)}
LOAD_BIN=${HUSKD_LOAD:-$(newest_bin tests/bench/huskd-load)}
[ -x "$HUSKD_BIN" ] && [ -x "$RUNTIME" ] && [ -x "$LOAD_BIN" ] ||
	{ echo "bench-huskd-load.sh: huskd, husk or huskd-load not built" >&2; exit 1; }
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-load.XXXXXX)
SOCK=$WORK/huskd.sock
CGPARENT=/husk-bench-load-$$
HUSKD_PID=

pod_count() { K http://huskd/api/v1/pods | jq '.items | length'; }
no_pods() { [ "$(pod_count)" = 0 ]; }

cleanup() { bench_huskd_teardown; }
trap cleanup EXIT

bench_huskd_start

"$LOAD_BIN" "$SOCK" default "$ROOTFS" "$CLIENTS" "$DURATION" >"$WORK/load.out"
LOAD=$(uptime | sed 's/.*load average: //')
t0=$SECONDS
wait_until 300 no_pods || echo "bench-huskd-load.sh: $(pod_count) pods left after 300 s" >&2
DRAIN=$((SECONDS - t0))

printf 'huskd load (%s): %s clients for %s s\n' "$HUSKD_BIN" "$CLIENTS" "$DURATION"
printf '%-7s %7s %9s %9s %9s %7s\n' verb n p50_ms p99_ms max_ms errors
# key=value words to a JSON object per line
to_json() { jq -Rc 'split(" ") | map(split("=") | {(.[0]): (.[1] | tonumber? // .)}) | add'; }
grep '^verb=' "$WORK/load.out" | to_json >"$WORK/verbs.json"
jq -r '[.verb, .n, .p50_ms, .p99_ms, .max_ms, .errors] | @tsv' "$WORK/verbs.json" |
	while IFS=$'\t' read -r v n p50 p99 mx e; do
		printf '%-7s %7s %9s %9s %9s %7s\n' "$v" "$n" "$p50" "$p99" "$mx" "$e"
	done
SUMMARY=$(grep '^running=' "$WORK/load.out" | to_json)
jq -r '"pods Running: \(.running) in \(.seconds) s (\(.running_per_s)/s), POST to Running p50 \(.time_to_running_p50_ms) ms, p99 \(.time_to_running_p99_ms) ms"' <<<"$SUMMARY"
echo "all pods gone $DRAIN s after the load; load: $LOAD"
jq -n --argjson c "$CLIENTS" --argjson d "$DURATION" --slurpfile v "$WORK/verbs.json" \
	--argjson s "$SUMMARY" --argjson drain "$DRAIN" --arg load "$LOAD" \
	'{benchmark: "huskd under load", clients: $c, duration_s: $d, verbs: $v, pods: $s,
	  drain_s: $drain, load: $load}' >"$OUT"
echo "JSON: $OUT"
