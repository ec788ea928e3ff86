#!/usr/bin/env bats
# A process over its memory limit is killed by the kernel's OOM killer,
# and `events` reports it.

load ../helpers
load common

setup() {
	setup_bundle
	requires cgroups_v1
	update_config '.linux.resources.memory = {"limit": 20971520, "swap": 20971520}'
}
teardown() { teardown_bundle; }

# dd allocates its 64M block: far over the 20M limit.
HOG='dd if=/dev/zero of=/dev/null bs=64M count=1'

@test "oom: the container's process over its memory limit is killed (exit 137)" {
	set_args /bin/sh -c "exec $HOG"
	husk run "$CID"
	[ "$status" -eq 137 ]
	[ "$(container_status "$CID")" = "" ] || [ "$(container_status "$CID")" = stopped ]
}

@test "oom: a child over the limit is killed, the container survives" {
	run_detached /bin/sh -c "sleep 1000"
	husk exec "$CID" /bin/sh -c "$HOG"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = running ]
	grep -q '^oom_kill [1-9]' <(cg_read memory memory.oom_control) ||
		[ "$(cg_read memory memory.failcnt)" -gt 0 ]
}

@test "oom: events reports an oom notice" {
	run_detached /bin/sh -c "sleep 1000"
	local out="$BATS_TEST_TMPDIR/events.out"
	timeout 8 "$HUSK" --root "$ROOT" events "$CID" >"$out" 2>&1 </dev/null &
	local ev=$!
	sleep 1
	husk exec "$CID" /bin/sh -c "$HOG"
	[ "$status" -ne 0 ]
	retry 40 0.1 grep -q '"oom"' "$out" || true
	kill "$ev" 2>/dev/null || true
	wait "$ev" 2>/dev/null || true
	cat "$out" >&2
	grep '"type":"oom"' "$out" | head -1 | jq -e --arg id "$CID" '.type == "oom" and .id == $id'
}
