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

# k ARGS...: kubectl; $status, $output, $lines and $stderr as bats' run.
k() {
	local err=$BATS_TEST_TMPDIR/.k.err
	status=0
	output=$(kubectl "$@" 2>"$err") || status=$?
	stderr=$(cat "$err")
	mapfile -t lines <<<"$output"
	echo "$ kubectl $* (status=$status): $output" >&2
	[ -z "$stderr" ] || echo "stderr: $stderr" >&2
}
