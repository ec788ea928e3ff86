#!/usr/bin/env bats
# Regression tests for bugs reported against the runtime: each names the
# report it guards.

load helpers

setup() {
	setup_bundle
	SOCK="$BATS_TEST_TMPDIR/tty.sock"
	TTY_OUT="$BATS_TEST_TMPDIR/tty.out"
}
teardown() {
	if [ -n "${RECV_PID:-}" ]; then kill "$RECV_PID" 2>/dev/null || true; fi
	teardown_bundle
}

# Runs the container detached with its pty relayed to $TTY_OUT, and waits
# until the relay ends (the container's last tty fd closed).
run_with_console() {
	update_config '.process.terminal = true'
	start_recvtty
	husk run -d --console-socket "$SOCK" "$CID"
	[ "$status" -eq 0 ]
	wait_recvtty
}

# (rootfs) with terminal:true runc bind-mounts the pty slave onto
# /dev/console; husk did not.
@test "regression: terminal: /dev/console is the container's pty" {
	set_args /bin/sh -c '[ /dev/console -ef "$(tty)" ] && echo console-is-tty; echo console > /dev/console'
	run_with_console
	grep -q console-is-tty "$TTY_OUT"
	grep -q '^console' "$TTY_OUT"
}

@test "regression: without a terminal there is no /dev/console bind" {
	set_args /bin/sh -c 'if [ -e /dev/console ]; then echo has-console; else echo no-console; fi'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *no-console* ]]
}
