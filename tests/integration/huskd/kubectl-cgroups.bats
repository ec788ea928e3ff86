#!/usr/bin/env bats
# Pods' cgroups placed by QoS class as kubelet's cgroupfs driver places
# them: <parent>/kubepods/pod<uid> (Guaranteed), .../kubepods/burstable/
# pod<uid>, .../kubepods/besteffort/pod<uid>, the containers inside; and
# nothing of it left once the pods are deleted, with an absolute and a
# relative --cgroup-parent.  Pods made with kubectl over TLS; what the
# containers' own /proc/self/cgroup says is what is checked.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers

setup() {
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	huskd_kubeconfig
}
teardown() { teardown_huskd; }

qos_pods_yaml() {
	local res
	for p in guaranteed:'{limits: {cpu: 100m, memory: 64Mi}}' burstable:'{requests: {memory: 32Mi}}' besteffort:'{}'; do
		res=${p#*:}
		cat <<YAML
---
apiVersion: v1
kind: Pod
metadata: {name: ${p%%:*}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: $POD_ROOTFS
    command: ["sh", "-c", "cat /proc/self/cgroup; sleep 1000"]
    resources: $res
    env: [{name: HUSK_TEST_TOKEN, value: "$TOKEN"}]
YAML
	done
}

# The memory line of a pod's container's /proc/self/cgroup: its path.
container_memory_cgroup() {
	k logs "$1"
	sed -n 's/^[0-9]*:memory://p' <<<"$output"
}

pods_in_place() {
	local where=$1 name uid cg want
	for name in guaranteed burstable besteffort; do
		uid=$(pod_field "$name" .metadata.uid)
		case $name in
		guaranteed) want=kubepods/pod$uid ;;
		*) want=kubepods/$name/pod$uid ;;
		esac
		cg=$(container_memory_cgroup "$name")
		# the container's cgroup is "<pod cgroup>/<container id>"
		[[ "$cg" == "$where/$want/"* ]] || fail "$name: $cg is not under $where/$want"
		[ -d "/sys/fs/cgroup/memory$where/$want" ] || fail "no /sys/fs/cgroup/memory$where/$want"
		# a CPU limit alone is the request too (Kubernetes' defaulting):
		# 100m is 102 shares, for the container and the pod
		if [ "$name" = guaranteed ] && [ -d /sys/fs/cgroup/cpu ]; then
			[ "$(cat "/sys/fs/cgroup/cpu$cg/cpu.shares")" = 102 ] || fail "container cpu.shares"
			[ "$(cat "/sys/fs/cgroup/cpu$where/$want/cpu.shares")" = 102 ] || fail "pod cpu.shares"
		fi
	done
}

round_trip() {
	local parent=$1 where=$2
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	CGPARENT=$parent
	start_huskd --listen "127.0.0.1:$TLS_PORT"
	qos_pods_yaml >"$BATS_TEST_TMPDIR/pods.yaml"
	k apply -f "$BATS_TEST_TMPDIR/pods.yaml"
	[ "$status" -eq 0 ]
	for name in guaranteed burstable besteffort; do
		wait_for 30 phase_is "$name" Running || fail "$name: $(pod_field "$name" .status)"
	done
	[ "$(pod_field guaranteed .status.qosClass)" = Guaranteed ]
	[ "$(pod_field burstable .status.qosClass)" = Burstable ]
	[ "$(pod_field besteffort .status.qosClass)" = BestEffort ]
	wait_for 10 pods_in_place "$where"
	k delete -f "$BATS_TEST_TMPDIR/pods.yaml" --wait=true --timeout=30s
	[ "$status" -eq 0 ]
	wait_for 20 no_pods_left
	# in every hierarchy, the pods' and the kubepods levels are gone
	run find /sys/fs/cgroup -type d -path "*$TOKEN*" -path '*/kubepods*'
	[ -z "$output" ] || fail "left: $output"
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	run find /sys/fs/cgroup -type d -path "*$TOKEN*"
	[ -z "$output" ] || fail "left: $output"
	start_huskd --listen "127.0.0.1:$TLS_PORT"
}

@test "kubectl: pods by QoS class under an absolute --cgroup-parent, nothing left after delete" {
	round_trip "/husk-abs-$TOKEN" "/husk-abs-$TOKEN"
}

@test "kubectl: pods by QoS class under a relative --cgroup-parent, nothing left after delete" {
	local own
	own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
	# huskd runs in this shell's cgroup: relative paths resolve there
	round_trip "husk-rel-$TOKEN" "${own%/}/husk-rel-$TOKEN"
}
