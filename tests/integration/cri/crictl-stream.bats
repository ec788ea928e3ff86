#!/usr/bin/env bats
# crictl's streaming calls against huskd's CRI: Exec and PortForward
# answer a URL on huskd's streaming server (--stream-address, loopback and
# a free port by default) with a single-use token, and crictl (1.26:
# remotecommand and portforward over SPDY/3.1) streams there.  The
# sessions are the ones kubectl's pods/exec and pods/portforward run.

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

@test "crictl attach: the streaming URL answers, refused with a clear error until attach exists" {
	run_pod x sleep 100
	cri attach "$cid"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"not supported by huskd yet"* ]]
}
