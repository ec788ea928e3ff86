#!/usr/bin/env bats
# husk start: runs the user process of a created container.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "start: a created container runs" {
	set_args /bin/sleep 100
	husk create "$CID"
	[ "$status" -eq 0 ]
	husk start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	local pid
	pid=$(container_pid "$CID")
	grep -q sleep "/proc/$pid/cmdline"
}

@test "start: the process's output goes to create's stdout" {
	set_args /bin/echo hello-start
	"$HUSK" --root "$ROOT" create "$CID" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
	husk start "$CID"
	[ "$status" -eq 0 ]
	retry 50 0.1 grep -q hello-start "$BATS_TEST_TMPDIR/out"
}

@test "start: starting twice fails and names the container" {
	set_args /bin/sleep 100
	husk create "$CID"
	husk start "$CID"
	[ "$status" -eq 0 ]
	husk start "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = running ]
	if is_husk; then
		[[ "$output" == *"$CID"* ]]
		[[ "$output" == *"running"* ]]
	fi
}

@test "start: a stopped container cannot be started" {
	set_args /bin/true
	husk create "$CID"
	husk start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	husk start "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *stopped* ]]
}

@test "start: an unknown id fails" {
	husk start nosuch-container
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuch-container* || "$output" == *"does not exist"* ]]
}

@test "start: a failing exec reports the missing binary" {
	set_args /bin/no-such-binary
	husk create "$CID"
	if [ "$status" -eq 0 ]; then
		husk start "$CID"
	fi
	[ "$status" -ne 0 ]
	[[ "$output" == *no-such-binary* ]]
}
