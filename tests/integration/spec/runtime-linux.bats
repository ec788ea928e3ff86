#!/usr/bin/env bats
# runtime-spec v1.2.0 runtime-linux.md: file descriptors and /dev symlinks.

load ../helpers
load ../isolation/common

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "runtime-linux.md: by default only stdin, stdout and stderr are kept open" {
	run_checker fds
	jq_ok '[.fds[].fd] == [0, 1, 2]'
}

@test "runtime-linux.md: the runtime MAY pass additional fds (--preserve-fds)" {
	set_args /bin/husk-checker fds
	__husk run --preserve-fds 1 "$CID" 3</dev/null </dev/null >"$BATS_TEST_TMPDIR/o" 2>/dev/null
	jq -e '[.fds[].fd] == [0, 1, 2, 3]' "$BATS_TEST_TMPDIR/o"
}

@test "runtime-linux.md: /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr MUST be symlinks to /proc/self/fd" {
	set_args /bin/sh -c 'for l in fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fd /proc/self/fd" ]
	[ "${lines[1]}" = "stdin /proc/self/fd/0" ]
	[ "${lines[2]}" = "stdout /proc/self/fd/1" ]
	[ "${lines[3]}" = "stderr /proc/self/fd/2" ]
}
