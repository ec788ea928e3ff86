#!/bin/bash
# huskd's memory after pod churn: N cycles, where a cycle is POST a
# one-container pod through the API, wait until it is Running, DELETE it
# (gracePeriodSeconds=0) and wait until GET answers 404; huskd's VmRSS
# fresh (after one warm-up cycle), after the N cycles (0 pods left), and
# the number of events it keeps (capped in count and bytes, and expiring
# after --event-ttl).  -p P clients run the cycles side by side, each on
# its own pod name (churn-<client>), so that long runs take less time
# (1,500 cycles by 4 clients: 15 min at load 20); every cycle is still a
# whole create/Running/delete/gone.
# Prints the time per cycle (wall time / N), so a run of 10,000 cycles can
# be planned from a short one.  A private huskd (own socket, state, roots,
# cgroup parent).
#
#   tests/bench/bench-huskd-churn.sh [-n CYCLES] [-p CLIENTS] [-o OUT.json]   (root)
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

ITERATIONS=200
PODS=1
OUT=$REPO_ROOT/tests/.tmp/bench-huskd-churn.json
parse_bench_options n:o:p: "$@"


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

# cycle NAME WHAT: one create/Running/delete/gone of pod NAME.
cycle() {
	local body
	body=$(jq -nc --arg img "$ROOTFS" --arg name "$1" '{apiVersion: "v1", kind: "Pod", metadata: {name: $name},
		spec: {terminationGracePeriodSeconds: 1, containers: [{name: "main", image: $img, command: ["sleep", "100000"]}]}}')
	K -o /dev/null -X POST -H 'Content-Type: application/json' -d "$body" "$POD_URL"
	wait_until 60 pod_running "$1" || { echo "cycle $2: not Running" >&2; return 1; }
	K -o /dev/null -X DELETE "$POD_URL/$1?gracePeriodSeconds=0"
	wait_until 60 pod_gone "$1" || { echo "cycle $2: not deleted" >&2; return 1; }
}

# client C: cycles C, C + PODS, C + 2 PODS... on pod churn-C.
client() {
	local i
	for ((i = $1; i < ITERATIONS; i += PODS)); do cycle "churn-$1" "$i"; done
}

cycle churn-0 warm-up
sleep 1
RSS0=$(rss_kb "$HUSKD_PID")
t0=$(now_ns)
clients=()
for ((c = 0; c < PODS; c++)); do client "$c" & clients+=($!); done
failed=0
for pid in "${clients[@]}"; do wait "$pid" || failed=1; done # not `wait`: huskd is a child too
[ "$failed" = 0 ] || { echo "bench-huskd-churn.sh: a client failed" >&2; exit 1; }
CYCLE_MS=$((($(now_ns) - t0) / ITERATIONS / 1000000))
sleep 1
RSS1=$(rss_kb "$HUSKD_PID")
EVENTS=$(event_count)
LOAD=$(uptime | sed 's/.*load average: //')
printf 'huskd churn (%s): %s create/Running/delete cycles by %s clients, %s ms per cycle\n' \
	"$HUSKD_BIN" "$ITERATIONS" "$PODS" "$CYCLE_MS"
printf 'huskd VmRSS: %s kB fresh (after one cycle), %s kB after %s cycles (%+d kB); %s events kept\n' \
	"$RSS0" "$RSS1" "$ITERATIONS" "$((RSS1 - RSS0))" "$EVENTS"
echo "load: $LOAD"
jq -n --argjson n "$ITERATIONS" --argjson p "$PODS" --argjson ms "$CYCLE_MS" --argjson r0 "$RSS0" --argjson r1 "$RSS1" \
	--argjson ev "$EVENTS" --arg load "$LOAD" \
	'{benchmark: "huskd memory after pod churn", cycles: $n, clients: $p, cycle_ms: $ms,
	  huskd_rss_kb: {fresh: $r0, after: $r1, growth: ($r1 - $r0)}, events_kept: $ev, load: $load}' >"$OUT"
echo "JSON: $OUT"
