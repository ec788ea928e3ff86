#!/usr/bin/env bats
# kubectl exec against a real huskd and a real pod, with the machine's
# kubectl (WebSocket v5.channel.k8s.io first) and Debian's kubectl 1.20
# (SPDY/3.1 only): stdout, stderr, exit codes, stdin, a tty, big streams
# both ways, and a client that disconnects mid-stream.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers

KUBECTL_NEW=${KUBECTL:-/usr/bin/kubectl}
KUBECTL_OLD_DIR=$TESTS_TMP/kubectl-1.20

# Debian's kubernetes-client conflicts with the installed kubectl package:
# it is unpacked into the test folder, never installed.
ensure_old_kubectl() {
	KUBECTL_OLD=$KUBECTL_OLD_DIR/usr/bin/kubectl
	[ -x "$KUBECTL_OLD" ] && return 0
	(
		flock 9
		[ -x "$KUBECTL_OLD" ] && exit 0
		d=$(mktemp -d) && cd "$d" &&
			apt-get download kubernetes-client >/dev/null 2>&1 &&
			dpkg-deb -x kubernetes-client_*.deb "$KUBECTL_OLD_DIR.new" &&
			rm -rf "$KUBECTL_OLD_DIR" && mv "$KUBECTL_OLD_DIR.new" "$KUBECTL_OLD_DIR"
		r=$?
		rm -rf "$d"
		exit $r
	) 9>"$TESTS_TMP/.kubectl-1.20-lock" || skip "cannot download Debian's kubernetes-client (kubectl 1.20) with apt-get download"
	[ -x "$KUBECTL_OLD" ] || skip "kubernetes-client has no usr/bin/kubectl"
}

setup() {
	[ -x "$KUBECTL_NEW" ] || skip "no kubectl at $KUBECTL_NEW"
	HUSKD_TLS=1 setup_huskd
	create_pod web <<<'{"containers":[{"name":"main","image":"@ROOTFS@","command":["sleep","1000"]}]}'
	wait_for 30 phase_is web Running || fail "the pod did not start"
}

teardown() { teardown_huskd; }

# kx new|old ARGS...: kubectl against huskd; $status, $output (stdout),
# $stderr.  Never longer than 60 s.
kx() {
	local which=$1 bin
	shift
	if [ "$which" = old ]; then
		ensure_old_kubectl
		bin=$KUBECTL_OLD
	else
		bin=$KUBECTL_NEW
	fi
	local out=$BATS_TEST_TMPDIR/.kx.out err=$BATS_TEST_TMPDIR/.kx.err
	status=0
	timeout 60 "$bin" --kubeconfig "$STATE/kubeconfig" "$@" <"${KX_STDIN:-/dev/null}" >"$out" 2>"$err" || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
	echo "$ kubectl($which) $* (status=$status)" >&2
	echo "stdout: ${output:0:300}" >&2
	echo "stderr: ${stderr:0:600}" >&2
}

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
# nothing is left behind, and huskd goes on serving.
check_disconnect() {
	local bin=$KUBECTL_NEW marker="sleep 4242$1"
	[ "$1" = old ] && ensure_old_kubectl && bin=$KUBECTL_OLD
	timeout -s KILL 4 "$bin" --kubeconfig "$STATE/kubeconfig" exec web -- sh -c "echo started; exec $marker" >/dev/null 2>&1 || true
	wait_for 10 bash -c "! pgrep -f '$marker' >/dev/null" || fail "the command outlived its client"
	wait_for 10 bash -c "! ls -d /tmp/huskd-exec-* 2>/dev/null | grep -q ." || fail "exec directories left behind"
	check_stdout "$1"
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
