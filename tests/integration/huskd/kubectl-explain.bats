#!/usr/bin/env bats
# kubectl explain and the unknown-field checks against huskd's OpenAPI
# documents (sandbox/huskd/openapi*.c, issue 15): Debian's kubectl 1.20
# reads /openapi/v2 (protobuf) and validates on its side; the newest
# kubectl reads /openapi/v3 and leaves unknown fields to the server
# (?fieldValidation=Strict).  The texts are Kubernetes' own (generated
# from its Go API types into sandbox/huskd/openapi/definitions.json).
# No pod runs: the pods of the apply tests use an image that is never
# pulled and are deleted at once.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers

# found once per file: newest_kubectl asks each kubectl its version
setup_file() {
	KUBECTL_NEW=${KUBECTL:-$(newest_kubectl)}
	export KUBECTL_NEW
}

# Few tests, each with many checks: starting and stopping huskd is most of
# a test's time.  The definitions.json test needs no huskd.
needs_huskd() { [[ "$BATS_TEST_DESCRIPTION" != definitions.json* ]]; }

setup() {
	needs_huskd || return 0
	[ -x "$KUBECTL_NEW" ] || skip "no kubectl"
	HUSKD_TLS=1 setup_huskd
	# a cache of its own: kubectl keeps discovery and OpenAPI under ~/.kube
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME"
}

teardown() { needs_huskd || return 0; teardown_huskd; }

# has TEXT: $output holds TEXT, whitespace (kubectl's wrapping) aside.
has() {
	local flat
	flat=$(tr -s ' \t\n' '   ' <<<"$output")
	[[ "$flat" == *"$1"* ]] || { echo "no '$1' in: $flat" >&2; return 1; }
}

@test "definitions.json is what gen-definitions.py writes from the Kubernetes Go sources" {
	local vendor=${HUSK_K8S_VENDOR:-${HUSK_CONFORMANCE_BUILD:-$TESTS_TMP/conformance}/cri-tools/vendor}
	[ -f "$vendor/k8s.io/api/core/v1/types.go" ] || skip "no vendored k8s.io/api at $vendor (cri-tools' vendor tree; set HUSK_K8S_VENDOR)"
	command -v python3 >/dev/null || skip "no python3"
	python3 "$REPO_ROOT/sandbox/huskd/openapi/gen-definitions.py" "$vendor" >"$BATS_TEST_TMPDIR/definitions.json"
	diff -u "$REPO_ROOT/sandbox/huskd/openapi/definitions.json" "$BATS_TEST_TMPDIR/definitions.json" >&2
}

@test "kubectl explain pod, pod.spec.containers[.resources.limits], configmap.data, --recursive pod.spec.securityContext, node.status, service.spec.ports (1.20, newest)" {
	for w in old new; do
		kx $w explain pod
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" =~ ^KIND:\ +Pod$ ]]
		[[ "${lines[1]}" =~ ^VERSION:\ +v1$ ]]
		has "DESCRIPTION: Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts."
		has "FIELDS:"
		if [ "$w" = old ]; then # 1.20 names no types
			has "spec <Object> Specification of the desired behavior of the pod."
			has "metadata <Object> Standard object's metadata."
		else
			has "spec <PodSpec> Specification of the desired behavior of the pod."
			has "metadata <ObjectMeta> Standard object's metadata."
		fi
	done
	kx old explain pod.spec.containers
	[ "$status" -eq 0 ]
	has "RESOURCE: containers <[]Object>"
	has "DESCRIPTION: List of containers belonging to the pod. Containers cannot currently be added or removed."
	has "A single application container that you want to run within a pod."
	has "name <string> -required- Name of the container specified as a DNS_LABEL."
	has "image <string> Container image name."
	has "resources <Object> Compute Resources required by this container."
	kx new explain pod.spec.containers
	[ "$status" -eq 0 ]
	has "FIELD: containers <[]Container>"
	has "name <string> -required- Name of the container specified as a DNS_LABEL."
	has "resources <ResourceRequirements> Compute Resources required by this container."
	# the newest kubectl reads the v2 protobuf too, when asked
	kx new explain pod.spec.containers --output=plaintext-openapiv2
	[ "$status" -eq 0 ]
	has "RESOURCE: containers <[]Object>"
	has "name <string> -required- Name of the container specified as a DNS_LABEL."
	kx old explain pod.spec.containers.resources.limits
	[ "$status" -eq 0 ]
	has "FIELD: limits <map[string]string>"
	has "DESCRIPTION: Limits describes the maximum amount of compute resources allowed."
	kx new explain pod.spec.containers.resources.limits
	[ "$status" -eq 0 ]
	has "FIELD: limits <map[string]Quantity>"
	has "DESCRIPTION: Limits describes the maximum amount of compute resources allowed."
	has "Quantity is a fixed-point representation of a number."
	for w in old new; do
		kx $w explain configmap.data
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" =~ ^KIND:\ +ConfigMap$ ]]
		has "FIELD: data <map[string]string>"
		has "DESCRIPTION: Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."
		kx $w explain --recursive pod.spec.securityContext
		[ "$status" -eq 0 ]
		has "PodSecurityContext holds pod-level security attributes and common container settings."
		has "runAsNonRoot <boolean>"
		has "runAsUser <integer>"
		if [ "$w" = old ]; then # 1.20's --recursive marks nothing required
			has "sysctls <[]Object> name <string> value <string>"
		else
			has "sysctls <[]Sysctl> name <string> -required- value <string> -required-"
		fi
		kx $w explain node.status
		[ "$status" -eq 0 ]
		has "Most recently observed status of the node."
		kx $w explain service.spec.ports
		[ "$status" -eq 0 ]
		has "The list of ports that are exposed by this service."
		kx $w explain pod.nosuchfield
		[ "$status" -ne 0 ]
		[[ "$stderr" == *'field "nosuchfield" does not exist'* ]]
	done
}

bad_pod_yaml() {
	cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  bogus: 1
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: no.such.registry.invalid/none
    imagePullPolicy: Never
    resources:
      limits:
        cpu: 1
        memory: 10Mi
YAML
}

@test "unknown fields as with kube: kubectl 1.20 refuses them on its side, the newest by the server's Strict; --validate=false" {
	bad_pod_yaml bad >"$BATS_TEST_TMPDIR/bad.yaml"
	kx old apply -f "$BATS_TEST_TMPDIR/bad.yaml"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'error validating data: ValidationError(Pod.spec): unknown field "bogus" in io.k8s.api.core.v1.PodSpec'* ]]
	kx new apply -f "$BATS_TEST_TMPDIR/bad.yaml"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'Error from server (BadRequest)'*'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.bogus"'* ]]
	api GET /api/v1/namespaces/default/pods/bad
	[ "$status" -eq 404 ]
	# the server's Strict, straight: each unknown field, with its path
	pod_json bad <<<'{"containers":[{"name":"main","image":"x","imagePullPolicy":"Never","nope":1}],"bogus":2}' >"$BATS_TEST_TMPDIR/bad.json"
	api POST '/api/v1/namespaces/default/pods?fieldValidation=Strict' -H 'Content-Type: application/json' -d @"$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 400 ]
	[[ "$output" == *'strict decoding error: unknown field \"spec.containers[0].nope\", unknown field \"spec.bogus\"'* ]]
	# --validate=false: 1.20 sends the pod and is warned (Warn, the
	# server's default); the newest asks Ignore
	bad_pod_yaml bad-old >"$BATS_TEST_TMPDIR/old.yaml"
	kx old create --validate=false -f "$BATS_TEST_TMPDIR/old.yaml"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *'Warning: unknown field "spec.bogus"'* ]]
	bad_pod_yaml bad-new >"$BATS_TEST_TMPDIR/new.yaml"
	kx new create --validate=false -f "$BATS_TEST_TMPDIR/new.yaml"
	[ "$status" -eq 0 ]
	[[ "$stderr" != *Warning* ]]
	kx new delete pod bad-old bad-new --wait=false
	[ "$status" -eq 0 ]
}

@test "kubectl apply twice (patches built from the served schemas, 1.20, newest); /openapi/v2, /openapi/v3, ETags and the v3 hash" {
	for w in old new; do
		cat >"$BATS_TEST_TMPDIR/cm.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-$w
  labels: {a: "1"}
data:
  one: "1"
YAML
		kx $w apply -f "$BATS_TEST_TMPDIR/cm.yaml"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		sed -i 's/one: "1"/two: "2"/' "$BATS_TEST_TMPDIR/cm.yaml"
		kx $w apply -f "$BATS_TEST_TMPDIR/cm.yaml"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		kx $w get configmap cm-$w -o 'jsonpath={.data}'
		[[ "$output" == *two* ]]
		[[ "$output" != *one* ]]
	done
	# the documents, their ETags, the v3 hash
	api GET /openapi/v2
	[ "$status" -eq 200 ]
	[ "$(jq -r .swagger <<<"$output")" = 2.0 ]
	[ "$(jq -r '.definitions["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"][0].kind' <<<"$output")" = Pod ]
	[ "$(jq -r '.definitions["io.k8s.api.core.v1.PodSpec"].properties.containers["x-kubernetes-patch-merge-key"]' <<<"$output")" = name ]
	api GET /openapi/v3
	[ "$status" -eq 200 ]
	local url
	url=$(jq -r '.paths["api/v1"].serverRelativeURL' <<<"$output")
	[[ "$url" =~ ^/openapi/v3/api/v1\?hash=[0-9a-f]{16}$ ]]
	api GET "$url"
	[ "$status" -eq 200 ]
	[ "$(jq -r '.components.schemas["io.k8s.api.core.v1.Pod"].properties.spec.allOf[0]["$ref"]' <<<"$output")" = "#/components/schemas/io.k8s.api.core.v1.PodSpec" ]
	local etag
	etag=$(curl -sfi --unix-socket "$SOCK" "http://huskd$url" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
	[ "$etag" = "\"${url##*hash=}\"" ]
}
