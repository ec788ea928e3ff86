#!/usr/bin/env bats
# sd_notify through the container (runc's notify socket): with NOTIFY_SOCKET
# in the runtime's environment, the container gets a socket of its own at
# /run/notify/notify.sock (NOTIFY_SOCKET in its env), and `start` / `run`
# forward its READY=1 to the host's socket with MAINPID, returning once it
# came (or the container exited).  The host's socket here is a datagram
# socket the test binds with python3, as systemd would.

load ../helpers
load common

setup_file() {
	command -v gcc >/dev/null || skip "needs gcc"
	command -v python3 >/dev/null || skip "needs python3"
	gcc -static -O2 -o "$BATS_FILE_TMPDIR/sd-notify" "$BATS_TEST_DIRNAME/sd-notify.c"
}

setup() {
	setup_bundle
	install -m 0755 "$BATS_FILE_TMPDIR/sd-notify" "$BUNDLE/rootfs/bin/sd-notify"
	HOST_SOCKET="$BATS_TEST_TMPDIR/host-notify.sock"
	GOT="$BATS_TEST_TMPDIR/got"
	# every datagram, one per line group, until 3 s of silence
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".listening", "w").close()
s.settimeout(30)
out = open(sys.argv[2], "ab")
while True:
    try:
        d = s.recv(4096)
    except socket.timeout:
        break
    out.write(d); out.flush()
    s.settimeout(3)
' "$HOST_SOCKET" "$GOT" &
	RECEIVER=$!
	retry 50 0.1 test -e "$GOT.listening"
}

teardown() {
	kill "$RECEIVER" 2>/dev/null || true
	wait "$RECEIVER" 2>/dev/null || true
	teardown_bundle
}

@test "sd-notify: the container sees its own NOTIFY_SOCKET, bound read-only at /run/notify" {
	# READY first: runc 1.1's foreground run waits for it forever otherwise
	set_args /bin/sh -c '/bin/sd-notify READY=1; sleep 0.2; echo $NOTIFY_SOCKET; grep " /run/notify " /proc/self/mountinfo | grep -c " ro,"'
	NOTIFY_SOCKET=$HOST_SOCKET husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /run/notify/notify.sock ]
	[ "${lines[1]}" = 1 ]
}

@test "sd-notify: run -d returns after READY=1, forwarded to the host with MAINPID" {
	set_args /bin/sh -c 'sleep 0.5; /bin/sd-notify READY=1; exec sleep 1000'
	local start end
	start=$(date +%s%N)
	NOTIFY_SOCKET=$HOST_SOCKET __husk run -d "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" ||
		fail "run -d: $(cat "$BATS_TEST_TMPDIR/err")"
	end=$(date +%s%N)
	[ $(((end - start) / 1000000)) -ge 450 ] || fail "run -d returned before READY: $(((end - start) / 1000000)) ms"
	retry 30 0.1 grep -q MAINPID "$GOT"
	cat "$GOT" >&2
	grep -qx READY=1 "$GOT"
	grep -qx "MAINPID=$(container_pid "$CID")" "$GOT"
}

@test "sd-notify: create, then start waits for READY=1" {
	set_args /bin/sh -c 'sleep 0.5; /bin/sd-notify READY=1; exec sleep 1000'
	NOTIFY_SOCKET=$HOST_SOCKET __husk create "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" ||
		fail "create: $(cat "$BATS_TEST_TMPDIR/err")"
	[ ! -s "$GOT" ]
	local start end
	start=$(date +%s%N)
	NOTIFY_SOCKET=$HOST_SOCKET husk start "$CID"
	[ "$status" -eq 0 ]
	end=$(date +%s%N)
	[ $(((end - start) / 1000000)) -ge 450 ] || fail "start returned before READY"
	retry 30 0.1 grep -qx READY=1 "$GOT"
	[ "$(container_status "$CID")" = running ]
}

@test "sd-notify: a container that exits without READY does not hold start" {
	set_args /bin/true
	NOTIFY_SOCKET=$HOST_SOCKET __husk create "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" ||
		fail "create: $(cat "$BATS_TEST_TMPDIR/err")"
	NOTIFY_SOCKET=$HOST_SOCKET HUSK_TIMEOUT=10 husk start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	[ ! -s "$GOT" ]
}

@test "sd-notify: a foreground run forwards READY=1 while it waits for the exit" {
	set_args /bin/sh -c '/bin/sd-notify READY=1; sleep 0.5; echo done'
	NOTIFY_SOCKET=$HOST_SOCKET husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = done ]
	retry 30 0.1 grep -qx READY=1 "$GOT"
}

@test "sd-notify: without NOTIFY_SOCKET nothing is mounted and the env is the config's" {
	set_args /bin/sh -c 'echo "[$NOTIFY_SOCKET]"; grep -c " /run/notify " /proc/self/mountinfo; true'
	husk_stdout run "$CID"
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = 0 ]
}

@test "sd-notify: features says so, and the systemd cgroup driver" {
	is_husk || skip "husk's own annotation"
	husk_stdout features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.annotations["org.husk.sd-notify.enabled"] == "true"'
	echo "$output" | jq -e '.linux.cgroup.systemd == true'
}

@test "sd-notify: in a user namespace, a non-root process of the container notifies" {
	requires userns
	use_userns 100000 100000 65536
	# the mapped root cannot create it in a rootfs the host's root owns
	mkdir -p "$BUNDLE/rootfs/run/notify"
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/sh -c '/bin/sd-notify READY=1; exec sleep 1000'
	NOTIFY_SOCKET=$HOST_SOCKET __husk run -d "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" ||
		fail "run -d: $(cat "$BATS_TEST_TMPDIR/err")"
	retry 30 0.1 grep -qx READY=1 "$GOT"
}
