#!/usr/bin/env bats
# Issue 12 through the real kubectl against huskd's TLS listener: server
# dry runs of every verb and kind change nothing, `kubectl delete` returns
# as soon as the pod is gone (its watch from the list's resourceVersion
# gets the DELETED event), `kubectl debug` gets a NotFound it can read,
# and bad quantities are refused with the API server's words.
# kubectl-safety-1.20.bats is this file under another name: the same
# scenarios with Debian's kubectl 1.20 (kubectl_helpers.bash).

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers


setup() {
	if kubectl_is_120; then
		ensure_old_kubectl
		export PATH=${KUBECTL_OLD%/kubectl}:$PATH
		[[ "$(kubectl version --client --short 2>/dev/null)" == *v1.20.* ]] || skip "no kubectl 1.20"
	fi
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	huskd_kubeconfig
}
teardown() { teardown_huskd; }


revision() { curl -s --unix-socket "$SOCK" http://huskd/api/v1/pods | jq -r .metadata.resourceVersion; }

pod_yaml() {
	cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
  labels:
    app: $1
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: $POD_ROOTFS
    command: ["sleep", "1000"]
    env: [{name: HUSK_TEST_TOKEN, value: "$TOKEN"}]
YAML
}

objects_yaml() {
	cat <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $1
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: q$1
  namespace: default
spec:
  hard:
    pods: "10"
---
apiVersion: v1
kind: LimitRange
metadata:
  name: lr$1
  namespace: default
spec:
  limits:
  - type: Container
    max:
      cpu: "4"
YAML
}

@test "kubectl --dry-run=server: create, apply, patch, label, annotate, delete of every kind change nothing" {
	pod_yaml keep | kubectl apply -f - >/dev/null
	objects_yaml real | kubectl apply -f - >/dev/null
	wait_for 30 bash -c "kubectl get pod keep --no-headers | grep -q Running"
	local rv cid
	cid=$(kubectl get pod keep -o jsonpath='{.status.containerStatuses[0].containerID}')
	sleep 1
	rv=$(revision)

	k create --dry-run=server -f - <<<"$(pod_yaml dry)"
	[ "$status" -eq 0 ]
	[ "$output" = 'pod/dry created (server dry run)' ]
	k apply --dry-run=server -f - <<<"$(pod_yaml dry2)"
	[ "$output" = 'pod/dry2 created (server dry run)' ]
	k create --dry-run=server -f - <<<"$(objects_yaml drynew)"
	[ "$status" -eq 0 ]
	[[ "$output" == *'namespace/drynew created (server dry run)'* ]]
	[[ "$output" == *'resourcequota/qdrynew created (server dry run)'* ]]
	[[ "$output" == *'limitrange/lrdrynew created (server dry run)'* ]]
	k create namespace dryns --dry-run=server
	[ "$output" = 'namespace/dryns created (server dry run)' ]
	k create quota dryq --hard=pods=3 --dry-run=server
	[ "$output" = 'resourcequota/dryq created (server dry run)' ]
	# existing objects: apply with a change, patch, label, annotate
	pod_yaml keep | sed 's/app: keep/app: changed/' | kubectl apply --dry-run=server -f - >"$BATS_TEST_TMPDIR/out" 2>&1
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = 'pod/keep configured (server dry run)' ]
	objects_yaml real | sed 's/pods: "10"/pods: "20"/; s/cpu: "4"/cpu: "8"/' | sed '/^kind: Namespace/,/^---/s/name: real/name: real\n  labels: {dry: "yes"}/' |
		kubectl apply --dry-run=server -f - >"$BATS_TEST_TMPDIR/out" 2>&1
	cat "$BATS_TEST_TMPDIR/out" >&2
	grep -q 'namespace/real configured (server dry run)' "$BATS_TEST_TMPDIR/out"
	grep -q 'resourcequota/qreal configured (server dry run)' "$BATS_TEST_TMPDIR/out"
	grep -q 'limitrange/lrreal configured (server dry run)' "$BATS_TEST_TMPDIR/out"
	# kubectl patch does not say "(server dry run)"; the object is checked below
	k patch pod keep --dry-run=server -p '{"metadata":{"labels":{"patched":"yes"}}}'
	[ "$status" -eq 0 ]
	[[ "$output" == 'pod/keep patched'* ]]
	k patch pod keep --dry-run=server --type=json -p '[{"op":"add","path":"/metadata/labels/j","value":"1"}]'
	[[ "$output" == 'pod/keep patched'* ]]
	k patch quota qreal --dry-run=server --type=merge -p '{"spec":{"hard":{"pods":"30"}}}'
	[[ "$output" == 'resourcequota/qreal patched'* ]]
	for obj in pod/keep namespace/real resourcequota/qreal limitrange/lrreal; do
		k label "$obj" dry=yes --dry-run=server
		[ "$status" -eq 0 ]
		[[ "$output" == "$obj labeled"* ]] # 1.20 does not add "(server dry run)"
		k annotate "$obj" dry=yes --dry-run=server
		[[ "$output" == "$obj annotated"* ]]
	done
	k delete pod keep --dry-run=server
	[ "$status" -eq 0 ]
	[ "$output" = 'pod "keep" deleted (server dry run)' ]
	k delete namespace real --dry-run=server
	[ "$output" = 'namespace "real" deleted (server dry run)' ]
	k delete resourcequota qreal --dry-run=server
	[ "$output" = 'resourcequota "qreal" deleted (server dry run)' ]
	k delete limitrange lrreal --dry-run=server
	[ "$output" = 'limitrange "lrreal" deleted (server dry run)' ]
	k delete -f - --dry-run=server <<<"$(pod_yaml keep)"
	[ "$output" = 'pod "keep" deleted (server dry run)' ]
	sleep 2
	# nothing changed anywhere
	[ "$(revision)" = "$rv" ]
	k get pod keep -o json
	[ "$(jq -c .metadata.labels <<<"$output")" = '{"app":"keep"}' ]
	[ "$(jq -r '[.metadata.deletionTimestamp, .status.containerStatuses[0].containerID, .status.containerStatuses[0].restartCount, .status.phase] | map(tostring) | join(" ")' <<<"$output")" = "null $cid 0 Running" ]
	k get ns real -o jsonpath='{.status.phase} {.metadata.labels.dry}'
	[ "$output" = "Active " ]
	k get quota qreal -o jsonpath='{.spec.hard.pods}'
	[ "$output" = 10 ]
	k get limitrange lrreal -o jsonpath='{.spec.limits[0].max.cpu}'
	[ "$output" = 4 ]
	for missing in pod/dry pod/dry2 namespace/drynew namespace/dryns resourcequota/dryq resourcequota/qdrynew limitrange/lrdrynew; do
		k get "$missing"
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"not found"* ]]
	done
}

@test "kubectl delete pod returns within 2 s of the pod's disappearance" {
	pod_yaml gone | kubectl apply -f - >/dev/null
	wait_for 30 bash -c "kubectl get pod gone --no-headers | grep -q Running"
	local start=$EPOCHREALTIME gone_at=""
	timeout 60 kubectl delete pod gone >"$BATS_TEST_TMPDIR/del" 2>&1 &
	local del=$!
	while kill -0 "$del" 2>/dev/null && [ -z "$gone_at" ]; do
		[ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://huskd/api/v1/namespaces/default/pods/gone)" = 404 ] &&
			gone_at=$EPOCHREALTIME
		sleep 0.05
	done
	wait "$del"
	local end=$EPOCHREALTIME
	[ "$(cat "$BATS_TEST_TMPDIR/del")" = 'pod "gone" deleted' ]
	[ -n "$gone_at" ] || gone_at=$end
	echo "delete took $(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }') s, $(awk -v a="$gone_at" -v b="$end" 'BEGIN { print b - a }') s after the pod was gone" >&2
	awk -v a="$gone_at" -v b="$end" 'BEGIN { exit !(b - a < 2) }'
}

@test "kubectl debug reads the NotFound of a missing ephemeralcontainers subresource instead of panicking" {
	pod_yaml target | kubectl apply -f - >/dev/null
	k debug target --image=busybox -c debugger -- true
	[ "$status" -ne 0 ]
	[[ "$stderr" != *panic* ]]
	[[ "$stderr" == *"ephemeral containers are disabled for this cluster"* ]]
	k debug missing --image=busybox -- true
	[ "$status" -ne 0 ]
	[[ "$stderr" != *panic* ]]
	[[ "$stderr" == *'pods "missing" not found'* ]]
}

@test "kubectl: quantities that are not quantities are refused, nothing is stored" {
	cat >"$BATS_TEST_TMPDIR/bad.yaml" <<YAML
apiVersion: v1
kind: ResourceQuota
metadata:
  name: bad
spec:
  hard:
    pods: "1x1"
YAML
	k apply -f "$BATS_TEST_TMPDIR/bad.yaml"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"ResourceQuota in version \"v1\" cannot be handled as a ResourceQuota: quantities must match the regular expression"* ]]
	cat >"$BATS_TEST_TMPDIR/neg.yaml" <<YAML
apiVersion: v1
kind: LimitRange
metadata:
  name: neg
spec:
  limits:
  - type: Container
    max:
      cpu: "-1e999"
YAML
	k apply -f "$BATS_TEST_TMPDIR/neg.yaml"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'LimitRange "neg" is invalid: spec.limits[0].max[cpu]: Invalid value: "-1e999": must be greater than or equal to 0'* ]]
	pod_yaml qq | sed 's/    command:/    resources: {limits: {memory: "12QQ"}}\n    command:/' >"$BATS_TEST_TMPDIR/qq.yaml"
	k apply -f "$BATS_TEST_TMPDIR/qq.yaml"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"quantities must match the regular expression"* ]]
	k get quota,limitrange,pods -o name
	[ -z "$output" ]
}
