#!/usr/bin/env bats
# `events`: --stats once and the --interval stream.

load ../helpers
load common

setup() { setup_bundle; requires cgroups_v1; }
teardown() { teardown_bundle; }

@test "events --stats: one JSON object of type stats with memory, cpu and pids" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 77}'
	run_detached
	husk_stdout events --stats "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -s length)" -eq 1 ]
	jq_ok '.type == "stats"'
	jq_ok ".id == \"$CID\""
	jq_ok '.data.memory.usage.usage > 0 and .data.memory.usage.limit == 67108864'
	jq_ok '.data.cpu.usage.total > 0'
	jq_ok '.data.pids.current >= 1 and .data.pids.limit == 77'
}

@test "events --interval 1s: a stream of stats lines until stopped" {
	run_detached
	local out="$BATS_TEST_TMPDIR/events.out"
	timeout 2.6 "$HUSK" --root "$ROOT" events --interval 1s "$CID" >"$out" 2>&1 </dev/null || true
	cat "$out" >&2
	[ "$(wc -l <"$out")" -ge 2 ]
	jq -se 'all(.[]; .type == "stats" and .data.pids.current >= 1)' "$out"
}

@test "events --interval takes Go durations: 100ms, 0.5s; bad ones are refused" {
	run_detached
	local out="$BATS_TEST_TMPDIR/events.out"
	timeout 1.5 "$HUSK" --root "$ROOT" events --interval 100ms "$CID" >"$out" 2>&1 </dev/null || true
	cat "$out" >&2
	[ "$(wc -l <"$out")" -ge 4 ]
	jq -se 'all(.[]; .type == "stats")' "$out"
	timeout 1.8 "$HUSK" --root "$ROOT" events --interval 0.5s "$CID" >"$out" 2>&1 </dev/null || true
	[ "$(wc -l <"$out")" -ge 2 ]
	for bad in abc 5 1x -1s 0s; do
		husk events --interval "$bad" "$CID"
		[ "$status" -ne 0 ]
	done
}

@test "events: the stream ends when the container is deleted" {
	run_detached
	local out="$BATS_TEST_TMPDIR/events.out"
	"$HUSK" --root "$ROOT" events --interval 1s "$CID" >"$out" 2>&1 </dev/null &
	local ev=$!
	sleep 1.2
	__husk delete --force "$CID"
	local i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$ev" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$ev" 2>/dev/null; then
		kill "$ev"
		fail "events still running 5s after delete"
	fi
}

@test "events: an unknown container is an error" {
	husk events --stats "nope-$TOKEN"
	[ "$status" -ne 0 ]
}
