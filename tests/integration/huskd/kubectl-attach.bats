#!/usr/bin/env bats
# kubectl attach and kubectl run -it --rm against a real huskd over TLS,
# with the machine's newest kubectl (WebSocket) and Debian's kubectl 1.20
# (SPDY/3.1): a container's own stdin/tty kept by its pod holder, output
# to several attachers, detach leaving the container running, stdinOnce,
# and kube's errors.  Interactive sessions run under script(1), as in
# kubectl-exec.bats.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers

setup() {
	KUBECTL_NEW=${KUBECTL:-$(newest_kubectl)}
	[ -x "$KUBECTL_NEW" ] || skip "no kubectl"
	HUSKD_TLS=1 setup_huskd
	export KUBECONFIG=$STATE/kubeconfig
}

teardown() { teardown_huskd; }

kbin() {
	if [ "$1" = old ]; then
		ensure_old_kubectl
		echo "$KUBECTL_OLD"
	else
		echo "$KUBECTL_NEW"
	fi
}

# interactive WHICH INPUT ARGS...: kubectl ARGS under script(1) on a
# 97x31 terminal, INPUT typed; $status, $output.
interactive() {
	local bin input=$2
	bin=$(kbin "$1")
	shift 2
	run timeout 60 script -qec "stty cols 97 rows 31; $bin --kubeconfig $STATE/kubeconfig $*" /dev/null <<<"$input"
	echo "status=$status output: $output" >&2
}

shell_pod() {
	create_pod "$1" <<<'{"restartPolicy":"Never","containers":[{"name":"main","image":"@ROOTFS@","command":["sh"],"stdin":true,"tty":true}]}'
	wait_for 30 phase_is "$1" Running || fail "the pod did not start"
}

ticker_pod() {
	create_pod "$1" <<<'{"containers":[{"name":"main","image":"@ROOTFS@","command":["sh","-c","trap \"exit 0\" TERM; i=0; while true; do echo tick $i; echo tock $i >&2; i=$((i+1)); sleep 0.2; done"]}]}'
	wait_for 30 phase_is "$1" Running || fail "the pod did not start"
}

check_run_rm() {
	local over
	# kubectl run wants an image reference, the test image is a rootfs
	# directory: --overrides gives the container whole (newer kubectl
	# replaces the list with it, not merged by name)
	over=$(jq -cn --arg img "$POD_ROOTFS" '{apiVersion: "v1", spec: {containers: [{name: "shell", image: $img,
		args: ["sh"], stdin: true, stdinOnce: true, tty: true}]}}')
	interactive "$1" 'sleep 1; echo "sum=$((40+2))"; stty size; exit' \
		run -it --rm --restart=Never shell --image=busybox "--overrides='$over'" -- sh
	[[ "$output" == *"sum=42"* ]]
	[[ "$output" == *"31 97"* ]]
	[[ "$output" == *'pod "shell" deleted'* ]]
	[ "$status" -eq 0 ]
	wait_for 30 bash -c "! curl -sf --unix-socket '$SOCK' http://huskd/api/v1/namespaces/default/pods/shell >/dev/null" ||
		fail "the pod is still there"
}

check_attach_tty() {
	shell_pod "sh-$1"
	interactive "$1" 'sleep 1; tty; stty size; echo "got $((6*7))"; exit' attach "sh-$1" -c main -it
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/"* || "$output" == *"/dev/console"* ]]
	[[ "$output" == *"31 97"* ]]
	[[ "$output" == *"got 42"* ]]
	wait_for 30 phase_is "sh-$1" Succeeded || fail "exit did not end the container"
	# a tty's output is in the log as stdout
	k logs "sh-$1"
	[[ "$output" == *"got 42"* ]]
}

# Output only (no -i): what the container writes while attached, stdout
# and stderr apart; two attachers at once both get it; ending them leaves
# the container running.
check_attach_output() {
	local bin a1 a2
	bin=$(kbin "$1")
	timeout 3 "$bin" --kubeconfig "$STATE/kubeconfig" attach tick >"$BATS_TEST_TMPDIR/a1.out" 2>"$BATS_TEST_TMPDIR/a1.err" &
	a1=$!
	timeout 3 "$bin" --kubeconfig "$STATE/kubeconfig" attach tick -c main >"$BATS_TEST_TMPDIR/a2.out" 2>"$BATS_TEST_TMPDIR/a2.err" &
	a2=$!
	wait "$a1" || true
	wait "$a2" || true
	cat "$BATS_TEST_TMPDIR"/a[12].* >&2
	grep -q '^tick [0-9]' "$BATS_TEST_TMPDIR/a1.out"
	grep -q '^tick [0-9]' "$BATS_TEST_TMPDIR/a2.out"
	grep -q '^tock [0-9]' "$BATS_TEST_TMPDIR/a1.err"
	! grep -q tock "$BATS_TEST_TMPDIR/a1.out"
	# detached: the container goes on
	phase_is tick Running
	[ "$(pod_field tick '.status.containerStatuses[0].restartCount')" = 0 ]
	local before
	k logs tick
	before=${#lines[@]}
	sleep 0.5
	k logs tick
	[ "${#lines[@]}" -gt "$before" ]
}

# stdin without a tty: piped in, and with stdinOnce its end is the
# container's stdin's end (cat exits, the pod completes).
check_attach_stdin_once() {
	create_pod "cat-$1" <<<'{"restartPolicy":"Never","containers":[{"name":"main","image":"@ROOTFS@","command":["sh","-c","while read l; do echo \"line:$l\"; done; echo eof"],"stdin":true,"stdinOnce":true}]}'
	wait_for 30 phase_is "cat-$1" Running || fail "the pod did not start"
	printf 'one\ntwo\n' >"$BATS_TEST_TMPDIR/in"
	KX_STDIN=$BATS_TEST_TMPDIR/in kx "$1" attach -i "cat-$1"
	[ "$status" -eq 0 ]
	[[ "$output" == *"line:one"*"line:two"*"eof"* ]]
	wait_for 30 phase_is "cat-$1" Succeeded || fail "stdinOnce did not close the container's stdin"
}

check_attach_errors() {
	# stdin of a container without stdin: true
	kx "$1" attach -i tick
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"stdin is not enabled for container main"* ]]
	# a completed pod: kubectl's own words, from the pod's phase
	kx "$1" attach done
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"cannot attach a container in a completed pod; current phase is Succeeded"* ]]
	# no such container
	kx "$1" attach tick -c nope
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"container"*"nope"* ]]
}

both() {
	local v
	for v in new old; do
		echo "# kubectl $v" >&2
		"$@" "$v"
	done
}

@test "kubectl run -it --rm: a shell, typed into, deleted at exit (WebSocket, and 1.20's SPDY)" {
	both check_run_rm
}

@test "kubectl attach -it: the container's terminal with the client's size" {
	both check_attach_tty
}

@test "kubectl attach: output only, two attachers, detach leaves it running; kube's errors" {
	ticker_pod tick
	create_pod done <<<'{"restartPolicy":"Never","containers":[{"name":"main","image":"@ROOTFS@","command":["true"]}]}'
	wait_for 30 phase_is done Succeeded || fail "the pod did not complete"
	both check_attach_output
	both check_attach_errors
}

@test "kubectl attach -i: stdin piped in, stdinOnce closes it" {
	both check_attach_stdin_once
}

