#!/bin/bash
# huskd: how long a one-container pod takes from its POST to status.phase
# Running, and how much memory huskd and each pod's holder use.  A private
# huskd (own socket, state, pod root, runtime root, image store and cgroup
# parent) runs the pods with the husk runtime:
#   1. N times: POST a pod (busybox `sleep`), read the pod's watch stream
#      until phase is Running, delete it and wait until it is gone
#      (huskd-latency, tests/bench/huskd_latency.c);
#   2. huskd's VmRSS with 0 pods, then with PODS pods running, and the
#      VmRSS of each pod's holder (husk-pod-holder: the pod's one process
#      beside its containers; it is the pod's reaper too).
# Everything is deleted at the end.  Writes the results as JSON.
#
#   tests/bench/bench-huskd.sh [-n ITERATIONS] [-p PODS] [-o OUT.json]   (root)
#   HUSK=... HUSKD=... tests/bench/bench-huskd.sh
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

ITERATIONS=20
PODS=20
OUT=$REPO_ROOT/tests/.tmp/bench-huskd.json
parse_bench_options n:p:o: "$@"


HUSKD_BIN=${HUSKD:-$(newest_bin sandbox/huskd/huskd)}
RUNTIME=${HUSK:-$(newest_bin runtime/cli/husk)}
[ -x "$HUSKD_BIN" ] || { echo "bench-huskd.sh: huskd is not built" >&2; exit 1; }
[ -x "$RUNTIME" ] || { echo "bench-huskd.sh: husk is not built" >&2; exit 1; }
LATENCY_BIN=${HUSKD_LATENCY:-$(newest_bin tests/bench/huskd-latency)}
[ -x "$LATENCY_BIN" ] || { echo "bench-huskd.sh: huskd-latency is not built" >&2; exit 1; }
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-huskd.XXXXXX)
SOCK=$WORK/huskd.sock
CGPARENT=/husk-bench-huskd-$$
HUSKD_PID=

POD_URL=http://huskd/api/v1/namespaces/default/pods

pod_count() { K http://huskd/api/v1/pods | jq '.items | length'; }

no_pods() { [ "$(pod_count)" = 0 ]; }

delete_all_pods() {
	local p
	for p in $(K "$POD_URL" | jq -r '.items[].metadata.name'); do
		K -X DELETE "$POD_URL/$p?gracePeriodSeconds=1" -o /dev/null
	done
	wait_until 60 no_pods
}

# Pods are deleted through huskd first; bench_huskd_teardown removes
# what is left.
cleanup() {
	if [ -n "$HUSKD_PID" ] && kill -0 "$HUSKD_PID" 2>/dev/null; then
		delete_all_pods || echo "bench-huskd.sh: pods left after 60 s" >&2
	fi
	bench_huskd_teardown
}
trap cleanup EXIT

# pod_body NAME: a one-container pod sleeping in the bench rootfs.
pod_body() {
	jq -nc --arg n "$1" --arg img "$ROOTFS" '{apiVersion: "v1", kind: "Pod", metadata: {name: $n},
		spec: {terminationGracePeriodSeconds: 1,
			containers: [{name: "main", image: $img, command: ["sleep", "100000"]}]}}'
}

create_pod() {
	local code
	code=$(K -o "$WORK/post.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-d "$(pod_body "$1")" "$POD_URL")
	[ "$code" = 201 ] || { echo "POST $1: $code $(head -c 300 "$WORK/post.out")" >&2; return 1; }
}

bench_huskd_start
sleep 1
RSS0=$(rss_kb "$HUSKD_PID")

# 1. latency, one pod at a time, timed by huskd-latency (a C client on
# the socket: the clock holds huskd's time and not curl's or jq's)
"$LATENCY_BIN" "$SOCK" default "$ROOTFS" "$ITERATIONS" >"$WORK/latency.out" ||
	{ cat "$WORK/latency.out" >&2; echo "bench-huskd.sh: huskd-latency failed" >&2; exit 1; }
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$WORK/latency.out" | head -1; }
MED=$(field p50_ms) P90=$(field p90_ms) MEAN=$(field mean_ms) MIN=$(field min_ms) MAX=$(field max_ms)
FAILS=$(field failures)

# 2. memory with PODS pods running
for ((i = 0; i < PODS; i++)); do create_pod "mem-$i"; done
all_running() {
	[ "$(K "$POD_URL" | jq '[.items[] | select(.status.phase == "Running")] | length')" = "$PODS" ]
}
wait_until 120 all_running || { echo "bench-huskd.sh: not all $PODS pods Running" >&2; exit 1; }
sleep 1
RSSN=$(rss_kb "$HUSKD_PID")
holder_kb=0 n=0
for d in "$WORK"/pods/*/; do
	[ -f "$d/holder.pid" ] || continue
	holder_kb=$((holder_kb + $(rss_kb "$(cat "$d/holder.pid")")))
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "bench-huskd.sh: no holder found" >&2; exit 1; }
delete_all_pods || { echo "bench-huskd.sh: pods not deleted" >&2; exit 1; }
sleep 1
RSS_AFTER=$(rss_kb "$HUSKD_PID")
LOAD=$(uptime | sed 's/.*load average: //')

printf '\nhuskd (%s, runtime %s)\n' "$HUSKD_BIN" "$RUNTIME"
printf 'POST -> Running, %s pods one at a time: median %s ms, p90 %s, mean %s, min %s, max %s, failures %s\n' \
	"$ITERATIONS" "$MED" "$P90" "$MEAN" "$MIN" "$MAX" "$FAILS"
printf 'huskd VmRSS: %s kB with 0 pods, %s kB with %s pods, %s kB after deleting them\n' \
	"$RSS0" "$RSSN" "$PODS" "$RSS_AFTER"
printf 'per pod: holder %s kB (VmRSS, mean of %s)\n' "$((holder_kb / n))" "$n"
echo "load: $LOAD"
jq -n --arg huskd "$HUSKD_BIN" --arg rt "$RUNTIME" --argjson n "$ITERATIONS" --argjson pods "$PODS" \
	--argjson med "$MED" --argjson p90 "$P90" --argjson mean "$MEAN" --argjson min "$MIN" \
	--argjson max "$MAX" --argjson fails "$FAILS" --argjson r0 "$RSS0" --argjson rn "$RSSN" \
	--argjson ra "$RSS_AFTER" --argjson h "$((holder_kb / n))" \
	--arg load "$LOAD" \
	'{benchmark: "huskd pod start and memory", huskd: $huskd, runtime: $rt, load: $load,
	  post_to_running: {iterations: $n, median_ms: $med, p90_ms: $p90, mean_ms: $mean,
	    min_ms: $min, max_ms: $max, failures: $fails},
	  huskd_rss_kb: {pods_0: $r0, ("pods_" + ($pods | tostring)): $rn, after_delete: $ra},
	  holder_rss_kb_per_pod: $h}' >"$OUT"
echo "JSON: $OUT"
