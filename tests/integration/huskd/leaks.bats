#!/usr/bin/env bats
# What huskd must not keep: the debris of container restarts, the cgroups
# of a relative --cgroup-parent, events past their TTL or beyond the cap.
# Counted on the machine (mounts, cgroup directories, state directories)
# and through the API as a client sees it.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers

setup() { setup_huskd; }
teardown() { teardown_huskd; }

# Rootfs mounts, runtime states, container cgroups and container
# directories of the test's pods (a cgroup counts once, in whatever number
# of hierarchies).
count_rootfs_mounts() { grep -F "$PODS/" /proc/self/mountinfo | awk '{print $5}' | grep -c '/bundle/rootfs$'; }
count_runtime_states() { find "$RTROOT" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }
count_container_cgroups() { find /sys/fs/cgroup -type d -path "*$TOKEN*" -path '*/kubepods/*/pod*/*' -name '*-c-*' -printf '%f\n' 2>/dev/null | sort -u | wc -l; }
count_container_dirs() { find "$PODS" -mindepth 3 -maxdepth 3 -path '*/containers/*' -type d | wc -l; }

restarts_at_least() {
	[ "$(pod_field "$1" '.status.containerStatuses[0].restartCount')" -ge "$2" ]
}

@test "restarts keep one terminated attempt (status, logs) and remove the rest" {
	create_pod crash <<<'{"restartPolicy":"Always","terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","echo run-$(cat /proc/sys/kernel/random/uuid); exit 3"]}]}'
	# back-off 0, 10, 20 s: three restarts within ~35 s
	wait_for 60 restarts_at_least crash 3
	# each restart mounts, creates a runtime state and a cgroup; only the
	# current attempt may hold them, and only two directories remain
	[ "$(count_rootfs_mounts)" -le 1 ]
	[ "$(count_runtime_states)" -le 1 ]
	[ "$(count_container_cgroups)" -le 1 ]
	[ "$(count_container_dirs)" -le 2 ]
	# lastState and logs --previous still come from the retired attempt
	[ "$(pod_field crash '.status.containerStatuses[0].lastState.terminated.exitCode')" = 3 ]
	api GET '/api/v1/namespaces/default/pods/crash/log?previous=true'
	[ "$status" -eq 200 ]
	[[ "$output" == run-* ]]
	ctl logs crash --previous
	[ "$status" -eq 0 ]
	[[ "$output" == run-* ]]
}

no_pod_cgroups_left() {
	[ -z "$(find /sys/fs/cgroup -type d -path "*$TOKEN*" -path '*/kubepods*' 2>/dev/null)" ]
}

# cgroup_parent_round_trip PARENT: a pod under PARENT, deleted, leaves no
# pod cgroup; huskd stopped leaves no PARENT.
cgroup_parent_round_trip() {
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	CGPARENT=$1
	start_huskd
	create_pod cg <<<'{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 20 phase_is cg Running
	run find /sys/fs/cgroup -type d -path "*$TOKEN*" -path '*/kubepods/besteffort/pod*'
	[ -n "$output" ]
	api DELETE '/api/v1/namespaces/default/pods/cg?gracePeriodSeconds=1'
	wait_for 20 no_pods_left
	wait_for 10 no_pod_cgroups_left || {
		find /sys/fs/cgroup -type d -path "*$TOKEN*" >&2
		false
	}
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	run find /sys/fs/cgroup -type d -path "*$TOKEN*"
	[ -z "$output" ]
	start_huskd
}

@test "a relative --cgroup-parent: pod cgroups made and removed at the same place" {
	cgroup_parent_round_trip "husk-rel-$TOKEN"
}

@test "an absolute --cgroup-parent: pod cgroups made and removed" {
	cgroup_parent_round_trip "/husk-abs-$TOKEN"
}

pod_events() {
	curl -s --unix-socket "$SOCK" "http://huskd/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D$1" | jq '.items | length'
}

@test "--event-ttl: events expire after their last occurrence" {
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	start_huskd --event-ttl 2s
	create_pod ev <<<'{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 20 phase_is ev Running
	[ "$(pod_events ev)" -ge 4 ] # Scheduled, Pulled, Created, Started
	wait_for 10 bash -c "[ \"\$(curl -s --unix-socket $SOCK 'http://huskd/api/v1/namespaces/default/events' | jq '.items | length')\" = 0 ]"
	[ "$(phase_is ev Running && echo yes)" = yes ]
	run "$HUSKD_BIN" --socket "$BATS_TEST_TMPDIR/x.sock" --event-ttl 1x
	[ "$status" -ne 0 ]
	[[ "$output" == *"--event-ttl: invalid duration"* ]]
}
