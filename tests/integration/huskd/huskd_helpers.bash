# Helpers of the huskd suites: a real huskd per test, on its own socket,
# state dir, pods root, runtime root and cgroup parent, running real pods
# through the pod sandbox.  Loaded after ../helpers and ../pod/pod_helpers.
#
#   setup()    { setup_huskd; }          # starts huskd (add --listen with HUSKD_TLS=1)
#   teardown() { teardown_huskd; }       # deletes every pod, stops huskd, leak check
#   api GET /api/v1/pods                 # curl over the unix socket: $status (HTTP), $output
#   ctl get pods                         # huskctl: $status (exit), $output
#   pod_json NAME <<<'{spec...}'         # a Pod with @ROOTFS@ replaced
#
# The OCI runtime is $HUSK_POD_RUNTIME, else the husk build; the huskd and
# huskctl are the newest of any build dir (or $HUSKD / $HUSKCTL).

newest_build() {
	local b
	for b in $(ls -t "$REPO_ROOT"/build*/"$1" 2>/dev/null); do
		[ -x "$b" ] && [ -s "$b" ] && { echo "$b"; return; }
	done
}

# $HUSKD/$HUSKCTL, else the build dir $HUSK comes from (so a sanitizer build
# is never picked by accident), else the newest build.
same_build() {
	local b=${HUSK%/runtime/cli/husk}/$1
	if [[ "$HUSK" == */runtime/cli/husk ]] && [ -x "$b" ]; then
		echo "$b"
	else
		newest_build "$1"
	fi
}

HUSKD_BIN=${HUSKD:-$(same_build sandbox/huskd/huskd)}
HUSKCTL_BIN=${HUSKCTL:-$(same_build sandbox/huskctl/huskctl)}

setup_huskd() {
	setup_pod_env
	[ -x "$HUSKD_BIN" ] || skip "huskd is not built"
	SOCK=$BATS_TEST_TMPDIR/huskd.sock
	STATE=$BATS_TEST_TMPDIR/state
	local listen=()
	if [ -n "${HUSKD_TLS:-}" ]; then
		TLS_PORT=$((20000 + RANDOM % 20000))
		listen=(--listen "127.0.0.1:$TLS_PORT")
	fi
	# registries.yaml for the image tests (tests/integration/image)
	[ -z "${HUSKD_REGISTRY_CONFIG:-}" ] || listen+=(--registry-config "$HUSKD_REGISTRY_CONFIG")
	start_huskd "${listen[@]}"
}

# start_huskd [ARGS]: (re)starts huskd on the test's socket and state.
# Pods are on loopback only (--pod-network none), so that no suite makes a
# bridge or firewall rules on the shared host; a suite of the default
# network sets HUSKD_POD_NETWORK=1 and runs huskd in a network namespace
# of its own with HUSKD_WRAP="nsenter --net=..." (kubectl-network.bats).
start_huskd() {
	HUSKD_ARGS=("$@")
	# HUSKD_NO_RUNTIME=1: no --runtime, huskd finds its own
	local rt=(--runtime "$POD_RUNTIME")
	[ -z "${HUSKD_NO_RUNTIME:-}" ] || rt=()
	local net=(--pod-network none)
	[ -z "${HUSKD_POD_NETWORK:-}" ] || net=()
	${HUSKD_WRAP:-} "$HUSKD_BIN" --socket "$SOCK" --state-dir "$STATE" --pod-root "$PODS" \
		"${rt[@]}" --runtime-root "$RTROOT" --image-store "$STORE" \
		--cgroup-parent "$CGPARENT" ${net[@]+"${net[@]}"} "$@" </dev/null >>"$BATS_TEST_TMPDIR/huskd.log" 2>&1 &
	HUSKD_PID=$!
	local i
	for i in $(seq 50); do
		curl -sf --unix-socket "$SOCK" http://huskd/healthz >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/huskd.log" >&2
	fail "huskd did not start"
}

# api METHOD PATH [curl args]: $status is the HTTP code, $output the body.
api() {
	local method=$1 path=$2
	shift 2
	local body=$BATS_TEST_TMPDIR/.api.body
	status=$(curl -s -o "$body" -w '%{http_code}' --unix-socket "$SOCK" -X "$method" \
		"http://huskd$path" "$@") || status=000
	output=$(cat "$body")
	echo "$ $method $path -> $status: ${output:0:400}" >&2
}

# tls METHOD PATH [curl args]: api over huskd's TLS listener, with the admin
# token (HUSKD_TLS=1 setup_huskd).
tls() {
	local method=$1 path=$2 body=$BATS_TEST_TMPDIR/.tls.body
	shift 2
	status=$(curl -sk -o "$body" -w '%{http_code}' -X "$method" \
		-H "Authorization: Bearer $(cat "$STATE/pki/token")" \
		"https://127.0.0.1:$TLS_PORT$path" "$@") || status=000
	output=$(cat "$body")
	echo "$ tls $method $path -> $status: ${output:0:400}" >&2
}

ctl() {
	local out=$BATS_TEST_TMPDIR/.ctl.out err=$BATS_TEST_TMPDIR/.ctl.err
	status=0
	HUSK_SOCKET=$SOCK "$HUSKCTL_BIN" "$@" >"$out" 2>"$err" </dev/null || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
	mapfile -t lines <<<"$output"
	echo "$ huskctl $* (status=$status): $output" >&2
	[ -z "$stderr" ] || echo "stderr: $stderr" >&2
}

# pod_json NAME: the Pod JSON (spec on stdin) with its name and the test rootfs.
pod_json() {
	local name=$1
	sed -e "s|@ROOTFS@|$POD_ROOTFS|g" |
		jq -c --arg n "$name" --arg t "$TOKEN" '{apiVersion: "v1", kind: "Pod", metadata: {name: $n}, spec: .} |
			(.spec.containers[]?, .spec.initContainers[]?) |= (.env = ((.env // []) + [{"name":"HUSK_TEST_TOKEN","value":$t}]))'
}

# create_pod NAME [NS]: spec on stdin.
create_pod() {
	local json
	json=$(pod_json "$1")
	api POST "/api/v1/namespaces/${2:-default}/pods" -H 'Content-Type: application/json' -d "$json"
	[ "$status" -eq 201 ] || fail "create pod $1: $output"
}

# jq over a pod: pod_field NAME FILTER [NS]
pod_field() {
	curl -s --unix-socket "$SOCK" "http://huskd/api/v1/namespaces/${3:-default}/pods/$1" | jq -r "$2"
}

# wait_for SECONDS COMMAND...: until the command succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.3
	done
}

phase_is() {
	[ "$(pod_field "$1" .status.phase "${3:-default}")" = "$2" ]
}

no_pods_left() {
	[ "$(curl -s --unix-socket "$SOCK" http://huskd/api/v1/pods | jq '.items | length')" = 0 ]
}

teardown_huskd() {
	if [ -n "${HUSKD_PID:-}" ] && kill -0 "$HUSKD_PID" 2>/dev/null; then
		local ns pods p
		for ns in $(curl -s --unix-socket "$SOCK" http://huskd/api/v1/pods |
			jq -r '.items[].metadata.namespace' | sort -u); do
			for p in $(curl -s --unix-socket "$SOCK" "http://huskd/api/v1/namespaces/$ns/pods" |
				jq -r '.items[].metadata.name'); do
				curl -s --unix-socket "$SOCK" -X DELETE \
					"http://huskd/api/v1/namespaces/$ns/pods/$p?gracePeriodSeconds=1" >/dev/null
			done
		done
		wait_for 30 no_pods_left ||
			echo "pods still there at teardown" >&2
		kill "$HUSKD_PID"
		wait "$HUSKD_PID" 2>/dev/null || true
	fi
	teardown_pod_env
	# a sanitizer build of huskd reports into its log (and leaks at exit)
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$BATS_TEST_TMPDIR/huskd.log" 2>/dev/null; then
		cat "$BATS_TEST_TMPDIR/huskd.log" >&2
		fail "huskd reported a sanitizer error"
	fi
	check_sanitizer_reports
}
