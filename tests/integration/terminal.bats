#!/usr/bin/env bats
# terminal: true with --console-socket: the pty master goes to the socket's
# listener (husk-recvtty), the container sees a tty on /dev/pts/0.

load helpers

setup() {
	setup_bundle
	update_config '.process.terminal = true'
	SOCK="$BATS_TEST_TMPDIR/tty.sock"
	TTY_OUT="$BATS_TEST_TMPDIR/tty.out"
}
teardown() {
	if [ -n "${RECV_PID:-}" ]; then kill "$RECV_PID" 2>/dev/null || true; fi
	teardown_bundle
}

@test "terminal: run -d --console-socket gives /dev/pts/0" {
	set_args /bin/tty
	start_recvtty
	husk run -d --console-socket "$SOCK" "$CID"
	[ "$status" -eq 0 ]
	wait_recvtty
	grep -q '^/dev/pts/0' "$TTY_OUT"
}

@test "terminal: create + start with --console-socket" {
	set_args /bin/sh -c 'tty; echo done'
	start_recvtty
	husk create --console-socket "$SOCK" "$CID"
	[ "$status" -eq 0 ]
	husk start "$CID"
	[ "$status" -eq 0 ]
	wait_recvtty
	grep -q '^/dev/pts/0' "$TTY_OUT"
	grep -q done "$TTY_OUT"
}

@test "terminal: stdin, stdout and stderr are the tty" {
	update_config '.process.terminal = true'
	set_args /bin/husk-checker process fds
	start_recvtty
	husk run -d --console-socket "$SOCK" "$CID"
	[ "$status" -eq 0 ]
	wait_recvtty
	local json
	json=$(tr -d '\r' <"$TTY_OUT")
	echo "$json" | jq -e '.tty == "/dev/pts/0" and .stdout_tty == true'
	echo "$json" | jq -e '[.fds[] | select(.fd <= 2) | .target] | unique == ["/dev/pts/0"]'
	echo "$json" | jq -e '.sid == 1'
}

@test "terminal: input written to the master reaches the process" {
	set_args /bin/sh -c 'read line; echo "got:$line"'
	start_recvtty $'hello-tty\n'
	husk run -d --console-socket "$SOCK" "$CID"
	[ "$status" -eq 0 ]
	wait_recvtty
	grep -q 'got:hello-tty' "$TTY_OUT"
}

@test "terminal: create without --console-socket is refused" {
	husk create "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *console* ]]
	check_no_debris
}

@test "terminal: --console-socket to nothing fails cleanly" {
	husk create --console-socket "$BATS_TEST_TMPDIR/nobody.sock" "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "terminal: a read-only /dev still gets the console" {
	update_config '(.mounts[] | select(.destination == "/dev")).options += ["ro"]'
	set_args /bin/sh -c 'tty; test -c /dev/console && echo console; touch /dev/x 2>/dev/null || echo read-only'
	start_recvtty
	husk run -d --console-socket "$SOCK" "$CID"
	[ "$status" -eq 0 ]
	wait_recvtty
	grep -q '^/dev/pts/0' "$TTY_OUT"
	grep -q console "$TTY_OUT"
	grep -q read-only "$TTY_OUT"
}
