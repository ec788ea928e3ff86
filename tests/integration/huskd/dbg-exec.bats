load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers
KUBECTL_NEW=${KUBECTL:-/usr/bin/kubectl}
setup() {
	HUSKD_TLS=1 setup_huskd
	create_pod web <<<'{"containers":[{"name":"main","image":"@ROOTFS@","command":["sleep","1000"]}]}'
	wait_for 30 phase_is web Running || fail "the pod did not start"
}
teardown() { teardown_huskd; }
@test "dbg" {
	ensure_old_kubectl
	for bin in $KUBECTL_NEW $KUBECTL_OLD; do
	for i in 1 2 3 4 5 6; do
		st=0
		out=$(yes | timeout 30 $bin --kubeconfig $STATE/kubeconfig exec -i web -- echo hi 2>/tmp/att/err) || st=$?
		echo "$bin $i: st=$st out=$out err=$(head -c 300 /tmp/att/err)" >&3
	done
	done
}
