# Helpers of the CRI suites: a huskd per test (huskd_helpers) that also
# serves the CRI on $CRI_SOCK, and crictl (cri-tools, built by
# conformance.bash) pointed at it.
#
#   setup()    { setup_cri; }
#   teardown() { teardown_cri; }
#   cri runp pod.json          # crictl: $status, $output, $stderr
#   pod_config NAME >FILE      # a PodSandboxConfig
#   container_config NAME ARGS... >FILE   # a ContainerConfig on the test rootfs

load ../conformance/conformance

setup_cri() {
	conformance_build || skip "$SKIP_REASON"
	setup_pod_env
	[ -x "$HUSKD_BIN" ] || skip "huskd is not built"
	SOCK=$BATS_TEST_TMPDIR/huskd.sock
	STATE=$BATS_TEST_TMPDIR/state
	CRI_SOCK=$BATS_TEST_TMPDIR/cri.sock
	LOGDIR=$BATS_TEST_TMPDIR/logs
	start_huskd --cri-socket "$CRI_SOCK"
}

# Every sandbox the test left is removed through the CRI (stopp + rmp)
# before huskd stops, so the leak check sees what the CRI cleans up.
teardown_cri() {
	local id
	if [ -S "${CRI_SOCK:-}" ]; then
		for id in $(cri_quiet pods -q); do
			cri_quiet stopp "$id" >/dev/null
			cri_quiet rmp "$id" >/dev/null
		done
	fi
	teardown_huskd
}

cri_quiet() {
	timeout 60 "$CRICTL" --runtime-endpoint "unix://$CRI_SOCK" --image-endpoint "unix://$CRI_SOCK" \
		--timeout 30s "$@" 2>/dev/null
}

# cri ARGS...: crictl like bats' run ($status, $output: stdout, $stderr).
cri() {
	local out=$BATS_TEST_TMPDIR/.cri.out err=$BATS_TEST_TMPDIR/.cri.err
	status=0
	timeout 60 "$CRICTL" --runtime-endpoint "unix://$CRI_SOCK" --image-endpoint "unix://$CRI_SOCK" \
		--timeout 30s "$@" </dev/null >"$out" 2>"$err" || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
	mapfile -t lines <<<"$output"
	echo "$ crictl $* (status=$status):" >&2
	echo "$output" >&2
	[ -z "$stderr" ] || echo "stderr: $stderr" >&2
}

pod_config() { # NAME [jq filter]
	jq -n --arg n "$1" --arg l "$LOGDIR" --arg t "$TOKEN" \
		'{metadata: {name: $n, namespace: "default", uid: ($n + "-uid"), attempt: 1},
		  hostname: $n, log_directory: $l, labels: {app: $n, token: $t}, linux: {}}' |
		jq "${2:-.}"
}

container_config() { # NAME ARGS...
	local name=$1 cmd
	shift
	cmd=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	jq -n --arg n "$name" --arg img "$POD_ROOTFS" --argjson cmd "$cmd" '{metadata: {name: $n},
		image: {image: $img}, command: $cmd, log_path: ($n + ".log"), labels: {c: $n}, linux: {}}'
}
