#!/usr/bin/env bats
# What a pod costs: the holder's memory, and many pods at once.

load ../helpers
load pod_helpers

setup() {
	setup_pod_env
}

teardown() {
	teardown_pod_env
}

@test "pod: the holder's RSS is under 1 MB, with containers logging" {
	write_pod "$POD_FILE" <<'EOF_POD'
{"kind": "Pod", "metadata": {"name": "rss"},
 "spec": {"shareProcessNamespace": true,
  "containers": [{"name": "a", "image": "@ROOTFS@", "command": ["sh", "-c", "seq 1 5000; sleep 1000"]},
                 {"name": "b", "image": "@ROOTFS@", "command": ["sh", "-c", "seq 1 5000 >&2; sleep 1000"]}]}}
EOF_POD
	pod_up
	retry 50 0.1 grep -q "stderr F 5000" "$PODS/$SID/containers/$SID-b-0/container.log"
	holder=$(cat "$PODS/$SID/holder.pid")
	pid1=$(cat "$PODS/$SID/pid1.pid")
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$holder/status")
	rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$pid1/status")
	private=$(awk '/^(Private_Clean|Private_Dirty)/ {s += $2} END {print s}' "/proc/$holder/smaps_rollup")
	echo "holder RSS ${rss} kB (private ${private} kB), pod PID 1 RSS ${rss1} kB" >&3
	# a sanitizer build's shadow memory alone is larger: its RSS says nothing
	if ! grep -q libasan "/proc/$holder/maps"; then
		[ "$rss" -lt 1024 ]
		[ "$rss1" -lt 1024 ]
	fi
	# It sleeps: no CPU time spent while nothing happens.
	t1=$(awk '{print $14 + $15}' "/proc/$holder/stat")
	sleep 1
	t2=$(awk '{print $14 + $15}' "/proc/$holder/stat")
	[ "$t1" -eq "$t2" ]
}

@test "pod: 20 pods run at once" {
	write_pod "$POD_FILE" <<'EOF_POD'
{"kind": "Pod", "metadata": {"name": "many"},
 "spec": {"containers": [{"name": "main", "image": "@ROOTFS@", "command": ["sleep", "1000"]}]}}
EOF_POD
	local i pids=()
	for i in $(seq 1 20); do
		"$HUSK_POD_BIN" "${POD_FLAGS[@]}" up "$POD_FILE" >"$BATS_TEST_TMPDIR/up.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fail "an up failed: $(cat "$BATS_TEST_TMPDIR"/up.*)"
	done
	pod ls
	[ "$(grep -c ' Ready ' <<<"$output")" -eq 20 ]
	for sid in $(ls "$PODS" | grep -v lock); do
		pod status "$sid-main-0"
		echo "$output" | jq -e '.state == "running"'
	done
	total=0
	for sid in $(ls "$PODS" | grep -v lock); do
		total=$((total + $(awk '/^VmRSS/ {print $2}' "/proc/$(cat "$PODS/$sid/holder.pid")/status")))
	done
	echo "20 holders: $total kB RSS in all" >&3
}
