#!/usr/bin/env bats
# crictl's streaming calls against huskd's CRI: Exec and PortForward
# (and Attach) answer a URL on huskd's streaming server (--stream-address, loopback and
# a free port by default) with a single-use token, and crictl (1.26:
# remotecommand and portforward over SPDY/3.1) streams there.  The
# sessions are the ones kubectl's pods/exec and pods/portforward run;
# WebSocket (which crictl 1.26 does not speak) through a raw client.

load ../helpers
load ../pod/pod_helpers
load ../huskd/huskd_helpers
load cri_helpers

setup() {
	PF_PID=
	setup_cri
}

teardown() {
	if [ -n "$PF_PID" ]; then
		kill "$PF_PID" 2>/dev/null || true
		wait "$PF_PID" 2>/dev/null || true
	fi
	teardown_cri
}

# run_pod NAME ARGS...: a sandbox with one running container; $sid, $cid.
run_pod() {
	local name=$1
	shift
	pod_config "$name" >"$BATS_TEST_TMPDIR/pod.json"
	container_config c "$@" >"$BATS_TEST_TMPDIR/c.json"
	cri runp "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -eq 0 ] || fail "runp failed"
	sid=$output
	cri create "$sid" "$BATS_TEST_TMPDIR/c.json" "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -eq 0 ] || fail "create failed"
	cid=$output
	cri start "$cid"
	[ "$status" -eq 0 ] || fail "start failed"
}

crictl_cmd() {
	echo "$CRICTL --runtime-endpoint unix://$CRI_SOCK --image-endpoint unix://$CRI_SOCK --timeout 30s"
}

@test "crictl exec: stdout, stderr and the exit code through the streaming server" {
	run_pod x sleep 100
	cri exec "$cid" sh -c 'echo to out; echo to err >&2'
	[ "$status" -eq 0 ]
	[ "$output" = "to out" ]
	[ "$stderr" = "to err" ]
	# crictl 1.26 exits 1 and names the command's exit code
	cri exec "$cid" sh -c 'echo before; exit 3'
	[ "$status" -eq 1 ]
	[ "$output" = before ]
	[[ "$stderr" == *"command terminated with exit code 3"* ]]
	# stdin (-i) reaches the command, and its end too
	run timeout 60 $(crictl_cmd) exec -i "$cid" sh -c 'read x; echo got $x; cat; echo end' <<<$'hello\nmore'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'got hello\nmore\nend')" ]
	# a command the container does not have
	cri exec "$cid" /no/such/command
	[ "$status" -ne 0 ]
	# the sync path still works beside it
	cri exec -s "$cid" sh -c 'echo sync'
	[ "$status" -eq 0 ]
	[ "$output" = sync ]
}

@test "crictl exec -it: a terminal of the client's size" {
	# runc refuses --console-socket without -d: huskd's tty execs need husk
	is_husk || skip "huskd's exec -it runs the runtime in the foreground, which runc refuses"
	run_pod x sleep 100
	run timeout 60 script -qec "stty cols 97 rows 31; $(crictl_cmd) exec -it $cid sh -c 'tty; stty size; read x; echo got \$x'" /dev/null <<<"hello"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *"31 97"* ]]
	[[ "$output" == *"got hello"* ]]
}

@test "CRI Exec URLs: loopback, single use, unknown tokens refused; Exec of a stopped container fails" {
	run_pod x sleep 100
	# crictl's debug log shows the ExecResponse's URL
	run timeout 60 $(crictl_cmd) --debug exec "$cid" true
	[ "$status" -eq 0 ]
	url=$(grep -o 'http://[^ "]*/exec/[0-9a-f]*' <<<"$output" | head -1)
	[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+/exec/[0-9a-f]{32}$ ]] || fail "URL: $url"
	# used once already: the server no longer knows it
	run curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$url"
	[ "$output" = 404 ]
	run curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "${url%/exec/*}/exec/0000"
	[ "$output" = 404 ]
	run curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${url%/exec/*}/nothing"
	[ "$output" = 404 ]
	cri stop --timeout 1 "$cid"
	cri exec "$cid" true
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"not in running state"* ]]
	cri exec nosuchcontainer true
	[ "$status" -ne 0 ]
}

@test "crictl port-forward: the host's 127.0.0.1 reaches a server on the pod's loopback" {
	run_pod web sh -c 'mkdir -p /www && echo hello from the pod >/www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'
	cri exec -s "$cid" sh -c 'for i in $(seq 50); do wget -q -O /dev/null http://127.0.0.1:8080/ 2>/dev/null && exit 0; sleep 0.1; done; exit 1'
	[ "$status" -eq 0 ] || fail "httpd did not listen"
	local lport=$((20000 + RANDOM % 20000)) log=$BATS_TEST_TMPDIR/pf.log
	timeout 120 $(crictl_cmd) port-forward "$sid" "$lport:8080" >"$log" 2>&1 &
	PF_PID=$!
	wait_for 20 grep -q "Forwarding from 127.0.0.1:$lport" "$log" || {
		cat "$log" >&2
		fail "crictl port-forward did not start"
	}
	run curl -sS --max-time 20 "http://127.0.0.1:$lport/index.html"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the pod" ]
	# a second connection on the same forward
	run curl -sS --max-time 20 "http://127.0.0.1:$lport/index.html"
	[ "$output" = "hello from the pod" ]
	grep -q "Handling connection for $lport" "$log"
	# PortForward of a sandbox that is not there
	cri port-forward nosuchsandbox 1234:80
	[ "$status" -ne 0 ]
}

@test "crictl attach: a container that has exited is refused, naming it" {
	run_pod x true
	retry 100 0.2 bash -c "$(crictl_cmd) inspect -o go-template --template '{{.status.state}}' $cid | grep -qx CONTAINER_EXITED"
	cri attach "$cid"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"$cid"*"not in running state"* ]]
}

# A unary gRPC call without a gRPC client: curl's HTTP/2 over the unix
# socket with a request message packed here (ExecRequest: container_id 1,
# cmd 2, stdout 5), the URL read from the ExecResponse (url 1).
grpc_exec_url() { # CID ARGS...
	python3 - "$@" >"$BATS_TEST_TMPDIR/exec.req" <<-'PY'
		import struct, sys
		def field(n, b): return bytes([n << 3 | 2, len(b)]) + b
		msg = field(1, sys.argv[1].encode()) + b"".join(field(2, a.encode()) for a in sys.argv[2:]) + b"\x28\x01"
		sys.stdout.buffer.write(b"\0" + struct.pack(">I", len(msg)) + msg)
	PY
	curl -sS --max-time 20 --http2-prior-knowledge --unix-socket "$CRI_SOCK" \
		-H 'content-type: application/grpc' -H 'te: trailers' \
		--data-binary @"$BATS_TEST_TMPDIR/exec.req" -o "$BATS_TEST_TMPDIR/exec.resp" \
		http://localhost/runtime.v1.RuntimeService/Exec || return 1
	python3 -c 'import sys; b = open(sys.argv[1], "rb").read()[5:]; assert b[0] == 0x0a; print(b[2:2 + b[1]].decode())' \
		"$BATS_TEST_TMPDIR/exec.resp"
}

@test "CRI Exec over WebSocket (v4.channel.k8s.io), when the client asks for it" {
	command -v curl >/dev/null && curl -V | grep -q HTTP2 || skip "curl without HTTP/2"
	run_pod x sleep 100
	url=$(grpc_exec_url "$cid" sh -c 'echo over ws; exit 5')
	[[ "$url" == http://127.0.0.1:*/exec/* ]] || fail "URL: $url"
	run timeout 30 python3 - "$url" <<-'PY'
		import base64, os, socket, struct, sys, urllib.parse
		u = urllib.parse.urlparse(sys.argv[1])
		s = socket.create_connection((u.hostname, u.port), timeout=20)
		key = base64.b64encode(os.urandom(16)).decode()
		s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
		           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\n"
		           "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n" % (u.path, u.netloc, key)).encode())
		head = b""
		while b"\r\n\r\n" not in head:
		    head += s.recv(1)
		assert head.startswith(b"HTTP/1.1 101"), head
		def exact(n):
		    b = b""
		    while len(b) < n:
		        c = s.recv(n - len(b))
		        assert c, "closed"
		        b += c
		    return b
		out = {}
		while True:
		    h = exact(2)
		    n = h[1] & 0x7f
		    n = struct.unpack("!H", exact(2))[0] if n == 126 else struct.unpack("!Q", exact(8))[0] if n == 127 else n
		    p = exact(n)
		    if h[0] & 0x0f == 8:
		        break
		    if p:
		        out[p[0]] = out.get(p[0], b"") + p[1:]
		print(repr(out))
		assert out.get(1) == b"over ws\n", out
		assert b'"NonZeroExitCode"' in out.get(3, b"") and b'"message":"5"' in out[3], out
		print("ws ok")
	PY
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *"ws ok"* ]]
}

@test "crictl attach: the container's own stdin and output, and detach leaves it running" {
	pod_config x >"$BATS_TEST_TMPDIR/pod.json"
	# stdin: true, as kubelet asks for `kubectl run -i`; the container echoes it
	container_config c sh -c 'echo started; while read l; do echo "got $l"; done; echo eof' |
		jq '. + {stdin: true}' >"$BATS_TEST_TMPDIR/c.json"
	cri runp "$BATS_TEST_TMPDIR/pod.json"
	sid=$output
	cri create "$sid" "$BATS_TEST_TMPDIR/c.json" "$BATS_TEST_TMPDIR/pod.json"
	cid=$output
	cri start "$cid"
	[ "$status" -eq 0 ]
	# crictl attach -i stays attached after its own stdin ends (the
	# container's stays open): the client killed after 5 s is a detach
	run timeout 5 $(crictl_cmd) attach -i "$cid" <<<$'one\ntwo'
	echo "$output" >&2
	[ "$status" -eq 124 ]
	[[ "$output" == *"got one"* ]]
	[[ "$output" == *"got two"* ]]
	[[ "$output" != *eof* ]]
	cri inspect -o go-template --template '{{.status.state}}' "$cid"
	[ "$output" = CONTAINER_RUNNING ]
	# what the container printed while attached is in its log too
	cri logs "$cid"
	[[ "$output" == *"got one"* ]]
}

@test "crictl logs -f: lines as they are written, and the end when the container exits" {
	run_pod x sh -c 'echo one; sleep 2; echo two'
	# crictl's follow checks the container's state when the log stops
	# growing: it returns once the container has exited
	run timeout 60 $(crictl_cmd) logs -f "$cid"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'one\ntwo')" ]
}
