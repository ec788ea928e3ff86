#!/usr/bin/env bats
# pause / resume through the v1 freezer.

load ../helpers
load common

setup() { setup_bundle; requires cgroups_v1; }
teardown() { teardown_bundle; }

counter() { cat "$BUNDLE/rootfs/tmp/counter" 2>/dev/null; }

@test "pause: state says paused and the process makes no progress; resume continues" {
	run_detached /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/counter; sleep 0.05; done'
	retry 50 0.1 test -s "$BUNDLE/rootfs/tmp/counter"
	husk pause "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = paused ]
	[ "$(cg_read freezer freezer.state)" = FROZEN ]
	local a b
	a=$(counter)
	sleep 0.6
	b=$(counter)
	[ "$a" = "$b" ] || fail "counter moved while paused: $a -> $b"
	husk resume "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	[ "$(cg_read freezer freezer.state)" = THAWED ]
	sleep 0.6
	[ "$(counter)" -gt "$b" ]
}

@test "pause: a paused container can be killed and deleted with --force" {
	run_detached
	husk pause "$CID"
	[ "$status" -eq 0 ]
	husk delete --force "$CID"
	[ "$status" -eq 0 ]
	husk state "$CID"
	[ "$status" -ne 0 ]
}

@test "pause: pausing a stopped container is an error" {
	set_args /bin/true
	create_detached
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk pause "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = stopped ]
}

@test "pause: resuming a running (not paused) container is an error" {
	run_detached
	husk resume "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = running ]
}

@test "pause: an unknown container is an error" {
	husk pause "nope-$TOKEN"
	[ "$status" -ne 0 ]
	husk resume "nope-$TOKEN"
	[ "$status" -ne 0 ]
}

@test "pause: exec into a paused container is an error" {
	run_detached
	husk pause "$CID"
	[ "$status" -eq 0 ]
	local rc=0
	timeout 10 "$HUSK" --root "$ROOT" exec "$CID" /bin/true </dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 || rc=$?
	cat "$BATS_TEST_TMPDIR/exec.out" >&2
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "exec into a paused container: status $rc"
	if is_husk; then grep -q paused "$BATS_TEST_TMPDIR/exec.out"; fi
	husk resume "$CID"
	[ "$status" -eq 0 ]
}

@test "pause: exec into a paused container exits 255; --ignore-paused runs it" {
	run_detached
	husk pause "$CID"
	[ "$status" -eq 0 ]
	husk exec "$CID" /bin/true
	[ "$status" -eq 255 ]
	# the process joins the frozen cgroup: it runs once the container resumes
	local out="$BATS_TEST_TMPDIR/exec.out"
	HUSK_TIMEOUT=20 __husk exec --ignore-paused "$CID" /bin/echo ran </dev/null >"$out" 2>&1 &
	local ex=$!
	sleep 1
	husk resume "$CID"
	[ "$status" -eq 0 ]
	local rc=0
	wait "$ex" || rc=$?
	cat "$out" >&2
	[ "$rc" -eq 0 ]
	[ "$(cat "$out")" = ran ]
}
