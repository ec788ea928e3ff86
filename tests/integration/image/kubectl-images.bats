#!/usr/bin/env bats
# Registry images in huskd's pods through kubectl: `image: busybox` with
# docker.io mirrored to a docker-registry on 127.0.0.1, imagePullPolicy,
# the kubelet's events and waiting reasons, status.imageID.  husk only.

load ../helpers
load ../pod/pod_helpers
load ../huskd/huskd_helpers
load ../huskd/kubectl_helpers
load registry_helpers

setup_file() {
	registry_setup_file
	cat >"$BATS_FILE_TMPDIR/registries.yaml" <<-EOF
		mirrors:
		  docker.io:
		    endpoint: ["http://$REG"]
	EOF
}

teardown_file() { stop_pidfile "$BATS_FILE_TMPDIR/reg/registry.pid"; }

setup() {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	export HUSKD_REGISTRY_CONFIG=$BATS_FILE_TMPDIR/registries.yaml
	huskd_kubeconfig
}
teardown() { teardown_huskd; }

container_waiting() { # POD REASON
	[ "$(pod_field "$1" '.status.containerStatuses[0].state.waiting.reason')" = "$2" ]
}

events_of() {
	k get events --field-selector "involvedObject.name=$1" -o json
	echo "$output" | jq -r '.items[] | .reason + ": " + .message'
}

@test "kubectl run x --image=busybox: pulled from the docker.io mirror, Running, imageID" {
	k run x --image=busybox -- sleep 1d
	[ "$status" -eq 0 ]
	wait_for 60 phase_is x Running || fail "not running: $(pod_field x .status)"
	local id
	id=$(pod_field x '.status.containerStatuses[0].imageID')
	[[ "$id" == docker.io/library/busybox@sha256:* ]]
	[ "$(pod_field x .spec.containers[0].imagePullPolicy)" = Always ]
	run events_of x
	[[ "$output" == *'Pulling: Pulling image "busybox"'* ]]
	[[ "$output" == *'Pulled: Successfully pulled image "busybox" in '*'s'* ]]
	k exec x -- cat /etc/passwd
	[ "$status" -eq 0 ]
	[[ "$output" == root:* ]]
}

@test "kubectl: an image no registry has is ErrImagePull, then ImagePullBackOff" {
	k run y --image=nosuch/thing:1.0 --image-pull-policy=IfNotPresent -- sleep 1d
	[ "$status" -eq 0 ]
	wait_for 30 container_waiting y ErrImagePull || fail "$(pod_field y .status)"
	wait_for 30 container_waiting y ImagePullBackOff || fail "$(pod_field y .status)"
	run events_of y
	[[ "$output" == *'Failed: Failed to pull image "nosuch/thing:1.0"'* ]]
	[[ "$output" == *'Failed: Error: ErrImagePull'* ]]
	[[ "$output" == *'BackOff: Back-off pulling image "nosuch/thing:1.0"'* ]]
	[ "$(pod_field y .status.phase)" = Pending ]
}

@test "kubectl: imagePullPolicy Never with an absent image is ErrImageNeverPull" {
	k run z --image=busybox:absent --image-pull-policy=Never -- sleep 1d
	[ "$status" -eq 0 ]
	wait_for 30 container_waiting z ErrImageNeverPull || fail "$(pod_field z .status)"
	[[ "$(pod_field z '.status.containerStatuses[0].state.waiting.message')" == *'is not present with pull policy of Never'* ]]
}
