#!/usr/bin/env bats
# What kubectl expects of an API server beyond pods running (issue #15):
# huskctl exec's command line, one runtime for pods and streams, Table
# responses with objects, qosClass, no-op patches, admission of unsupported
# fields, kubelet's messages, the Node, discovery and auth reviews.  Each
# test drives Debian's kubectl 1.20 (old) and the newest kubectl on the
# machine (new) against huskd over TLS.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers

# found once per file: newest_kubectl asks each kubectl its version
setup_file() {
	KUBECTL_NEW=${KUBECTL:-$(newest_kubectl)}
	export KUBECTL_NEW
}

setup() {
	[ -x "$KUBECTL_NEW" ] || skip "no kubectl"
	HUSKD_TLS=1 setup_huskd
}

teardown() { teardown_huskd; }

# sleeper NAME [NS]: a running one-container pod (container "main").
sleeper() {
	create_pod "$1" "${2:-}" <<<'{"terminationGracePeriodSeconds":1,"containers":[{"name":"main","image":"@ROOTFS@","command":["sleep","1000"]}]}'
	wait_for 30 phase_is "$1" Running "${2:-default}" || fail "pod $1 did not start"
}

@test "huskctl exec: everything after -- is the command, verbatim; docs/api.md's examples" {
	api POST /api/v1/namespaces -H 'Content-Type: application/json' -d '{"metadata":{"name":"other"}}'
	[ "$status" -eq 201 ]
	sleeper web
	sleeper away other
	ctl exec web -c main -- sh -c 'echo ok'
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	ctl exec web -- ls -ld /
	[ "$status" -eq 0 ]
	[[ "$output" == d*" /" ]]
	ctl exec web -c main -- wget -qO- http://127.0.0.1:1/
	[ "$status" -ne 0 ]
	[[ "$stderr" != *"invalid option"* ]]
	[[ "$stderr" == *wget* ]]
	ctl exec away -n other -- echo -n -c x
	[ "$status" -eq 0 ]
	[ "$output" = "-c x" ]
	ctl -n other exec away -c main -- sh -c 'echo $0 "$@"' a -n b
	[ "$status" -eq 0 ]
	[ "$output" = "a -n b" ]
	# docs/api.md: huskctl exec web [-c C] -- sh -c 'echo hi'
	ctl exec web -- sh -c 'echo hi'
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	ctl exec web -c main -- sh -c 'echo hi'
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	ctl exec web -c nope -- true
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"container nope is not valid"* ]]
}

@test "without --runtime, exec and cp streams run the runtime the pods run (the husk beside huskd)" {
	teardown_huskd_only() { kill "$HUSKD_PID"; wait "$HUSKD_PID" 2>/dev/null || true; }
	teardown_huskd_only
	# nothing named husk on PATH: only the resolution beside huskd finds one
	HUSKD_NO_RUNTIME=1 PATH=/usr/sbin:/usr/bin:/sbin:/bin HUSK_POD_RUNTIME= start_huskd --listen "127.0.0.1:$TLS_PORT"
	sleeper web
	for v in old new; do
		kx $v exec web -- echo streamed
		[ "$status" -eq 0 ]
		[ "$output" = streamed ]
		echo "cp $v" >"$BATS_TEST_TMPDIR/f"
		kx $v cp "$BATS_TEST_TMPDIR/f" default/web:/tmp/f
		[ "$status" -eq 0 ]
		kx $v exec web -- cat /tmp/f
		[ "$output" = "cp $v" ]
	done
}

@test "get --sort-by on a status path: Table rows carry the object (includeObject=Object)" {
	sleeper first
	sleep 1
	sleeper second
	for v in old new; do
		kx $v get pods --sort-by=.status.startTime -o name
		[ "$status" -eq 0 ]
		[ "$(echo $output)" = "pod/first pod/second" ]
		kx $v get pods --sort-by=.status.startTime
		[ "$status" -eq 0 ]
		[[ "${lines[1]}" == first* ]]
		[[ "${lines[2]}" == second* ]]
		kx $v get pods --sort-by=.metadata.creationTimestamp --no-headers
		[[ "${lines[0]}" == first* ]]
	done
	tls GET '/api/v1/namespaces/default/pods?includeObject=Object' -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io'
	[ "$(jq -r '.rows[0].object.kind + " " + .rows[0].object.status.phase' <<<"$output")" = "Pod Running" ]
	tls GET '/api/v1/namespaces/default/pods/first?includeObject=None' -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io'
	[ "$(jq -r '.rows[0] | has("object")' <<<"$output")" = false ]
	tls GET '/api/v1/namespaces/default/pods' -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io'
	[ "$(jq -r '.rows[0].object.kind' <<<"$output")" = PartialObjectMetadata ]
}

@test "status.qosClass: Guaranteed, Burstable, BestEffort as Kubernetes computes them" {
	create_pod gua <<<'{"containers":[{"name":"a","image":"@ROOTFS@","command":["sleep","1000"],"resources":{"limits":{"cpu":"100m","memory":"64Mi"}}},
		{"name":"b","image":"@ROOTFS@","command":["sleep","1000"],"resources":{"limits":{"cpu":"0.1","memory":"32Mi"},"requests":{"cpu":"100m","memory":"32Mi"}}}]}'
	create_pod bur <<<'{"containers":[{"name":"a","image":"@ROOTFS@","command":["sleep","1000"],"resources":{"requests":{"memory":"16Mi"}}}]}'
	create_pod bur2 <<<'{"containers":[{"name":"a","image":"@ROOTFS@","command":["sleep","1000"],"resources":{"limits":{"cpu":"100m","memory":"64Mi"},"requests":{"cpu":"50m"}}}]}'
	create_pod bur3 <<<'{"initContainers":[{"name":"i","image":"@ROOTFS@","command":["true"],"resources":{"limits":{"cpu":"1"}}}],"containers":[{"name":"a","image":"@ROOTFS@","command":["sleep","1000"]}]}'
	create_pod best <<<'{"containers":[{"name":"a","image":"@ROOTFS@","command":["sleep","1000"],"resources":{"requests":{"cpu":"0"}}}]}'
	for v in old new; do
		kx $v get pods -o 'custom-columns=N:.metadata.name,Q:.status.qosClass' --no-headers
		[ "$status" -eq 0 ]
		[ "$(echo $output)" = "best BestEffort bur Burstable bur2 Burstable bur3 Burstable gua Guaranteed" ]
		kx $v describe pod gua
		[[ "$output" == *"QoS Class:"*"Guaranteed"* ]]
	done
	wait_for 30 phase_is gua Running
	[ "$(pod_field gua .status.qosClass)" = Guaranteed ]
}

@test "a no-op patch, apply or label answers (no change) and keeps the resourceVersion" {
	sleeper web
	api POST /api/v1/namespaces -H 'Content-Type: application/json' -d '{"metadata":{"name":"quiet"}}'
	for v in old new; do
		kx $v label pod web tier=front --overwrite
		[ "$status" -eq 0 ]
		rv=$(pod_field web .metadata.resourceVersion)
		kx $v patch pod web -p '{"metadata":{"labels":{"tier":"front"}}}'
		[ "$status" -eq 0 ]
		[ "$output" = "pod/web patched (no change)" ]
		kx $v patch pod web --type=json -p '[{"op":"replace","path":"/metadata/labels/tier","value":"front"}]'
		[ "$output" = "pod/web patched (no change)" ]
		kx $v label pod web tier=front --overwrite
		[ "$status" -eq 0 ]
		[[ "$output" == "pod/web not labeled" || "$output" == "pod/web labeled" ]]
		[ "$(pod_field web .metadata.resourceVersion)" = "$rv" ]
		kx $v patch ns quiet -p '{"metadata":{"labels":{"x":"y"}}}'
		[ "$status" -eq 0 ]
		kx $v patch ns quiet -p '{"metadata":{"labels":{"x":"y"}}}'
		[ "$output" = "namespace/quiet patched (no change)" ]
		kx $v patch pod web -p '{"metadata":{"labels":{"tier":"back-'$v'"}}}'
		[ "$output" = "pod/web patched" ]
		[ "$(pod_field web .metadata.resourceVersion)" != "$rv" ]
	done
}

@test "unsupported volumes and fields: 422 at admission naming the field; a pod waiting on its sandbox is ContainerCreating" {
	cat >"$BATS_TEST_TMPDIR/nfs.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: nfs}
spec:
  containers: [{name: c, image: $POD_ROOTFS, command: [sleep, "1000"], volumeMounts: [{name: v, mountPath: /v}]}]
  volumes: [{name: v, nfs: {server: 127.0.0.1, path: /x}}]
YAML
	cat >"$BATS_TEST_TMPDIR/mount.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: badmount}
spec:
  containers: [{name: c, image: $POD_ROOTFS, command: [sleep, "1000"], volumeMounts: [{name: nope, mountPath: /v}]}]
YAML
	for v in old new; do
		kx $v apply -f "$BATS_TEST_TMPDIR/nfs.yaml"
		[ "$status" -ne 0 ]
		[[ "$stderr" == *'The Pod "nfs" is invalid: spec.volumes[0].nfs: Forbidden: nfs volumes are not supported'* ]]
		kx $v apply -f "$BATS_TEST_TMPDIR/mount.yaml"
		[ "$status" -ne 0 ]
		[[ "$stderr" == *'The Pod "badmount" is invalid: spec.containers[0].volumeMounts[0]'* ]]
	done
	tls POST /api/v1/namespaces/default/pods -H 'Content-Type: application/json' \
		-d '{"metadata":{"name":"pvc"},"spec":{"containers":[{"name":"c","image":"'"$POD_ROOTFS"'"}],"volumes":[{"name":"d","persistentVolumeClaim":{"claimName":"x"}}]}}'
	[ "$status" -eq 422 ]
	[ "$(jq -r '.details.causes[0].field' <<<"$output")" = 'spec.volumes[0].persistentVolumeClaim' ]
	api GET /api/v1/namespaces/default/pods/nfs
	[ "$status" -eq 404 ]
	# the sandbox cannot be made (its hostPath is missing): waiting on it
	create_pod stuck <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","1000"],"volumeMounts":[{"name":"h","mountPath":"/h"}]}],
		"volumes":[{"name":"h","hostPath":{"path":"'"$BATS_TEST_TMPDIR"'/absent","type":"Directory"}}]}'
	wait_for 20 has_event stuck FailedCreatePodSandBox || fail "no FailedCreatePodSandBox"
	for v in old new; do
		kx $v get pod stuck --no-headers
		[[ "$output" == *" ContainerCreating "* ]]
	done
	[ "$(pod_field stuck '.status.containerStatuses[0].state.waiting.reason')" = ContainerCreating ]
}

has_event() {
	api GET "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=$1"
	[[ "$(jq -r '.items[].reason' <<<"$output")" == *"$2"* ]]
}

@test "logs: kubelet's words for no previous attempt and a container not started yet" {
	sleeper web
	create_pod stuck <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","1000"],"volumeMounts":[{"name":"h","mountPath":"/h"}]}],
		"volumes":[{"name":"h","hostPath":{"path":"'"$BATS_TEST_TMPDIR"'/absent","type":"Directory"}}]}'
	for v in old new; do
		kx $v logs web --previous
		[ "$status" -ne 0 ]
		[ "$stderr" = 'Error from server (BadRequest): previous terminated container "main" in pod "web" not found' ]
		kx $v logs stuck -c c
		[ "$status" -ne 0 ]
		[ "$stderr" = 'Error from server (BadRequest): container "c" in pod "stuck" is waiting to start: ContainerCreating' ]
	done
}

@test "a liveness kill's Killing event is recorded when the kill starts, not after the grace period" {
	# pid 1 ignores SIGTERM: the stop waits out the 8 s grace period
	create_pod live <<<'{"terminationGracePeriodSeconds":8,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","1000"],
		"livenessProbe":{"exec":{"command":["false"]},"periodSeconds":1,"failureThreshold":1}}]}'
	wait_for 30 phase_is live Running || fail "not running"
	local t0=$SECONDS
	wait_for 12 has_event live Killing || fail "no Killing event"
	[ "$(pod_field live '.status.containerStatuses[0].restartCount')" = 0 ]
	for v in old new; do
		kx $v describe pod live
		[[ "$output" == *Killing*"failed liveness probe, will be restarted"* ]]
	done
	echo "Killing after $((SECONDS - t0)) s" >&2
}

@test "get quota prints REQUEST and LIMIT as kubectl's printer does" {
	tls POST /api/v1/namespaces/default/resourcequotas -H 'Content-Type: application/json' \
		-d '{"metadata":{"name":"q"},"spec":{"hard":{"pods":"5","requests.cpu":"1","limits.memory":"1Gi","requests.memory":"512Mi"}}}'
	[ "$status" -eq 201 ]
	create_pod web <<<'{"containers":[{"name":"a","image":"@ROOTFS@","command":["sleep","1000"],"resources":{"requests":{"cpu":"100m","memory":"32Mi"},"limits":{"memory":"64Mi"}}}]}'
	wait_for 10 quota_used_pods_is 1 || fail "quota not counted"
	for v in old new; do
		kx $v get quota
		[ "$status" -eq 0 ]
		[ "$(echo ${lines[0]})" = "NAME AGE REQUEST LIMIT" ]
		[[ "$(echo ${lines[1]})" == "q "*" pods: 1/5, requests.cpu: 100m/1, requests.memory: 32Mi/512Mi limits.memory: 64Mi/1Gi" ]]
	done
}

quota_used_pods_is() {
	api GET /api/v1/namespaces/default/resourcequotas/q
	[ "$(jq -r '.status.used.pods' <<<"$output")" = "$1" ]
}

@test "the Node: get nodes, describe node with its pods, spec.nodeName, cluster-info, version skew" {
	local node
	node=$(hostname)
	sleeper web
	create_pod req <<<'{"containers":[{"name":"a","image":"@ROOTFS@","command":["sleep","1000"],"resources":{"requests":{"cpu":"100m","memory":"16Mi"}}}]}'
	[ "$(pod_field web .spec.nodeName)" = "$node" ]
	# the Node's InternalIP is the hostIP its pods report
	local ip
	ip=$(pod_field web .status.hostIP)
	[ -n "$ip" ]
	for v in old new; do
		kx $v get nodes
		[ "$status" -eq 0 ]
		[ "$(echo ${lines[0]})" = "NAME STATUS ROLES AGE VERSION" ]
		[[ "$(echo ${lines[1]})" == "$node Ready control-plane "*" v1.32.0-husk."* ]]
		kx $v get nodes -o wide
		[[ "${lines[1]}" == *" $ip "*husk://* ]]
		kx $v get node "$node" -o jsonpath='{.status.nodeInfo.kubeletVersion} {.status.capacity.cpu} {.status.conditions[?(@.type=="Ready")].status}'
		[ "$output" = "$(kx $v version -o json >/dev/null; jq -r .serverVersion.gitVersion <<<"$output") $(nproc) True" ]
		kx $v describe node "$node"
		[ "$status" -eq 0 ]
		[[ "$output" == *"Roles:              control-plane"* ]]
		[[ "$output" == *"InternalIP:  $ip"* ]]
		[[ "$output" == *"Ready            True"*"KubeletReady"* ]]
		[[ "$output" == *"Non-terminated Pods:"*"(2 in total)"*"default                     req"*"100m (5%)"* || "$output" == *"Non-terminated Pods:"*"(2 in total)"*"default"*"req"*"100m"* ]]
		[[ "$output" == *"Allocatable:"*"pods:"*"110"* ]]
		[[ "$output" != *"Failed to get lease"* ]]
		kx $v get node nope
		[ "$status" -ne 0 ]
		[[ "$stderr" == *'nodes "nope" not found'* ]]
		kx $v cluster-info
		[ "$status" -eq 0 ]
		[[ "$output" == *"is running at"*"https://127.0.0.1:$TLS_PORT"* ]]
		kx $v get pods -o wide
		[[ "${lines[1]}" == *" $node "* ]]
	done
	# kubectl warns past +/-1 minor of skew: none with the newest kubectl
	kx new version
	[ "$status" -eq 0 ]
	[[ "$stderr" != *WARNING* ]]
}

@test "auth can-i, auth whoami and api-resources for huskd's admin" {
	for v in old new; do
		kx $v auth can-i create pods
		[ "$status" -eq 0 ]
		[ "$output" = yes ]
		kx $v auth can-i delete nodes --all-namespaces
		[ "$output" = yes ]
		kx $v api-resources
		[ "$status" -eq 0 ]
		[[ "$output" == *"nodes "*" no "*"v1 "*"false "*"Node"* ]]
		[[ "$output" == *"pods "*" po "*"true "*"Pod"* ]]
		[[ "$output" == *"selfsubjectaccessreviews "*"authorization.k8s.io/v1"* ]]
		kx $v api-resources --namespaced=false -o name
		[[ "$output" == *nodes* && "$output" == *namespaces* ]]
	done
	kx new auth can-i --list
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "*.* "* ]]
	kx new auth whoami
	[ "$status" -eq 0 ]
	[[ "$output" == *"Username"*"husk-admin"* ]]
	[[ "$output" == *"Groups"*"system:masters"* ]]
	kx new auth whoami -o jsonpath='{.status.userInfo.username}'
	[ "$output" = husk-admin ]
}

@test "docs/api.md's huskctl exec example runs as written" {
	sleeper web
	local line
	line=$(grep -m1 "huskctl exec web \[-c C\] -- " "$REPO_ROOT/docs/api.md")
	line=${line#*huskctl exec web \[-c C\] -- }
	eval "set -- $line"
	ctl exec web -- "$@"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	ctl exec web -c main -- "$@"
	[ "$output" = hi ]
}
