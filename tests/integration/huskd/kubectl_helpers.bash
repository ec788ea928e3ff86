# Debian's kubectl 1.20 (package kubernetes-client) for the kubectl suites.
# It conflicts with the machine's kubectl package: it is unpacked into
# tests/.tmp once (under a lock: bats may run files in parallel), never
# installed.  Loaded after ../helpers.

KUBECTL_OLD_DIR=$TESTS_TMP/kubectl-1.20

# ensure_old_kubectl: sets $KUBECTL_OLD, or skips the test saying why.
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

# huskd_kubeconfig: huskd over TLS (setup_huskd) and $KUBECONFIG for its admin.
huskd_kubeconfig() {
	HUSKD_TLS=1 setup_huskd
	export KUBECONFIG=$BATS_TEST_TMPDIR/kubeconfig
	(umask 077 && HUSK_SOCKET=$SOCK "$HUSKCTL_BIN" kubeconfig >"$KUBECONFIG") || fail "no kubeconfig"
}

# client-go's WebSocket executor starts reading before it has made its
# stream pipes: a frame that arrives first is dropped with "Unknown stream
# id N, discarding message" (remotecommand/websocket.go readDemuxLoop), a
# client race huskd's fast exec meets under load.  Such a run is run again.
client_dropped_frames() { [[ "$stderr" == *"Unknown stream id"*"discarding message"* ]]; }

# k ARGS...: kubectl; $status, $output, $lines and $stderr as bats' run.
k() {
	local err=$BATS_TEST_TMPDIR/.k.err try
	for try in 1 2 3; do
		status=0
		output=$(kubectl "$@" 2>"$err") || status=$?
		stderr=$(cat "$err")
		client_dropped_frames || break
	done
	mapfile -t lines <<<"$output"
	echo "$ kubectl $* (status=$status): $output" >&2
	[ -z "$stderr" ] || echo "stderr: $stderr" >&2
}

# A suite named NAME-1.20.bats is NAME.bats run with Debian's kubectl 1.20.
kubectl_is_120() { [[ "$(basename "$BATS_TEST_FILENAME")" == *-1.20.bats ]]; }

# The newest kubectl of the machine (/usr/bin and google-cloud-sdk's).
newest_kubectl() {
	local k v best= bestv=0
	for k in /usr/bin/kubectl /usr/local/bin/kubectl /usr/lib/google-cloud-sdk/bin/kubectl*; do
		[ -x "$k" ] || continue
		v=$("$k" version --client -o json 2>/dev/null | jq -r '.clientVersion.minor' | tr -dc 0-9)
		[ -n "$v" ] && [ "$v" -gt "$bestv" ] && best=$k bestv=$v
	done
	echo "$best"
}

# kx new|old ARGS...: kubectl ($KUBECTL_NEW, or 1.20) against huskd;
# $status, $output (stdout), $lines, $stderr.  Never longer than 60 s.
kx() {
	local which=$1 bin
	shift
	if [ "$which" = old ]; then
		ensure_old_kubectl
		bin=$KUBECTL_OLD
	else
		bin=$KUBECTL_NEW
	fi
	local out=$BATS_TEST_TMPDIR/.kx.out err=$BATS_TEST_TMPDIR/.kx.err try
	for try in 1 2 3; do
		status=0
		timeout 60 "$bin" --kubeconfig "$STATE/kubeconfig" "$@" <"${KX_STDIN:-/dev/null}" >"$out" 2>"$err" || status=$?
		output=$(cat "$out")
		stderr=$(cat "$err")
		client_dropped_frames || break
	done
	mapfile -t lines <<<"$output"
	echo "$ kubectl($which) $* (status=$status)" >&2
	echo "stdout: ${output:0:600}" >&2
	echo "stderr: ${stderr:0:600}" >&2
}
