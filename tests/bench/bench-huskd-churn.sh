#!/bin/bash
# huskd's memory after pod churn: N times POST a one-container pod, wait
# until it is Running, DELETE it and wait until it is gone; huskd's VmRSS
# fresh (after one warm-up cycle), after the N cycles, and the number of
# events it keeps (capped, and expiring after --event-ttl).  Prints the
# time of one cycle, so a run of 10,000 cycles can be planned from a short
# one.  A private huskd (own socket, state, roots, cgroup parent).
#
#   tests/bench/bench-huskd-churn.sh [-n CYCLES] [-o OUT.json]   (root)
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

ITERATIONS=200
OUT=$REPO_ROOT/tests/.tmp/bench-huskd-churn.json
parse_bench_options n:o: "$@"


HUSKD_BIN=${HUSKD:-$(newest_bin sandbox/huskd/huskd)}
RUNTIME=${HUSK:-$(newest_bin runtime/cli/husk)}
[ -x "$HUSKD_BIN" ] && [ -x "$RUNTIME" ] || { echo "bench-huskd-churn.sh: huskd/husk not built" >&2; exit 1; }
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-churn.XXXXXX)
SOCK=$WORK/huskd.sock
CGPARENT=/husk-bench-churn-$$
HUSKD_PID=

POD_URL=http://huskd/api/v1/namespaces/default/pods
pod_gone() { [ "$(K -o /dev/null -w '%{http_code}' "$POD_URL/$1")" = 404 ]; }
pod_running() { [ "$(K "$POD_URL/$1" | jq -r .status.phase)" = Running ]; }
event_count() { K http://huskd/api/v1/events | jq '.items | length'; }

cleanup() { bench_huskd_teardown; }
trap cleanup EXIT

bench_huskd_start

BODY=$(jq -nc --arg img "$ROOTFS" '{apiVersion: "v1", kind: "Pod", metadata: {name: "churn"},
	spec: {terminationGracePeriodSeconds: 1, containers: [{name: "main", image: $img, command: ["sleep", "100000"]}]}}')
cycle() {
	K -o /dev/null -X POST -H 'Content-Type: application/json' -d "$BODY" "$POD_URL"
	wait_until 60 pod_running churn || { echo "cycle $1: not Running" >&2; return 1; }
	K -o /dev/null -X DELETE "$POD_URL/churn?gracePeriodSeconds=0"
	wait_until 60 pod_gone churn || { echo "cycle $1: not deleted" >&2; return 1; }
}

cycle warm-up
sleep 1
RSS0=$(rss_kb "$HUSKD_PID")
t0=$(now_ns)
for ((i = 0; i < ITERATIONS; i++)); do cycle "$i"; done
CYCLE_MS=$((($(now_ns) - t0) / ITERATIONS / 1000000))
sleep 1
RSS1=$(rss_kb "$HUSKD_PID")
EVENTS=$(event_count)
LOAD=$(uptime | sed 's/.*load average: //')
printf 'huskd churn (%s): %s create/Running/delete cycles, %s ms per cycle\n' "$HUSKD_BIN" "$ITERATIONS" "$CYCLE_MS"
printf 'huskd VmRSS: %s kB fresh (after one cycle), %s kB after %s cycles (%+d kB); %s events kept\n' \
	"$RSS0" "$RSS1" "$ITERATIONS" "$((RSS1 - RSS0))" "$EVENTS"
echo "load: $LOAD"
jq -n --argjson n "$ITERATIONS" --argjson ms "$CYCLE_MS" --argjson r0 "$RSS0" --argjson r1 "$RSS1" \
	--argjson ev "$EVENTS" --arg load "$LOAD" \
	'{benchmark: "huskd memory after pod churn", cycles: $n, cycle_ms: $ms,
	  huskd_rss_kb: {fresh: $r0, after: $r1, growth: ($r1 - $r0)}, events_kept: $ev, load: $load}' >"$OUT"
echo "JSON: $OUT"
