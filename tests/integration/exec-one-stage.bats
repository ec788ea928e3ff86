#!/usr/bin/env bats
# `exec` into a container without a user namespace forks its process
# straight into the container's pid namespace (the parent joins it for its
# children): no stage1 process.  The first test is husk-only (the process
# names; runc's exec forks twice, as husk still does to join a user
# namespace first), the second holds for runc too.

load helpers

setup() {
	requires root
	setup_bundle
	set_args /bin/sleep 1000
	__husk run -d "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/run.err" ||
		fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/run.err")"
}
teardown() { teardown_bundle; }

@test "exec one-stage: no stage1, the process is in the container's pid namespace" {
	requires husk
	command -v strace >/dev/null || skip "needs strace"
	# LeakSanitizer cannot run under ptrace (an ASan build's exit)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=prctl,clone,clone3,setns -o "$BATS_TEST_TMPDIR/trace" \
		"$HUSK" --root "$ROOT" exec "$CID" /bin/sh -c 'echo $$; readlink /proc/self/ns/pid' \
		>"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
	cat "$BATS_TEST_TMPDIR/trace" >&2
	! grep -q 'husk:\[stage1\]' "$BATS_TEST_TMPDIR/trace"
	grep -q 'setns([0-9]*, CLONE_NEWPID) *= 0' "$BATS_TEST_TMPDIR/trace"
	[ "$(grep -cE '^[0-9]+ +(clone|clone3)\(' "$BATS_TEST_TMPDIR/trace")" -eq 1 ]
	# a pid of the container's namespace (init is 1), and its namespace
	local pid
	pid=$(jq -r .pid <<<"$(__husk state "$CID")")
	[ "$(sed -n 2p "$BATS_TEST_TMPDIR/out")" = "$(readlink "/proc/$pid/ns/pid")" ]
	[ "$(sed -n 1p "$BATS_TEST_TMPDIR/out")" -gt 1 ]
	[ "$(sed -n 1p "$BATS_TEST_TMPDIR/out")" -lt 1000 ]
}

@test "exec one-stage: exec --detach and --pid-file give the host pid of the process" {
	husk exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" /bin/sleep 999
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "/bin/sleep 999 " ]
	husk ps "$CID"
	[[ "$output" == *"$pid"* ]]
}
