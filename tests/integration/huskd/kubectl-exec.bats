#!/usr/bin/env bats
# kubectl exec against a real huskd and a real pod, with the machine's
# kubectl (WebSocket v5.channel.k8s.io first) and Debian's kubectl 1.20
# (SPDY/3.1 only): stdout, stderr, exit codes, stdin, a tty, big streams
# both ways, and a client that disconnects mid-stream.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers

KUBECTL_NEW=${KUBECTL:-/usr/bin/kubectl}

setup() {
	[ -x "$KUBECTL_NEW" ] || skip "no kubectl at $KUBECTL_NEW"
	HUSKD_TLS=1 setup_huskd
	create_pod web <<<'{"containers":[{"name":"main","image":"@ROOTFS@","command":["sleep","1000"]}]}'
	wait_for 30 phase_is web Running || fail "the pod did not start"
}

teardown() { teardown_huskd; }

check_stdout() {
	kx "$1" exec web -- echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	[ -z "$stderr" ]
}

check_stderr() {
	kx "$1" exec web -- sh -c 'echo out; echo err >&2'
	[ "$status" -eq 0 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
}

check_exit_code() {
	kx "$1" exec web -- sh -c 'echo before; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = before ]
	[[ "$stderr" == *"command terminated with exit code 3"* ]]
}

check_stdin() {
	printf 'one\ntwo\nthree\n' >"$BATS_TEST_TMPDIR/in"
	KX_STDIN=$BATS_TEST_TMPDIR/in kx "$1" exec -i web -- sh -c 'wc -l; echo done'
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "3 done" ]
}

# More than every buffer and window on the way, both ways.
check_big_streams() {
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	KX_STDIN=$BATS_TEST_TMPDIR/big kx "$1" exec -i web -- md5sum
	[ "$status" -eq 0 ]
	[ "${output%% *}" = "$(md5sum <"$BATS_TEST_TMPDIR/big" | cut -d' ' -f1)" ]
	kx "$1" exec web -- head -c 5000000 /dev/zero
	[ "$status" -eq 0 ]
	[ "${#output}" -eq 0 ] # bash drops NULs: check the size on disk instead
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/.kx.out")" -eq 5000000 ]
}

# -it needs a terminal on kubectl's side: script(1) gives it one.
check_tty() {
	local bin=$KUBECTL_NEW
	[ "$1" = old ] && ensure_old_kubectl && bin=$KUBECTL_OLD
	run timeout 60 script -qec "stty cols 97 rows 31; $bin --kubeconfig $STATE/kubeconfig exec -it web -- sh -c 'tty; stty size; read x; echo got \$x; exit 4'" /dev/null <<<"hello"
	echo "$output" >&2
	[ "$status" -eq 4 ]
	[[ "$output" == */dev/pts/* ]]
	[[ "$output" == *"31 97"* ]]
	[[ "$output" == *"got hello"* ]]
}

# A client killed mid-stream: the command in the container is killed too,
# nothing is left behind (huskd keeps an exec's console socket and pid file
# in <state>/exec-*), and huskd goes on serving.
check_disconnect() {
	local bin=$KUBECTL_NEW kpid
	[ "$1" = old ] && ensure_old_kubectl && bin=$KUBECTL_OLD
	local marker="sleep 4$RANDOM$RANDOM" fds
	check_stdout "$1" # whatever a first exec sets up for good is there now
	fds=$(ls /proc/$HUSKD_PID/fd | wc -l)
	"$bin" --kubeconfig "$STATE/kubeconfig" exec web -- sh -c "exec $marker" >/dev/null 2>&1 &
	kpid=$!
	wait_for 20 pgrep -f "[s]${marker#s}" || fail "the command never ran"
	kill -9 "$kpid"
	wait "$kpid" || true
	wait_for 10 bash -c "! pgrep -f '[s]${marker#s}'" || fail "the command outlived its client"
	wait_for 10 bash -c "! ls -d '$STATE'/exec-* 2>/dev/null | grep -q ." || fail "exec directories left behind"
	check_stdout "$1"
	# every pipe, pidfd, socket and the connection itself were closed
	[ "$(ls /proc/$HUSKD_PID/fd | wc -l)" -eq "$fds" ]
}

@test "kubectl exec: stdout (kubectl $($KUBECTL_NEW version --client -o json 2>/dev/null | jq -r .clientVersion.gitVersion), WebSocket)" {
	check_stdout new
}

@test "kubectl exec: stdout (kubectl 1.20, SPDY)" {
	check_stdout old
}

@test "kubectl exec: stderr is kept apart (WebSocket)" {
	check_stderr new
}

@test "kubectl exec: stderr is kept apart (SPDY)" {
	check_stderr old
}

@test "kubectl exec: a non-zero exit code is kubectl's (WebSocket)" {
	check_exit_code new
}

@test "kubectl exec: a non-zero exit code is kubectl's (SPDY)" {
	check_exit_code old
}

@test "kubectl exec -i: stdin piped in, its end reaches the command (WebSocket)" {
	check_stdin new
}

@test "kubectl exec -i: stdin piped in, its end reaches the command (SPDY)" {
	check_stdin old
}

@test "kubectl exec: megabytes both ways (WebSocket)" {
	check_big_streams new
}

@test "kubectl exec: megabytes both ways (SPDY)" {
	check_big_streams old
}

@test "kubectl exec -it: a terminal with the client's size (WebSocket)" {
	check_tty new
}

@test "kubectl exec -it: a terminal with the client's size (SPDY)" {
	check_tty old
}

@test "kubectl exec: a client killed mid-stream leaves nothing behind (WebSocket)" {
	check_disconnect new
}

@test "kubectl exec: a client killed mid-stream leaves nothing behind (SPDY)" {
	check_disconnect old
}

@test "kubectl exec: the machine's kubectl falls back to SPDY when told to" {
	KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false kx new exec web -- sh -c 'echo hi; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = hi ]
}

@test "kubectl exec: errors are Status answers and huskd keeps serving" {
	kx new exec web -c nope -- true
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"container nope is not valid for pod web"* ]]
	kx new exec nopod -- true
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'pods "nopod" not found'* ]]
	# a plain request with no upgrade
	api POST '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true'
	[ "$status" -eq 400 ]
	[[ "$(jq -r .message <<<"$output")" == *"Upgrade request required"* ]]
	# a WebSocket upgrade with a bad key
	api GET '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true' \
		-H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
		-H 'Sec-WebSocket-Key: short' -H 'Sec-WebSocket-Protocol: v5.channel.k8s.io'
	[ "$status" -eq 400 ]
	check_stdout new
}

@test "kubectl exec: the machine's kubectl speaks WebSocket v5, kubectl 1.20 SPDY/3.1" {
	kx new -v=7 exec web -- echo hi
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"101 Switching Protocols"* ]]
	[[ "$stderr" == *"The subprotocol is v5.channel.k8s.io"* ]]
	kx old -v=8 exec web -- echo hi
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"101 Switching Protocols"* ]]
	[[ "$stderr" == *"X-Stream-Protocol-Version: v4.channel.k8s.io"* ]]
}

# A raw WebSocket client over the unix socket, for what kubectl never
# sends: fragments with a ping between them, a v4-only offer, an unmasked
# frame, and a client that stops reading.
write_ws_client() {
	cat >"$BATS_TEST_TMPDIR/ws.py" <<'PY'
import base64, hashlib, os, socket, struct, sys, time

def connect(sock_path, query, proto="v5.channel.k8s.io"):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /api/v1/namespaces/default/pods/web/exec?%s HTTP/1.1\r\nHost: huskd\r\n"
               "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Protocol: %s\r\n\r\n" % (query, key, proto)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    assert head.startswith(b"HTTP/1.1 101"), head
    assert ("Sec-WebSocket-Accept: " + want).encode() in head, head
    return s, head.decode()

def frame(op, payload, fin=True, mask=True):
    b = bytes([(0x80 if fin else 0) | op])
    n = len(payload)
    m = 0x80 if mask else 0
    b += bytes([m | n]) if n < 126 else bytes([m | 126]) + struct.pack("!H", n) if n < 65536 else bytes([m | 127]) + struct.pack("!Q", n)
    if not mask:
        return b + payload
    k = os.urandom(4)
    return b + k + bytes(c ^ k[i % 4] for i, c in enumerate(payload))

def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

def read_frame(s):
    h = read_exact(s, 2)
    n = h[1] & 0x7f
    if n == 126:
        n = struct.unpack("!H", read_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", read_exact(s, 8))[0]
    assert not h[1] & 0x80, "server frames are never masked"
    return h[0] & 0x0f, read_exact(s, n)

def until_close(s, out):
    while True:
        op, p = read_frame(s)
        if op == 8:
            out.append(("close", struct.unpack("!H", p[:2])[0]))
            return out
        out.append((op, p))

sock, what = sys.argv[1], sys.argv[2]
if what == "fragments":
    s, head = connect(sock, "command=head&command=-c&command=11&stdin=true&stdout=true", "v4.channel.k8s.io, v5.channel.k8s.io")
    assert "Sec-WebSocket-Protocol: v5.channel.k8s.io" in head
    s.sendall(frame(2, b"\x00hel", fin=False) + frame(9, b"are you there") + frame(0, b"lo ", fin=False) + frame(0, b"world"))
    out = until_close(s, [])
    print(repr(out))
    assert (10, b"are you there") in out
    assert (2, b"\x01hello world") in out
    assert (2, b'\x03{"metadata":{},"status":"Success"}') in out
    assert out[-1] == ("close", 1000)
    print("fragments ok")
elif what == "v4":
    s, head = connect(sock, "command=sh&command=-c&command=exit%207&stdout=true", "v4.channel.k8s.io")
    assert "Sec-WebSocket-Protocol: v4.channel.k8s.io" in head
    out = until_close(s, [])
    st = [p for op, p in out if op == 2 and p[:1] == b"\x03"]
    assert b'"NonZeroExitCode"' in st[0] and b'"message":"7"' in st[0], out
    print("v4 ok")
elif what == "unmasked":
    s, head = connect(sock, "command=cat&stdin=true&stdout=true")
    s.sendall(frame(2, b"\x00hi", mask=False))
    out = until_close(s, [])
    assert out[-1] == ("close", 1002), out
    assert s.recv(1) == b""
    print("unmasked ok")
elif what == "slow":
    total = 100 * 1000 * 1000
    s, head = connect(sock, "command=head&command=-c&command=%d&command=/dev/zero&stdout=true" % total)
    print("connected", flush=True)
    time.sleep(float(sys.argv[3]))
    got = 0
    while True:
        op, p = read_frame(s)
        if op == 8:
            break
        if p[:1] == b"\x01":
            got += len(p) - 1
    assert got == total, got
    print("slow ok")
PY
}

@test "WebSocket: fragments, a ping between them, a v4 client, an unmasked frame" {
	write_ws_client
	run timeout 30 python3 "$BATS_TEST_TMPDIR/ws.py" "$SOCK" fragments
	echo "$output" >&2
	[ "$status" -eq 0 ]
	run timeout 30 python3 "$BATS_TEST_TMPDIR/ws.py" "$SOCK" v4
	[ "$status" -eq 0 ]
	run timeout 30 python3 "$BATS_TEST_TMPDIR/ws.py" "$SOCK" unmasked
	echo "$output" >&2
	[ "$status" -eq 0 ]
	api GET /healthz
	[ "$status" -eq 200 ]
}

# 100 MB to a client that reads nothing for 4 s: huskd holds a bounded
# amount (the command waits on its pipe), keeps serving everyone else, and
# the client gets every byte once it reads.
@test "WebSocket: a client that stops reading is held back, not buffered, and loses nothing" {
	write_ws_client
	local rss0 rss1
	rss0=$(awk '/VmRSS/ {print $2}' /proc/$HUSKD_PID/status)
	timeout 60 python3 "$BATS_TEST_TMPDIR/ws.py" "$SOCK" slow 4 >"$BATS_TEST_TMPDIR/slow.out" 2>&1 &
	local py=$!
	sleep 2
	api GET /healthz
	[ "$status" -eq 200 ]
	kx new exec web -- echo hi
	[ "$output" = hi ]
	rss1=$(awk '/VmRSS/ {print $2}' /proc/$HUSKD_PID/status)
	echo "huskd RSS: ${rss0} kB -> ${rss1} kB" >&2
	[ "$((rss1 - rss0))" -lt 20000 ]
	wait "$py" || { cat "$BATS_TEST_TMPDIR/slow.out" >&2; false; }
	grep -q "slow ok" "$BATS_TEST_TMPDIR/slow.out"
}

# A raw SPDY/3.1 client over the unix socket that keeps windows (kubectl's
# spdystream does not): a 4 KiB initial window by SETTINGS, WINDOW_UPDATEs
# only after a pause; huskd must never send past the window.  Also: PING
# echoed, an unknown streamtype refused, the Status on the error stream.
write_spdy_client() {
	cat >"$BATS_TEST_TMPDIR/spdy.py" <<'PY'
import socket, struct, sys, time, zlib

sock_path, total = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX)
s.connect(sock_path)
s.sendall(("POST /api/v1/namespaces/default/pods/web/exec?command=head&command=-c&command=%d"
           "&command=/dev/zero&stdout=true&stderr=true HTTP/1.1\r\nHost: huskd\r\nContent-Length: 0\r\n"
           "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
           "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n" % total).encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
assert head.startswith(b"HTTP/1.1 101"), head
assert b"X-Stream-Protocol-Version: v4.channel.k8s.io" in head, head

# our header blocks need no dictionary: zlib only asks for one when the
# sender used it
z = zlib.compressobj()
def block(pairs):
    b = struct.pack("!I", len(pairs))
    for k, v in pairs:
        b += struct.pack("!I", len(k)) + k + struct.pack("!I", len(v)) + v
    return z.compress(b) + z.flush(zlib.Z_SYNC_FLUSH)
def control(t, flags, payload):
    return struct.pack("!HHI", 0x8003, t, (flags << 24) | len(payload)) + payload
def syn(sid, kind):
    return control(1, 0, struct.pack("!IIH", sid, 0, 0) + block([(b"streamtype", kind)]))

WINDOW = 4096
s.sendall(control(4, 0, struct.pack("!III", 1, 7, WINDOW)) + control(6, 0, struct.pack("!I", 1)))
s.sendall(syn(1, b"error") + syn(3, b"stdout") + syn(5, b"stderr") + syn(7, b"bogus"))

def read_exact(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

got = {1: b"", 3: 0, 5: 0}
fin = set()
unacked = 0
ping = replies = rst = False
while fin != {1, 3, 5}:
    h = read_exact(8)
    length = struct.unpack("!I", h[4:8])[0] & 0xffffff
    flags = h[4]
    p = read_exact(length)
    if h[0] & 0x80:
        t = struct.unpack("!H", h[2:4])[0]
        if t == 6:
            ping = struct.unpack("!I", p)[0] == 1
        elif t == 2:
            replies += 1
        elif t == 3:
            rst = struct.unpack("!I", p[:4])[0] == 7
        continue
    sid = struct.unpack("!I", h[:4])[0]
    if sid == 1:
        got[1] += p
    else:
        got[sid] += len(p)
        unacked += len(p)
        assert unacked <= WINDOW, "sent %d past a window of %d" % (unacked, WINDOW)
        if unacked == WINDOW:
            time.sleep(0.05)  # would huskd send more? it must not
            s.sendall(control(9, 0, struct.pack("!II", 3, unacked)) + control(9, 0, struct.pack("!II", 0, unacked)))
            unacked = 0
    if flags & 1:
        fin.add(sid)
assert got[3] == total, got[3]
assert got[5] == 0
assert got[1] == b'{"metadata":{},"status":"Success"}', got[1]
assert ping and rst and replies == 3, (ping, rst, replies)
print("spdy ok")
PY
}

@test "SPDY: the client's window is respected, PING echoed, unknown streams refused" {
	write_spdy_client
	run timeout 60 python3 "$BATS_TEST_TMPDIR/spdy.py" "$SOCK" 300000
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *"spdy ok"* ]]
}

# The terminal has the client's size before the command runs (huskd runs a
# tty session with `exec -p`, consoleSize set): a command reading it at
# once never sees 0x0.
@test "kubectl exec -it: the first thing the command sees is the client's terminal size" {
	# runc refuses --console-socket without -d ("cannot use console socket if
	# runc will not detach"): huskd's -it sessions (the tests above too) need husk
	is_husk || skip "huskd's exec -it runs the runtime in the foreground, which runc refuses"
	local v bin i
	for v in new old; do
		bin=$KUBECTL_NEW
		[ "$v" = old ] && ensure_old_kubectl && bin=$KUBECTL_OLD
		for i in 1 2 3 4 5 6 7 8; do
			# Under load a run rarely printed nothing at all (status 0): husk
			# exec had exited before huskd took the pty master from the
			# console socket, and the master was dropped with the output in
			# it (issue 15; exec_proc_console_drain).  No second chance now.
			run timeout 30 script -qec "stty cols 97 rows 31; $bin --kubeconfig $STATE/kubeconfig exec -it web -- stty size" /dev/null </dev/null
			[ "$status" -eq 0 ] || fail "run $i with kubectl $v: status $status: $output"
			[[ "$output" == *"31 97"* ]] || fail "run $i with kubectl $v saw: $output"
		done
	done
}

# The runtime's exec -t done (the command ran, husk exec exited) before
# huskd's loop ran at all: the console connection, the pty master in it
# and the exit reach huskd in one batch.  huskd took the exit first and
# dropped the console, and the output with it (kubectl printed nothing,
# status 0; issue 15).  A runtime wrapper stops huskd for the whole exec.
@test "kubectl exec -it: a command done before huskd took its pty master still shows its output" {
	is_husk || skip "huskd's exec -it runs the runtime in the foreground, which runc refuses"
	local wrap=$BATS_TEST_TMPDIR/runtime-wrap v bin
	cat >"$wrap" <<-EOF
		#!/bin/bash
		case " \$* " in
		*" exec -t "*)
			d=\$PPID
			kill -STOP \$d
			"$POD_RUNTIME" "\$@"
			rc=\$?
			(sleep 0.3; kill -CONT \$d) </dev/null >/dev/null 2>&1 &
			exit \$rc ;;
		esac
		exec "$POD_RUNTIME" "\$@"
	EOF
	chmod +x "$wrap"
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	POD_RUNTIME=$wrap start_huskd "${HUSKD_ARGS[@]}"
	wait_for 30 phase_is web Running || fail "the pod is not found again"
	for v in new old; do
		bin=$KUBECTL_NEW
		[ "$v" = old ] && ensure_old_kubectl && bin=$KUBECTL_OLD
		run timeout 30 script -qec "stty cols 97 rows 31; $bin --kubeconfig $STATE/kubeconfig exec -it web -- stty size" /dev/null </dev/null
		echo "kubectl $v: status $status: $output" >&2
		[ "$status" -eq 0 ]
		[[ "$output" == *"31 97"* ]] || fail "kubectl $v saw: $output"
	done
}
