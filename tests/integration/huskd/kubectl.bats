#!/usr/bin/env bats
# The real kubectl (/usr/bin/kubectl) against huskd's TLS listener, with
# the kubeconfig huskd writes; and the listener's authentication.
# kubectl-1.20.bats is this file under another name: it runs the same
# scenarios with Debian's kubectl 1.20 (package kubernetes-client, which
# conflicts with the installed kubectl: unpacked into tests/.tmp).

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers

# Every `kubectl` (in subshells too) is then found on PATH there.
use_kubectl_120() {
	ensure_old_kubectl
	export PATH=${KUBECTL_OLD%/kubectl}:$PATH
	[[ "$(kubectl version --client --short 2>/dev/null)" == *v1.20.* ]] || skip "no kubectl 1.20"
}


setup() {
	if kubectl_is_120; then use_kubectl_120; fi
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	huskd_kubeconfig
}
teardown() { teardown_huskd; }


two_pod_yaml() {
	cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: duo
  labels:
    app: duo
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: $POD_ROOTFS
    command: ["sh", "-c", "echo serving; sleep 1000"]
    env: [{name: HUSK_TEST_TOKEN, value: "$TOKEN"}]
  - name: side
    image: $POD_ROOTFS
    command: ["sh", "-c", "echo side; sleep 1000"]
    env: [{name: HUSK_TEST_TOKEN, value: "$TOKEN"}]
    readinessProbe:
      exec:
        command: ["true"]
      periodSeconds: 1
YAML
}

@test "the TLS listener: 401 without credentials or with a wrong token; the kubeconfig is 0600" {
	run curl -sk "https://127.0.0.1:$TLS_PORT/api/v1/pods"
	[ "$(jq -r '.code' <<<"$output")" = 401 ]
	[ "$(jq -r '.reason' <<<"$output")" = Unauthorized ]
	run curl -sk -H 'Authorization: Bearer nope' "https://127.0.0.1:$TLS_PORT/api/v1/pods"
	[ "$(jq -r '.code' <<<"$output")" = 401 ]
	run curl -sk -H "Authorization: Bearer $(cat "$STATE/pki/token")" "https://127.0.0.1:$TLS_PORT/api/v1/pods"
	[ "$(jq -r '.kind' <<<"$output")" = PodList ]
	run stat -c %a "$STATE/kubeconfig"
	[ "$output" = 600 ]
	run curl -sk "https://127.0.0.1:$TLS_PORT/api/v1/namespaces/default/pods/%2e%2e"
	[ "$(jq -r '.code' <<<"$output")" = 401 ]
}

@test "hostile requests on the TLS listener get Status errors and huskd keeps serving" {
	kubectl_is_120 && skip "the same requests as with the newer kubectl: no kubectl involved"
	tls POST /api/v1/namespaces/default/pods -H 'Content-Type: application/json' -d '{"metadata": '
	[ "$status" -eq 400 ]
	[ "$(jq -r '.kind + "/" + .reason' <<<"$output")" = Status/BadRequest ]
	tls POST /api/v1/namespaces/default/pods -H 'Content-Type: application/json' \
		-d '{"metadata":{"name":"tlsbad"},"spec":{"containers":[{"name":"c","image":"'"$POD_ROOTFS"'"}]}}'
	[ "$status" -eq 201 ]
	tls PATCH /api/v1/namespaces/default/pods/tlsbad \
		-H 'Content-Type: application/strategic-merge-patch+json' -d '{"spec":{"containers":"x"}}'
	[[ "$status" == 4* ]]
	[ "$(jq -r .kind <<<"$output")" = Status ]
	head -c 4000000 /dev/zero | tr '\0' ' ' >"$BATS_TEST_TMPDIR/big"
	tls POST /api/v1/namespaces/default/pods -H 'Content-Type: application/json' \
		--data-binary "@$BATS_TEST_TMPDIR/big"
	[ "$status" -eq 413 ]
	tls GET /api/v1/namespaces/default/widgets
	[ "$status" -eq 404 ]
	[ "$(jq -r .reason <<<"$output")" = NotFound ]
	tls GET /api/v1/namespaces/default/pods/%2e%2e/x
	[ "$status" -eq 400 ]
	tls GET /healthz
	[ "$status" -eq 200 ]
	tls GET /api/v1/namespaces/default/pods/tlsbad
	[ "$status" -eq 200 ]
	[ "$(jq -r .metadata.name <<<"$output")" = tlsbad ]
}

@test "kubectl version and get ns" {
	k version
	[ "$status" -eq 0 ]
	[[ "$output" == *"Server Version: "*"v1.32.0-husk"* ]]
	k get ns
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == NAME*STATUS*AGE ]]
	[[ "$output" == *default*Active* ]]
}

@test "kubectl apply a two-container pod: 2/2 Running, unchanged, configured" {
	two_pod_yaml >"$BATS_TEST_TMPDIR/duo.yaml"
	k apply -f "$BATS_TEST_TMPDIR/duo.yaml"
	[ "$status" -eq 0 ]
	[ "$output" = "pod/duo created" ]
	wait_for 30 bash -c "kubectl get pod duo --no-headers | grep -q '2/2 *Running'"
	k get pods
	[[ "${lines[0]}" == "NAME"*"READY"*"STATUS"*"RESTARTS"*"AGE" ]]
	[[ "${lines[1]}" == "duo"*"2/2"*"Running"*"0"* ]]
	k apply -f "$BATS_TEST_TMPDIR/duo.yaml"
	[ "$output" = "pod/duo unchanged" ]
	sed -i 's/app: duo/app: duo2/' "$BATS_TEST_TMPDIR/duo.yaml"
	k apply -f "$BATS_TEST_TMPDIR/duo.yaml"
	[ "$output" = "pod/duo configured" ]
	k get pods -l app=duo2 -o name
	[ "$output" = pod/duo ]
	k get pods -o wide
	[[ "${lines[0]}" == *IP*NODE*"NOMINATED NODE"*"READINESS GATES" ]]
	k get pod duo -o jsonpath='{.status.phase}'
	[ "$output" = Running ]
	k get pods -A
	[[ "${lines[1]}" == default*duo* ]]
}

@test "kubectl create -f, -o json|yaml, get events, logs --timestamps --since, a forbidden change" {
	two_pod_yaml >"$BATS_TEST_TMPDIR/duo.yaml"
	k create -f "$BATS_TEST_TMPDIR/duo.yaml"
	[ "$status" -eq 0 ]
	[ "$output" = "pod/duo created" ]
	k create -f "$BATS_TEST_TMPDIR/duo.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'pods "duo" already exists'* ]]
	wait_for 30 bash -c "kubectl get pod duo --no-headers | grep -q '2/2 *Running'"
	k get pod duo -o json
	[ "$(jq -r '.kind + " " + .status.phase' <<<"$output")" = "Pod Running" ]
	[ "$(jq -r '[.status.containerStatuses[].ready] | all' <<<"$output")" = true ]
	k get pod duo -o yaml
	[[ "$output" == *"phase: Running"* ]]
	k get events --field-selector involvedObject.name=duo
	[ "$status" -eq 0 ]
	[[ "$output" == *Started*"Started container web"* ]]
	k logs duo -c web --timestamps --since 1h
	[[ "$output" =~ ^20[0-9-]+T[0-9:.]+Z\ serving$ ]]
	# a field Kubernetes forbids changing: 422 with its message
	sed -i 's/terminationGracePeriodSeconds: 1/terminationGracePeriodSeconds: 2/' "$BATS_TEST_TMPDIR/duo.yaml"
	k apply -f "$BATS_TEST_TMPDIR/duo.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'is invalid'*'Forbidden: pod updates may not change fields'* ]]
	# kubectl patch in its three types
	k patch pod duo --type json -p '[{"op":"add","path":"/metadata/labels/tier","value":"gold"},{"op":"test","path":"/spec/containers/0/name","value":"web"}]'
	[ "$status" -eq 0 ]
	[ "$output" = "pod/duo patched" ]
	k patch pod duo --type merge -p '{"metadata":{"annotations":{"note":"merged"}}}'
	[ "$output" = "pod/duo patched" ]
	k patch pod duo -p '{"metadata":{"labels":{"tier":"silver"}}}'
	[ "$output" = "pod/duo patched" ]
	k get pod duo -o jsonpath='{.metadata.labels.tier} {.metadata.annotations.note}'
	[ "$output" = "silver merged" ]
	k patch pod duo --type json -p '[{"op":"remove","path":"/metadata/labels/nosuch"}]'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'remove operation does not apply: doc is missing path: "/metadata/labels/nosuch"'* ]]
	k patch pod duo --type json -p '[{"op":"replace","path":"/spec/restartPolicy","value":"Never"}]'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'Forbidden: pod updates may not change fields'* ]]
	k get pod duo -o jsonpath='{.metadata.labels.tier}'
	[ "$output" = silver ]
}

@test "kubectl apply with a new image restarts the container on that image" {
	local v2=$BATS_TEST_TMPDIR/rootfs-v2
	cp -a "$POD_ROOTFS" "$v2"
	echo v2 >"$v2/marker"
	cat >"$BATS_TEST_TMPDIR/img.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: img
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: $POD_ROOTFS
    command: ["sh", "-c", "cat /marker 2>/dev/null || echo v1; sleep 1000"]
    env: [{name: HUSK_TEST_TOKEN, value: "$TOKEN"}]
YAML
	k apply -f "$BATS_TEST_TMPDIR/img.yaml"
	[ "$output" = "pod/img created" ]
	wait_for 30 bash -c "kubectl logs img 2>/dev/null | grep -qx v1"
	sed -i "s|image: $POD_ROOTFS|image: $v2|" "$BATS_TEST_TMPDIR/img.yaml"
	k apply -f "$BATS_TEST_TMPDIR/img.yaml"
	[ "$output" = "pod/img configured" ]
	wait_for 30 bash -c "kubectl logs img 2>/dev/null | grep -qx v2"
	k get pod img -o jsonpath='{.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].image}'
	[ "$output" = "1 $v2" ]
	k logs img --previous
	[ "$output" = v1 ]
}

@test "kubectl logs, logs -c, --tail, -f; describe shows events" {
	two_pod_yaml | kubectl apply -f - >/dev/null
	wait_for 30 bash -c "kubectl logs duo -c web 2>/dev/null | grep -q serving"
	k logs duo -c side
	[ "$output" = side ]
	k logs duo
	if kubectl_is_120; then
		# kubectl picks a default container only since 1.21
		[ "$status" -eq 1 ]
		[ "$stderr" = 'error: a container name must be specified for pod duo, choose one of: [web side]' ]
	else
		[ "$status" -eq 0 ]
		[ "$output" = serving ]
		[[ "$stderr" == *'Defaulted container "web"'* ]]
	fi
	k logs duo -c web --tail 1
	[ "$output" = serving ]
	run timeout 2 kubectl logs -f duo -c web
	[ "$status" -eq 124 ]
	[[ "$output" == serving* ]]
	k describe pod duo
	[ "$status" -eq 0 ]
	[[ "$output" == *"Started container web"* ]]
}

@test "kubectl: a quota refuses the second pod in a namespace with Kubernetes' message" {
	k create namespace limited
	[ "$output" = "namespace/limited created" ]
	cat >"$BATS_TEST_TMPDIR/quota.yaml" <<YAML
apiVersion: v1
kind: ResourceQuota
metadata:
  name: one
  namespace: limited
spec:
  hard:
    pods: "1"
YAML
	k apply -f "$BATS_TEST_TMPDIR/quota.yaml"
	[ "$status" -eq 0 ]
	k -n limited get resourcequota one -o yaml
	[[ "$output" == *$'status:\n  hard:\n    pods: "1"\n  used:\n    pods: "0"'* ]]
	two_pod_yaml | sed 's/name: duo/name: first/' | kubectl -n limited apply -f - >/dev/null
	k -n limited get resourcequota one -o yaml
	[[ "$output" == *$'  used:\n    pods: "1"'* ]]
	two_pod_yaml | sed 's/name: duo/name: second/' >"$BATS_TEST_TMPDIR/second.yaml"
	k -n limited apply -f "$BATS_TEST_TMPDIR/second.yaml"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'pods "second" is forbidden: exceeded quota: one, requested: pods=1, used: pods=1, limited: pods=1'* ]]
	k delete namespace limited
	[ "$status" -eq 0 ]
	k get ns limited
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'namespaces "limited" not found'* ]]
}

@test "kubectl delete pod waits until it is gone and leaves nothing" {
	two_pod_yaml | kubectl apply -f - >/dev/null
	wait_for 30 bash -c "kubectl get pod duo --no-headers | grep -q Running"
	k delete pod duo
	[ "$status" -eq 0 ]
	[ "$output" = 'pod "duo" deleted' ]
	k get pod duo
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'pods "duo" not found'* ]]
	[ -z "$(ls "$PODS" | grep -v lock)" ]
}

@test "kubectl get -w shows changes as they happen" {
	timeout 8 kubectl get pods -w >"$BATS_TEST_TMPDIR/w" 2>&1 &
	local w=$!
	sleep 1
	two_pod_yaml | kubectl apply -f - >/dev/null
	wait "$w" || true
	grep -q '^duo ' "$BATS_TEST_TMPDIR/w"
	grep -q 'Running' "$BATS_TEST_TMPDIR/w"
}

@test "kubectl get -w shows a liveness restart; describe shows the probe failure" {
	timeout 15 kubectl get pods -w >"$BATS_TEST_TMPDIR/w" 2>&1 &
	local w=$!
	sleep 1
	kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: sick
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: $POD_ROOTFS
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"]
    env: [{name: HUSK_TEST_TOKEN, value: "$TOKEN"}]
    livenessProbe:
      exec:
        command: ["sh", "-c", "echo not healthy; exit 1"]
      periodSeconds: 1
      failureThreshold: 1
YAML
	wait_for 30 bash -c "kubectl get pod sick -o jsonpath='{.status.containerStatuses[0].restartCount}' | grep -q '^[1-9]'"
	wait "$w" || true
	# the watch printed the pod again with a restart counted
	grep -Eq '^sick +(0|1)/1 +[A-Za-z]+ +[1-9]' "$BATS_TEST_TMPDIR/w"
	k describe pod sick
	[ "$status" -eq 0 ]
	[[ "$output" == *Unhealthy*"Liveness probe failed: not healthy"* ]]
	[[ "$output" == *Killing*"failed liveness probe"* ]]
}

@test "kubectl cp: a file into a container and back, through exec streams" {
	two_pod_yaml | kubectl apply -f - >/dev/null
	wait_for 30 bash -c "kubectl get pod duo --no-headers | grep -q '2/2 *Running'"
	head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/blob"
	k cp "$BATS_TEST_TMPDIR/blob" duo:/tmp/blob -c web
	[ "$status" -eq 0 ]
	k exec duo -c web -- md5sum /tmp/blob
	[ "${output%% *}" = "$(md5sum <"$BATS_TEST_TMPDIR/blob" | cut -d' ' -f1)" ]
	k cp duo:/tmp/blob "$BATS_TEST_TMPDIR/back" -c web
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/blob" "$BATS_TEST_TMPDIR/back"
	# the other container does not see it: its own root
	k exec duo -c side -- ls /tmp/blob
	[ "$status" -ne 0 ]
}
