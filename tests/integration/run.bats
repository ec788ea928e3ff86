#!/usr/bin/env bats
# husk run: create + start + wait, exit codes, signals, detach.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "run: the checker reports the config's hostname and pid 1" {
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	jq_ok '.hostname == "husk-test"'
	jq_ok '.pid == 1'
}

@test "run: stdout of the container reaches the caller" {
	set_args /bin/echo hello from husk
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"hello from husk"* ]]
}

@test "run: the container's exit code is the runtime's" {
	set_args /bin/sh -c 'exit 42'
	husk run "$CID"
	[ "$status" -eq 42 ]
}

@test "run: /bin/false exits 1" {
	set_args /bin/false
	husk run "$CID"
	[ "$status" -eq 1 ]
}

@test "run: a process killed by a signal gives 128+N" {
	set_args /bin/sleep 100
	"$HUSK" --root "$ROOT" run "$CID" >/dev/null 2>&1 &
	local pid=$!
	wait_for_status "$CID" running
	kill -KILL "$(container_pid "$CID")"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "run: SIGTERM to the runtime is forwarded to the container" {
	set_args /bin/sh -c 'trap "echo got-term; exit 7" TERM; while true; do sleep 0.1; done'
	"$HUSK" --root "$ROOT" run "$CID" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null &
	local pid=$!
	wait_for_status "$CID" running
	sleep 0.3
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/out" >&2
	[ "$rc" -eq 7 ]
	grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "run: SIGUSR1 to the runtime is forwarded to the container" {
	set_args /bin/sh -c 'trap "echo got-usr1; exit 3" USR1; while true; do sleep 0.1; done'
	"$HUSK" --root "$ROOT" run "$CID" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null &
	local pid=$!
	wait_for_status "$CID" running
	sleep 0.3
	kill -USR1 "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 3 ]
	grep -q got-usr1 "$BATS_TEST_TMPDIR/out"
}

@test "run -d: returns at once and leaves the container running" {
	set_args /bin/sleep 100
	husk run -d "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	local pid
	pid=$(container_pid "$CID")
	[ -d "/proc/$pid" ]
	husk kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	husk delete "$CID"
	[ "$status" -eq 0 ]
}

@test "run: the container is deleted after it exits" {
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	husk state "$CID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$CID" ]
}

@test "run: --bundle points at the bundle from elsewhere" {
	set_args /bin/echo bundled
	cd /
	husk run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *bundled* ]]
}

@test "run: stdin is passed to the container" {
	set_args /bin/cat
	run bash -c "echo piped-in | '$HUSK' --root '$ROOT' run '$CID'"
	[ "$status" -eq 0 ]
	[[ "$output" == *piped-in* ]]
}

@test "run: two containers with different ids run side by side" {
	set_args /bin/sleep 100
	husk run -d "$CID"
	[ "$status" -eq 0 ]
	husk run -d "${CID}-2"
	[ "$status" -eq 0 ]
	husk list -q
	[[ "$output" == *"$CID"* ]]
	[[ "$output" == *"${CID}-2"* ]]
}

@test "run --keep: the stopped container and its cgroup stay until delete" {
	set_args /bin/sh -c 'exit 3'
	update_config ".linux.cgroupsPath = \"/husk-test-keep-$TOKEN\""
	husk run --keep "$CID"
	[ "$status" -eq 3 ]
	[ "$(container_status "$CID")" = stopped ]
	local mem
	mem=$(awk '$3 == "cgroup" && ("," $4 ",") ~ ",memory," { print $2; exit }' /proc/mounts)
	[ -d "$mem/husk-test-keep-$TOKEN" ]
	husk delete "$CID"
	[ "$status" -eq 0 ]
	husk state "$CID"
	[ "$status" -ne 0 ]
	[ ! -d "$mem/husk-test-keep-$TOKEN" ]
}
