#!/bin/bash
# Benchmark of huskd: create-to-Running latency of a one-container pod
# (median of N), and huskd's RSS with 0 and with 20 pods.
#
#   tests/integration/huskd/bench-huskd.sh [RUNS]     (root; HUSK_POD_RUNTIME=runc to compare)
#
# Everything runs in a temporary state/pods root and cgroup parent that are
# removed at the end.
set -euo pipefail
runs=${1:-5}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
huskd=${HUSKD:-$(ls -t "$repo"/build*/sandbox/huskd/huskd | head -1)}
runtime=${HUSK_POD_RUNTIME:-$(ls -t "$repo"/build*/runtime/cli/husk | head -1)}
rootfs=$repo/tests/.tmp/pod-rootfs
[ -d "$rootfs" ] || rootfs=$repo/tests/.tmp/rootfs
[ -d "$rootfs" ] || { bash "$repo/tests/fixtures/make-rootfs.sh" "$repo/tests/.tmp/rootfs" >/dev/null; rootfs=$repo/tests/.tmp/rootfs; }
tmp=$(mktemp -d /tmp/huskd-bench.XXXXXX)
cg=/huskd-bench-$$
sock=$tmp/huskd.sock
"$huskd" --socket "$sock" --state-dir "$tmp/state" --pod-root "$tmp/pods" --runtime "$runtime" \
	--runtime-root "$tmp/rt" --image-store "$tmp/img" --cgroup-parent "$cg" --pod-network none >"$tmp/log" 2>&1 &
pid=$!
cleanup() {
	for p in $(curl -s --unix-socket "$sock" http://h/api/v1/namespaces/default/pods | jq -r '.items[].metadata.name'); do
		curl -s --unix-socket "$sock" -X DELETE "http://h/api/v1/namespaces/default/pods/$p?gracePeriodSeconds=0" >/dev/null
	done
	for _ in $(seq 100); do
		[ "$(curl -s --unix-socket "$sock" http://h/api/v1/pods | jq '.items | length')" = 0 ] && break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
	find /sys/fs/cgroup -depth -type d -path "*$cg*" -exec rmdir {} \; 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
until curl -sf --unix-socket "$sock" http://h/healthz >/dev/null; do sleep 0.05; done
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }
pod() {
	printf '{"metadata":{"name":"%s"},"spec":{"terminationGracePeriodSeconds":0,"containers":[{"name":"c","image":"%s","command":["sleep","1000"]}]}}' "$1" "$rootfs"
}
now_ms() { date +%s%3N; }
echo "huskd RSS with 0 pods: $(rss)"
lat=()
for i in $(seq "$runs"); do
	t0=$(now_ms)
	curl -s --unix-socket "$sock" -X POST http://h/api/v1/namespaces/default/pods -d "$(pod "lat$i")" >/dev/null
	until [ "$(curl -s --unix-socket "$sock" "http://h/api/v1/namespaces/default/pods/lat$i" | jq -r .status.phase)" = Running ]; do
		sleep 0.01
	done
	lat+=($(($(now_ms) - t0)))
done
sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
echo "create-to-Running (ms), $runs runs: $(echo $sorted) ; median $(sed -n "$(((runs + 1) / 2))p" <<<"$sorted")"
for i in $(seq $((runs + 1)) 20); do
	curl -s --unix-socket "$sock" -X POST http://h/api/v1/namespaces/default/pods -d "$(pod "p$i")" >/dev/null
done
for _ in $(seq 300); do
	[ "$(curl -s --unix-socket "$sock" http://h/api/v1/namespaces/default/pods | jq '[.items[] | select(.status.phase == "Running")] | length')" = 20 ] && break
	sleep 0.2
done
echo "huskd RSS with 20 pods: $(rss)"
