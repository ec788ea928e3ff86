#!/usr/bin/env bats
# kubectl port-forward against a real huskd and a real pod (busybox httpd
# and an `nc -e cat` echo server, reachable only inside the pod's network
# namespace), with the machine's kubectl (gcloud's dispatcher, which runs
# the kubectl of the server's minor version: 1.32 against huskd) and
# Debian's kubectl 1.20 (SPDY/3.1 only): a file through httpd, connections
# at once, megabytes both ways with half-close, a port nothing listens on,
# a pod that does not exist, the WebSocket-first kubectls' fallback to
# SPDY, and a client killed mid-transfer.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers

KUBECTL_NEW=${KUBECTL:-/usr/bin/kubectl}

kubectl_bin() {
	if [ "$1" = old ]; then
		ensure_old_kubectl
		echo "$KUBECTL_OLD"
	else
		echo "$KUBECTL_NEW"
	fi
}

pod_ready() {
	[ "$(pod_field web '[.status.conditions[]? | select(.type=="Ready")][0].status')" = True ]
}

setup() {
	[ -x "$KUBECTL_NEW" ] || skip "no kubectl at $KUBECTL_NEW"
	command -v curl >/dev/null || skip "no curl"
	PF_PIDS=()
	HUSKD_TLS=1 setup_huskd
	create_pod web <<<'{"containers":[
		{"name":"web","image":"@ROOTFS@","command":["sh","-c","mkdir -p /www && echo hello from the pod >/www/index.html && head -c 4000000 /dev/urandom >/www/big && md5sum </www/big >/www/big.md5 && exec httpd -f -p 8080 -h /www"],
		 "readinessProbe":{"tcpSocket":{"port":8080},"periodSeconds":1}},
		{"name":"echo","image":"@ROOTFS@","command":["nc","-ll","-p","9000","-e","cat"],
		 "readinessProbe":{"tcpSocket":{"port":9000},"periodSeconds":1}}]}'
	wait_for 30 pod_ready || fail "the pod did not become ready"
}

teardown() {
	local p
	for p in "${PF_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	teardown_huskd
}

# pf new|old ARGS...: kubectl port-forward in the background, once it
# listens: $PF_PID, $PF_LOG (its stdout and stderr), $LPORT (the first
# local port).
pf() {
	local bin
	bin=$(kubectl_bin "$1")
	shift
	PF_LOG=$BATS_TEST_TMPDIR/pf.$RANDOM.log
	"$bin" --kubeconfig "$STATE/kubeconfig" port-forward "$@" >"$PF_LOG" 2>&1 &
	PF_PID=$!
	PF_PIDS+=("$PF_PID")
	wait_for 20 grep -q "^Forwarding from 127.0.0.1:" "$PF_LOG" || {
		cat "$PF_LOG" >&2
		fail "kubectl port-forward did not start"
	}
	LPORT=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$PF_LOG" | head -1)
}

get() { curl -sS --max-time 20 "http://127.0.0.1:$LPORT$1"; }

# Sends N random bytes to the echo server, half-closes, and checks that
# exactly those bytes came back before the server's end.
write_echo_client() {
	cat >"$BATS_TEST_TMPDIR/echo.py" <<'PY'
import hashlib, os, socket, sys, threading
port, n = int(sys.argv[1]), int(sys.argv[2])
data = os.urandom(n)
s = socket.create_connection(("127.0.0.1", port), timeout=30)
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
got = bytearray()
while True:
    c = s.recv(65536)
    if not c:
        break
    got += c
t.join()
assert len(got) == n, "got %d of %d bytes" % (len(got), n)
assert hashlib.md5(got).digest() == hashlib.md5(data).digest(), "the bytes differ"
print("echo ok", n)
PY
}

check_file_and_concurrent() {
	pf "$1" pod/web :8080
	run get /index.html
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the pod" ]
	# two at once on one forward: two pairs of streams on one connection
	get /big >"$BATS_TEST_TMPDIR/a" &
	local a=$!
	get /big >"$BATS_TEST_TMPDIR/b"
	wait "$a"
	local want
	want=$(get /big.md5 | cut -d' ' -f1)
	[ "$(md5sum <"$BATS_TEST_TMPDIR/a" | cut -d' ' -f1)" = "$want" ]
	[ "$(md5sum <"$BATS_TEST_TMPDIR/b" | cut -d' ' -f1)" = "$want" ]
	grep -q "Handling connection for $LPORT" "$PF_LOG"
}

check_both_ways() {
	write_echo_client
	pf "$1" pod/web :9000
	run timeout 60 python3 "$BATS_TEST_TMPDIR/echo.py" "$LPORT" 3000000
	echo "$output" >&2
	[ "$status" -eq 0 ]
	run timeout 60 python3 "$BATS_TEST_TMPDIR/echo.py" "$LPORT" 10
	[ "$status" -eq 0 ]
}

@test "kubectl port-forward: a file and two connections at once (the machine's kubectl)" {
	check_file_and_concurrent new
}

@test "kubectl port-forward: a file and two connections at once (kubectl 1.20)" {
	check_file_and_concurrent old
}

@test "kubectl port-forward: megabytes both ways with half-close, through an echo server (the machine's kubectl)" {
	check_both_ways new
}

@test "kubectl port-forward: megabytes both ways with half-close, through an echo server (kubectl 1.20)" {
	check_both_ways old
}

# kubelet writes the failure on the error stream.  kubectl 1.20 prints it
# and goes on forwarding; newer client-go (the machine's 1.32) closes the
# whole forward on such an error (portforward.go: streamConn.Close()), so
# that kubectl exits.
@test "kubectl port-forward: a port nothing listens on (kubectl 1.20 goes on, the machine's kubectl stops)" {
	pf old pod/web :7777 :8080
	local bad=$LPORT good
	good=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) -> 8080/\1/p' "$PF_LOG" | head -1)
	run curl -sS --max-time 20 "http://127.0.0.1:$bad/"
	[ "$status" -ne 0 ]
	wait_for 10 grep -q "an error occurred forwarding $bad -> 7777: error forwarding port 7777 to pod web, uid .*connect: connection refused" "$PF_LOG" || {
		cat "$PF_LOG" >&2
		false
	}
	run curl -sS --max-time 20 "http://127.0.0.1:$good/index.html"
	[ "$output" = "hello from the pod" ]
	run curl -sS --max-time 20 "http://127.0.0.1:$good/index.html"
	[ "$output" = "hello from the pod" ]

	pf new pod/web :7777
	run curl -sS --max-time 20 "http://127.0.0.1:$LPORT/"
	[ "$status" -ne 0 ]
	wait_for 10 bash -c "! kill -0 $PF_PID 2>/dev/null" || fail "the machine's kubectl kept running"
	cat "$PF_LOG" >&2
	grep -q "error forwarding port 7777 to pod web, uid .*connect: connection refused" "$PF_LOG"
	# huskd is fine
	pf new pod/web :8080
	run get /index.html
	[ "$output" = "hello from the pod" ]
}

@test "kubectl port-forward: a pod that does not exist is NotFound (both kubectls)" {
	local which bin
	for which in new old; do
		bin=$(kubectl_bin "$which")
		run timeout 30 "$bin" --kubeconfig "$STATE/kubeconfig" port-forward pod/nopod :8080
		echo "$output" >&2
		[ "$status" -ne 0 ]
		[[ "$output" == *'pods "nopod" not found'* ]]
	done
	# the subresource itself, with and without an upgrade
	api POST /api/v1/namespaces/default/pods/nopod/portforward
	[ "$status" -eq 404 ]
	api POST /api/v1/namespaces/default/pods/web/portforward
	[ "$status" -eq 400 ]
	[[ "$(jq -r .message <<<"$output")" == *"unable to upgrade"* ]]
}

# /usr/bin/kubectl is gcloud's dispatcher: it runs the kubectl of the
# server's minor version (1.32 for huskd).  A 1.30 port-forward speaks SPDY
# unless KUBECTL_PORT_FORWARD_WEBSOCKETS=true; from 1.31 the default is to
# try SPDY tunnelled over WebSocket first.  huskd refuses that with a 400,
# and kubectl falls back to SPDY/3.1 (-v=8 shows both tries).
check_fallback() {
	grep -q "GET .*/pods/web/portforward" "$PF_LOG"
	grep -q "Sec-Websocket-Protocol: SPDY/3.1+portforward.k8s.io" "$PF_LOG"
	grep -q "fallback to secondary dialer" "$PF_LOG"
	grep -q "POST .*/pods/web/portforward" "$PF_LOG"
	grep -q "101 Switching Protocols" "$PF_LOG"
	grep -q "X-Stream-Protocol-Version: portforward.k8s.io" "$PF_LOG"
}

@test "kubectl port-forward: a kubectl that tries WebSocket first falls back to SPDY/3.1" {
	KUBECTL_PORT_FORWARD_WEBSOCKETS=true pf new -v=8 pod/web :8080
	run get /index.html
	[ "$output" = "hello from the pod" ]
	check_fallback
	local k132=/usr/lib/google-cloud-sdk/bin/kubectl.1.32
	[ -x "$k132" ] || skip "no $k132 to try the default of kubectl 1.31+"
	KUBECTL_NEW=$k132 pf new -v=8 pod/web :8080
	run get /index.html
	[ "$output" = "hello from the pod" ]
	check_fallback
}

# kubectl killed mid-transfer: huskd closes the pod sockets and the
# connection (its fds back to where they were) and keeps serving.
@test "kubectl port-forward: a client killed mid-transfer leaves nothing behind (both kubectls)" {
	local which fds c
	fds=$(ls /proc/$HUSKD_PID/fd | wc -l)
	for which in new old; do
		pf "$which" pod/web :8080
		curl -sS --max-time 20 --limit-rate 200k "http://127.0.0.1:$LPORT/big" >/dev/null 2>&1 &
		c=$!
		sleep 1
		kill -9 "$PF_PID"
		wait "$PF_PID" 2>/dev/null || true
		# curl may still have megabytes in its socket buffer to read slowly
		kill "$c" 2>/dev/null || true
		wait "$c" 2>/dev/null || true
		wait_for 10 bash -c "[ \$(ls /proc/$HUSKD_PID/fd | wc -l) -eq $fds ]" || {
			ls -l /proc/$HUSKD_PID/fd >&2
			fail "huskd has $(ls /proc/$HUSKD_PID/fd | wc -l) fds, had $fds"
		}
		api GET /healthz
		[ "$status" -eq 200 ]
	done
	pf new pod/web :8080
	run get /index.html
	[ "$output" = "hello from the pod" ]
}
