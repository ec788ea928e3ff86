#!/usr/bin/env bats
# The sealed re-exec of `create`, `run` and `exec` (CVE-2019-5736) made by
# the release binary's entry point before glibc starts
# (runtime/cli/seal_entry.c), and main()'s own seal where that fast path
# steps aside.  Only for a husk built with that entry point (a release
# build on x86-64); other builds and runc skip.

load helpers

setup() {
	requires root husk
	command -v strace >/dev/null || skip "needs strace"
	nm "$HUSK" 2>/dev/null | grep -q ' husk_entry$' || skip "husk built without the early seal entry"
	setup_bundle
}
teardown() { teardown_bundle; }

# the syscalls of the first image, up to its execveat (none of glibc's start)
first_image() {
	strace -o "$BATS_TEST_TMPDIR/trace" "$@" >/dev/null 2>&1 || true
	sed -n '1,/^execveat(/p' "$BATS_TEST_TMPDIR/trace"
}

@test "seal entry: run re-executes from the sealed overlay before glibc's start" {
	set_args /bin/true
	run first_image "$HUSK" --root "$ROOT" run "$CID"
	echo "$output" >&2
	[[ "$output" == *'fsopen("overlay"'* ]]
	[[ "$output" == *'execveat('*'AT_EMPTY_PATH'* ]]
	[[ "$output" != *arch_prctl* ]]
	[[ "$output" != *brk\(* ]]
	# the sealed image runs the container as before
	husk run "$CID-2"
	[ "$status" -eq 0 ]
}

@test "seal entry: exec after global options, and the environment marker is gone" {
	set_args /bin/sleep 1000
	__husk run -d "$CID" </dev/null >/dev/null 2>&1
	run first_image "$HUSK" --log "$BATS_TEST_TMPDIR/log" --root "$ROOT" exec "$CID" /bin/true
	[[ "$output" == *'execveat('* ]]
	[[ "$output" != *arch_prctl* ]]
	husk exec "$CID" /bin/sh -c 'env | grep -c _HUSK_EXE_SEALED || true'
	[ "$output" = 0 ]
	__husk delete -f "$CID"
}

@test "seal entry: other verbs, HUSK_EXE_SEAL=0 and a value named like a verb make no overlay" {
	run first_image "$HUSK" --root "$ROOT" state nonexistent
	[[ "$output" != *fsopen* ]]
	run first_image env HUSK_EXE_SEAL=0 "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	[[ "$output" != *fsopen* ]]
	# --root's value "run" is not the verb
	run first_image "$HUSK" --root run list
	[[ "$output" != *fsopen* ]]
	rm -rf run
}
