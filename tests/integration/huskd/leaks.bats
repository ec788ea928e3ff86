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

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$HUSKD_PID/status"; }

# churn_configmaps FIRST LAST: creates and deletes ConfigMaps cmFIRST..cmLAST
# of 16 KiB each, over one keep-alive curl.
churn_configmaps() {
	local i cfg=$BATS_TEST_TMPDIR/churn.curl body=$BATS_TEST_TMPDIR/cm.json
	[ -f "$body" ] || jq -nc --arg v "$(head -c 12288 /dev/urandom | base64 -w0)" '{metadata: {name: "NAME"}, data: {v: $v}}' >"$body"
	: >"$cfg"
	for ((i = $1; i <= $2; i++)); do
		sed "s/NAME/cm$i/" "$body" >"$BATS_TEST_TMPDIR/cm$i.json"
		printf 'unix-socket = "%s"\nurl = "http://huskd/api/v1/namespaces/default/configmaps"\nrequest = "POST"\ndata = "@%s"\nheader = "Content-Type: application/json"\noutput = "/dev/null"\nnext\n' "$SOCK" "$BATS_TEST_TMPDIR/cm$i.json" >>"$cfg"
		printf 'unix-socket = "%s"\nurl = "http://huskd/api/v1/namespaces/default/configmaps/cm%d"\nrequest = "DELETE"\noutput = "/dev/null"\n' "$SOCK" "$i" >>"$cfg"
		[ "$i" = "$2" ] || echo next >>"$cfg"
	done
	curl -s -K "$cfg"
	rm -f "$BATS_TEST_TMPDIR"/cm[0-9]*.json
}

@test "the watch window is bounded in bytes: after 300 changes of 16 KiB objects huskd's RSS stays put" {
	# 512 changes kept as trees were 8 MB here; 256 KiB of JSON text now.
	# ASan's quarantine keeps freed memory mapped: RSS says nothing there
	! ldd "$HUSKD_BIN" 2>/dev/null | grep -q libasan || skip "huskd is a sanitizer build (its RSS includes ASan's quarantine)"
	churn_configmaps 1 40
	sleep 0.5
	local rss0 rss1 rv
	rss0=$(rss_kb)
	churn_configmaps 41 190
	sleep 0.5
	rss1=$(rss_kb)
	echo "huskd VmRSS ${rss0} kB -> ${rss1} kB" >&2
	[ "$((rss1 - rss0))" -lt 1024 ]
	# a recent version is still in the window: its changes are replayed
	rv=$(curl -s --unix-socket "$SOCK" http://huskd/api/v1/namespaces/default/configmaps | jq -r .metadata.resourceVersion)
	churn_configmaps 191 191
	run timeout 2 curl -sN --unix-socket "$SOCK" "http://huskd/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$rv"
	[ "$(jq -rs 'map(.type + " " + .object.metadata.name) | join(",")' <<<"$output")" = "ADDED cm191,DELETED cm191" ]
	[ "$(jq -rs '.[0].object.data.v | length' <<<"$output")" -gt 16000 ]
}
