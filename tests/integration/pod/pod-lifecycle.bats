#!/usr/bin/env bats
# A pod's containers over their life: exits recorded by the holder alone,
# CRI logs, stop with a grace period, removal, and failed creations that
# leave nothing behind.

load ../helpers
load pod_helpers

setup() {
	setup_pod_env
}

teardown() {
	teardown_pod_env
}

one_container_pod() { # NAME COMMAND-JSON [EXTRA-SPEC-JSON]
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "$1"},
 "spec": {${3:+$3,} "containers": [{"name": "main", "image": "@ROOTFS@", "command": $2}]}}
EOF_POD
}

@test "pod: an exit is recorded by the holder with no husk command running" {
	one_container_pod exiter '["sh", "-c", "sleep 1; exit 7"]'
	pod_up
	exit_file=$PODS/$SID/containers/$SID-main-0/exit
	[ ! -e "$exit_file" ]
	# No husk-pod and no daemon runs while the container exits.
	sleep 2.5
	[ -e "$exit_file" ]
	grep -qx 'exit_code=7' "$exit_file"
	pod status "$SID-main-0"
	echo "$output" | jq -e '.state == "exited" and .exitCode == 7 and .reason == "Error"'
	echo "$output" | jq -e '.finishedAt > .startedAt and .startedAt >= .createdAt'
}

@test "pod: a container killed by a signal is recorded with it" {
	one_container_pod killed '["sleep", "1000"]'
	pod_up
	pod status "$SID-main-0"
	pid=$(echo "$output" | jq -r .pid)
	kill -9 "$pid"
	wait_exited "$SID-main-0"
	[ "$output" = 137 ]
	pod status "$SID-main-0"
	echo "$output" | jq -e '.signal == 9'
}

@test "pod: logs hold both streams in the CRI format" {
	one_container_pod logger '["sh", "-c", "echo out1; echo err1 >&2; printf partial; sleep 0.2; echo \" rest\""]'
	pod_up
	wait_exited "$SID-main-0"
	pod logs "$SID-main-0"
	[ "$status" -eq 0 ]
	re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z (stdout|stderr) [PF] '
	for l in "${lines[@]}"; do
		[[ "$l" =~ $re ]] || fail "not a CRI log line: $l"
	done
	[[ "$output" == *" stdout F out1"* ]]
	[[ "$output" == *" stderr F err1"* ]]
	[[ "$output" == *" stdout F partial rest"* ]]
}

@test "pod: logs are rotated at the size limit" {
	POD_FLAGS+=(--log-max-bytes 4096)
	one_container_pod rotator '["sh", "-c", "seq 1 2000"]'
	pod_up
	wait_exited "$SID-main-0"
	log=$PODS/$SID/containers/$SID-main-0/container.log
	[ -e "$log.1" ]
	[ "$(stat -c %s "$log")" -le 4096 ]
	pod logs "$SID-main-0"
	[[ "$output" == *" stdout F 2000"* ]]
}

@test "pod: stop sends SIGTERM, then SIGKILL after the grace period" {
	one_container_pod stopper '["sh", "-c", "trap \"exit 3\" TERM; while true; do sleep 0.1; done"]'
	pod_up
	pod stop -t 5 "$SID-main-0"
	[ "$status" -eq 0 ]
	wait_exited "$SID-main-0"
	[ "$output" = 3 ]

	one_container_pod stubborn '["sh", "-c", "trap \"\" TERM; while true; do sleep 0.1; done"]'
	pod_up
	start=$(date +%s)
	pod stop -t 1 "$SID-main-0"
	[ "$status" -eq 0 ]
	[ $(($(date +%s) - start)) -ge 1 ]
	wait_exited "$SID-main-0"
	[ "$output" = 137 ]
}

two_stubborn_pod() {
	write_pod "$POD_FILE" <<'EOF_POD'
{"kind": "Pod", "metadata": {"name": "stubborn2"},
 "spec": {"containers": [
  {"name": "a", "image": "@ROOTFS@", "command": ["sh", "-c", "trap \"\" TERM; while true; do sleep 0.1; done"]},
  {"name": "b", "image": "@ROOTFS@", "command": ["sh", "-c", "trap \"\" TERM; while true; do sleep 0.1; done"]}]}}
EOF_POD
}

@test "pod: containers of one pod stop in parallel" {
	two_stubborn_pod
	pod_up
	start=$(date +%s%N)
	"$HUSK_POD_BIN" "${POD_FLAGS[@]}" stop -t 3 "$SID-a-0" &
	a=$!
	"$HUSK_POD_BIN" "${POD_FLAGS[@]}" stop -t 3 "$SID-b-0" &
	b=$!
	wait "$a"
	wait "$b"
	elapsed=$((($(date +%s%N) - start) / 1000000))
	echo "two parallel stops: $elapsed ms" >&2
	[ "$elapsed" -ge 3000 ]
	[ "$elapsed" -lt 5500 ]
	for c in a b; do
		wait_exited "$SID-$c-0"
		[ "$output" = 137 ]
	done
	# A whole pod: one grace period for all its containers.
	two_stubborn_pod
	pod_up
	start=$(date +%s%N)
	pod stop -t 3 "$SID"
	[ "$status" -eq 0 ]
	elapsed=$((($(date +%s%N) - start) / 1000000))
	echo "pod stop: $elapsed ms" >&2
	[ "$elapsed" -ge 3000 ]
	[ "$elapsed" -lt 5500 ]
	pod status "$SID-b-0"
	echo "$output" | jq -e '.state == "exited" and .exitCode == 137'
}

@test "pod: stopping the pod stops its containers, then the holder" {
	one_container_pod stopall '["sleep", "1000"]'
	pod_up
	holder=$(cat "$PODS/$SID/holder.pid")
	pod stop -t 1 "$SID"
	[ "$status" -eq 0 ]
	pod status "$SID"
	echo "$output" | jq -e '.state == "notready"'
	[ ! -d "/proc/$holder" ] || grep -q '^State:.*Z' "/proc/$holder/status"
	pod status "$SID-main-0"
	echo "$output" | jq -e '.state == "exited"'
}

@test "pod: init containers run in order before the containers" {
	write_pod "$POD_FILE" <<'EOF_POD'
{"kind": "Pod", "metadata": {"name": "inits"},
 "spec": {"volumes": [{"name": "w", "emptyDir": {}}],
  "initContainers": [
   {"name": "first", "image": "@ROOTFS@", "command": ["sh", "-c", "echo 1 >> /w/order"],
    "volumeMounts": [{"name": "w", "mountPath": "/w"}]},
   {"name": "second", "image": "@ROOTFS@", "command": ["sh", "-c", "echo 2 >> /w/order"],
    "volumeMounts": [{"name": "w", "mountPath": "/w"}]}],
  "containers": [{"name": "main", "image": "@ROOTFS@", "command": ["sleep", "1000"],
    "volumeMounts": [{"name": "w", "mountPath": "/w"}]}]}}
EOF_POD
	pod_up
	pod exec "$SID-main-0" cat /w/order
	[ "$output" = "$(printf '1\n2')" ]
}

@test "pod: shareProcessNamespace puts the containers in one PID namespace" {
	write_pod "$POD_FILE" <<'EOF_POD'
{"kind": "Pod", "metadata": {"name": "pidns"},
 "spec": {"shareProcessNamespace": true,
  "containers": [{"name": "a", "image": "@ROOTFS@", "command": ["sleep", "1001"]},
                 {"name": "b", "image": "@ROOTFS@", "command": ["sleep", "1002"]}]}}
EOF_POD
	pod_up
	pod exec "$SID-b-0" ps -o pid,args
	[[ "$output" == *"sleep 1001"* ]]
	[[ "$output" =~ [[:space:]]1[[:space:]] ]]
	pid1=$(cat "$PODS/$SID/pid1.pid")
	[ "$(cat /proc/$pid1/comm)" = "husk:[pod-pid1]" ]
}

@test "pod: securityContext sets the user, capabilities and a read-only rootfs" {
	one_container_pod secure '["sleep", "1000"]'
	jq '.spec.containers[0].securityContext = {"runAsUser": 1000, "runAsGroup": 1000,
		"readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}' \
		"$POD_FILE" >"$POD_FILE.new" && mv "$POD_FILE.new" "$POD_FILE"
	pod_up
	pod exec "$SID-main-0" id -u
	[ "$output" = 1000 ]
	pod exec "$SID-main-0" sh -c 'grep CapBnd /proc/self/status'
	[[ "$output" == *0000000000001000* ]]
	pod exec "$SID-main-0" touch /newfile
	[ "$status" -ne 0 ]
}

@test "pod: a pod removed leaves nothing behind" {
	one_container_pod leaves '["sleep", "1000"]'
	pod_up
	pod rm "$SID"
	[ "$status" -eq 0 ]
	[ ! -e "$PODS/$SID" ]
	check_pod_debris
	pod rm "$SID"
	[ "$status" -eq 0 ]
}

@test "pod: failed creations leave nothing behind" {
	one_container_pod noimage '["true"]'
	sed -i "s|$POD_ROOTFS|/nonexistent-$TOKEN|" "$POD_FILE"
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"/nonexistent-$TOKEN"* ]]
	check_pod_debris

	one_container_pod badvolume '["true"]' '"volumes": [{"name": "h", "hostPath": {"path": "/nonexistent-'"$TOKEN"'", "type": "Directory"}}]'
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"hostPath"* ]]
	check_pod_debris

	echo '{"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [' >"$POD_FILE"
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"pod.json"* ]]
	check_pod_debris

	one_container_pod nocommand '[]'
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"no command"* ]]
	check_pod_debris

	one_container_pod badcmd '["/no/such/binary"]'
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	check_pod_debris

	# A runtime the holder cannot exec is named as such.
	one_container_pod noruntime '["true"]'
	pod --runtime "/nonexistent-runtime-$TOKEN" up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"cannot run the runtime \`/nonexistent-runtime-$TOKEN\`"* ]]
	check_pod_debris
}

@test "pod: errors name the field of the Pod" {
	echo '{"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [{"name": "a"}]}}' >"$POD_FILE"
	pod run "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"spec.containers[0].image: required"* ]]
}

@test "pod: an updated image is used by the container's next attempt" {
	one_container_pod update '["sh", "-c", "cat /image-name 2>/dev/null || echo first; sleep 1000"]'
	pod_up
	retry 20 0.1 sh -c "grep -q first '$PODS/$SID/containers/$SID-main-0/container.log'"
	img2=$BATS_TEST_TMPDIR/image2
	cp -a "$POD_ROOTFS" "$img2"
	echo second >"$img2/image-name"
	# Anything but the image (and activeDeadlineSeconds, labels) is refused
	# and the stored description stays.
	jq '.spec.containers[0].command = ["true"]' "$POD_FILE" >"$BATS_TEST_TMPDIR/bad.json"
	pod update "$SID" "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"spec.containers: only \`image\` may change"* ]]
	jq '.spec.hostNetwork = true' "$POD_FILE" >"$BATS_TEST_TMPDIR/bad.json"
	pod update "$SID" "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -ne 0 ]
	jq -e --arg i "$POD_ROOTFS" '.spec.containers[0].image == $i and .spec.hostNetwork == null' "$PODS/$SID/pod.json"
	jq --arg i "$img2" '.spec.containers[0].image = $i | .spec.activeDeadlineSeconds = 600 |
		.metadata.labels = {"v": "2"}' "$POD_FILE" >"$BATS_TEST_TMPDIR/new.json"
	pod update "$SID" "$BATS_TEST_TMPDIR/new.json"
	[ "$status" -eq 0 ]
	jq -e --arg i "$img2" '.spec.containers[0].image == $i' "$PODS/$SID/pod.json"
	# The running attempt keeps its image; the next one gets the new one.
	pod exec "$SID-main-0" sh -c 'cat /image-name 2>/dev/null || echo first'
	[ "$output" = first ]
	pod stop -t 0 "$SID-main-0"
	pod create-container "$SID" main 1
	[ "$status" -eq 0 ]
	pod start "$SID-main-1"
	[ "$status" -eq 0 ]
	pod exec "$SID-main-1" cat /image-name
	[ "$output" = second ]
	pod status "$SID-main-1"
	echo "$output" | jq -e --arg i "$img2" '.image == $i'
}

@test "pod: a container killed for memory is reported OOMKilled" {
	one_container_pod oom '["sh", "-c", "x=$(head -c 400000000 /dev/zero | tr \"\\\\0\" a); echo survived"]'
	jq '.spec.containers[0].resources = {"limits": {"memory": "32Mi"}}' "$POD_FILE" >"$POD_FILE.new"
	mv "$POD_FILE.new" "$POD_FILE"
	pod_up
	wait_exited "$SID-main-0" 30
	[ "$output" = 137 ]
	pod status "$SID-main-0"
	echo "$output" | jq -e '.oomKilled == true and .reason == "OOMKilled" and .signal == 9'
	# The pod's cgroup holds the pod's limit: the sum of its containers'.
	# A memory limit alone is Burstable; a pod without a uid is named by
	# its sandbox id.
	[ "$(cat /sys/fs/cgroup/memory"$CGPARENT/kubepods/burstable/pod$SID"/memory.limit_in_bytes)" -eq $((32 << 20)) ]
}
