#!/usr/bin/env bats
# husk under valgrind: no definite or indirect leaks, no memory errors, in
# the runtime process itself (children are not traced: the container's
# process is busybox).

load helpers

setup() {
	requires husk valgrind
	setup_bundle
	# The container's init runs under valgrind until its execve, and
	# valgrind keeps fds above the soft NOFILE limit for itself: raising
	# RLIMIT_NOFILE there gets EPERM from valgrind, not the kernel.
	update_config 'del(.process.rlimits)'
}
teardown() { teardown_bundle; }

# valgrind follows no re-exec from a sealed copy (security/exe_seal.h)
export HUSK_EXE_SEAL=0
VALGRIND=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
	--error-exitcode=99 --trace-children=no --child-silent-after-fork=yes)

vg() {
	local out="$BATS_TEST_TMPDIR/.vg.out"
	status=0
	"${VALGRIND[@]}" "$HUSK" --root "$ROOT" "$@" </dev/null >"$out" 2>&1 || status=$?
	output=$(cat "$out")
	echo "$ valgrind husk $* (status=$status):" >&2
	echo "$output" >&2
}

@test "valgrind: run /bin/true" {
	set_args /bin/true
	vg run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ERROR SUMMARY: 0 errors"* ]]
}

@test "valgrind: create, state, start, delete" {
	set_args /bin/true
	vg create "$CID"
	[ "$status" -eq 0 ]
	vg state "$CID"
	[ "$status" -eq 0 ]
	vg start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	vg delete "$CID"
	[ "$status" -eq 0 ]
}

@test "valgrind: a failing create frees everything" {
	update_config '.linux.namespaces += [{"type": "foo"}]'
	vg run "$CID"
	[ "$status" -ne 0 ]
	[ "$status" -ne 99 ]
}

@test "valgrind: spec, features, list" {
	rm config.json
	vg spec
	[ "$status" -eq 0 ]
	vg features
	[ "$status" -eq 0 ]
	vg list
	[ "$status" -eq 0 ]
}
