#!/bin/bash
# huskd's memory after pod churn: N cycles, where a cycle is POST a
# one-container pod through the API, wait until it is Running, DELETE it
# (gracePeriodSeconds=0) and wait until GET answers 404; huskd's VmRSS
# fresh (after one warm-up cycle), after the N cycles (0 pods left), and
# the number of events it keeps (capped in count and bytes, and expiring
# after --event-ttl).  -p P clients run the cycles side by side, each on
# its own pod name (churn-<client>); every cycle is still a whole
# create/Running/delete/gone.  The cycles are driven by huskd-churn
# (tests/bench/huskd_churn.c), a C client: 10,000 cycles take minutes, not
# the hours a loop of curl and jq took.
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
CHURN_BIN=${HUSKD_CHURN:-$(newest_bin tests/bench/huskd-churn)}
[ -x "$HUSKD_BIN" ] && [ -x "$RUNTIME" ] && [ -x "$CHURN_BIN" ] ||
	{ echo "bench-huskd-churn.sh: huskd, husk or huskd-churn not built" >&2; exit 1; }
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-churn.XXXXXX)
SOCK=$WORK/huskd.sock
CGPARENT=/husk-bench-churn-$$
HUSKD_PID=

event_count() { K http://huskd/api/v1/events | jq '.items | length'; }

cleanup() { bench_huskd_teardown; }
trap cleanup EXIT

bench_huskd_start
sleep 1
RSS_START=$(rss_kb "$HUSKD_PID")
"$CHURN_BIN" "$SOCK" default "$ROOTFS" 1 1 >/dev/null || { echo "bench-huskd-churn.sh: warm-up failed" >&2; exit 1; }
sleep 1
RSS0=$(rss_kb "$HUSKD_PID")
t0=0 t1=0 # set by now_ns
now_ns t0
"$CHURN_BIN" "$SOCK" default "$ROOTFS" "$PODS" "$ITERATIONS" ||
	{ echo "bench-huskd-churn.sh: a cycle failed" >&2; exit 1; }
now_ns t1
CYCLE_MS=$(((t1 - t0) / ITERATIONS / 1000000))
sleep 1
RSS1=$(rss_kb "$HUSKD_PID")
EVENTS=$(event_count)
LOAD=$(uptime | sed 's/.*load average: //')
printf 'huskd churn (%s): %s create/Running/delete cycles by %s clients, %s ms per cycle\n' \
	"$HUSKD_BIN" "$ITERATIONS" "$PODS" "$CYCLE_MS"
printf 'huskd VmRSS: %s kB fresh (no pod yet), %s kB after one cycle, %s kB after %s more (%+d kB from fresh); %s events kept\n' \
	"$RSS_START" "$RSS0" "$RSS1" "$ITERATIONS" "$((RSS1 - RSS_START))" "$EVENTS"
echo "load: $LOAD"
jq -n --argjson n "$ITERATIONS" --argjson p "$PODS" --argjson ms "$CYCLE_MS" --argjson rs "$RSS_START" --argjson r0 "$RSS0" --argjson r1 "$RSS1" \
	--argjson ev "$EVENTS" --arg load "$LOAD" \
	'{benchmark: "huskd memory after pod churn", cycles: $n, clients: $p, cycle_ms: $ms,
	  huskd_rss_kb: {fresh: $rs, after_first_cycle: $r0, after: $r1, growth: ($r1 - $rs)}, events_kept: $ev, load: $load}' >"$OUT"
echo "JSON: $OUT"
