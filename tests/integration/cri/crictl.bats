#!/usr/bin/env bats
# crictl against huskd's CRI socket, as a user would drive it: the pod
# sandbox and container lifecycle, exec, logs, images (pulled from a
# docker-registry on 127.0.0.1 the file starts), stats, info.

load ../helpers
load ../pod/pod_helpers
load ../huskd/huskd_helpers
load ../image/registry_helpers
load cri_helpers

setup_file() { registry_setup_file; }
teardown_file() { stop_pidfile "$BATS_FILE_TMPDIR/reg/registry.pid"; }

setup() { setup_cri; }
teardown() { teardown_cri; }

@test "crictl version and info: husk, CRI v1, runtime and network ready" {
	cri version
	[ "$status" -eq 0 ]
	[[ "$output" == *"RuntimeName:  husk"* ]]
	[[ "$output" == *"RuntimeApiVersion:  v1"* ]]
	cri info
	[ "$status" -eq 0 ]
	[ "$(jq -r '.status.conditions[] | select(.type=="RuntimeReady") | .status' <<<"$output")" = true ]
	[ "$(jq -r '.status.conditions[] | select(.type=="NetworkReady") | .status' <<<"$output")" = true ]
	ls -l "$CRI_SOCK" | grep -q '^srw-------'
}

@test "crictl runp, pods, inspectp, stopp, rmp" {
	pod_config web >"$BATS_TEST_TMPDIR/pod.json"
	cri runp "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -eq 0 ]
	sid=$output
	[[ "$sid" =~ ^[0-9a-f]{32}$ ]]
	cri pods --name web -q
	[ "$output" = "$sid" ]
	cri pods --label app=web -q
	[ "$output" = "$sid" ]
	cri pods --label app=other -q
	[ -z "$output" ]
	cri inspectp "$sid"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status.state <<<"$output")" = SANDBOX_READY ]
	[ "$(jq -r .status.metadata.name <<<"$output")" = web ]
	[ "$(jq -r .status.labels.app <<<"$output")" = web ]
	cri stopp "$sid"
	[ "$status" -eq 0 ]
	cri inspectp "$sid"
	[ "$(jq -r .status.state <<<"$output")" = SANDBOX_NOTREADY ]
	cri pods --state notready -q
	[ "$output" = "$sid" ]
	cri rmp "$sid"
	[ "$status" -eq 0 ]
	cri pods -q
	[ -z "$output" ]
	cri inspectp "$sid"
	[ "$status" -ne 0 ]
	[ ! -e "$PODS/$sid" ]
}

@test "crictl runp --runtime: husk is a handler, one huskd has no runtime for is refused" {
	pod_config h >"$BATS_TEST_TMPDIR/pod.json"
	cri runp --runtime nosuch "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"no runtime for \`nosuch\` is configured"* ]]
	cri pods -q
	[ -z "$output" ]
	cri runp --runtime husk "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -eq 0 ]
	cri inspectp -o go-template --template '{{.status.runtimeHandler}}' "$output"
	[ "$output" = husk ]
}

@test "crictl create, start, ps, inspect, exec, logs, stop, rm; hostname and DNS config" {
	pod_config app '.dns_config = {servers: ["10.9.8.7"], searches: ["svc.example"], options: ["ndots:5"]}' \
		>"$BATS_TEST_TMPDIR/pod.json"
	container_config main sh -c 'echo hello out; echo hello err >&2; exec sleep 100' >"$BATS_TEST_TMPDIR/c.json"
	cri runp "$BATS_TEST_TMPDIR/pod.json"
	sid=$output
	cri create "$sid" "$BATS_TEST_TMPDIR/c.json" "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -eq 0 ]
	cid=$output
	cri ps -a -q
	[ "$output" = "$cid" ]
	cri inspect "$cid"
	[ "$(jq -r .status.state <<<"$output")" = CONTAINER_CREATED ]
	cri start "$cid"
	[ "$status" -eq 0 ]
	cri ps --state running -q
	[ "$output" = "$cid" ]
	cri ps --label c=main --pod "$sid" -q
	[ "$output" = "$cid" ]
	cri inspect "$cid"
	[ "$(jq -r .status.state <<<"$output")" = CONTAINER_RUNNING ]
	[ "$(jq -r .status.metadata.name <<<"$output")" = main ]
	[ "$(jq -r .status.logPath <<<"$output")" = "$LOGDIR/main.log" ]
	[ "$(jq -r .status.image.image <<<"$output")" = "$POD_ROOTFS" ]
	cri exec -s "$cid" sh -c 'echo in $(hostname)'
	[ "$status" -eq 0 ]
	[ "$output" = "in app" ]
	cri exec -s "$cid" cat /etc/resolv.conf
	# containerd's order: search, nameservers, options
	[ "$output" = "$(printf 'search svc.example\nnameserver 10.9.8.7\noptions ndots:5')" ]
	# crictl 1.26 exits 1 and names the exit code
	cri exec -s "$cid" sh -c 'exit 3'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"exited with 3"* ]]
	wait_for 10 grep -q 'hello err' "$LOGDIR/main.log"
	grep -q '^[0-9T:.+Z-]* stdout F hello out$' "$LOGDIR/main.log"
	cri logs "$cid"
	[[ "$output" == *"hello out"* ]]
	[[ "$stderr" == *"hello err"* ]]
	cri stop --timeout 1 "$cid"
	[ "$status" -eq 0 ]
	cri inspect "$cid"
	[ "$(jq -r .status.state <<<"$output")" = CONTAINER_EXITED ]
	[ "$(jq -r .status.exitCode <<<"$output")" = 137 ] || [ "$(jq -r .status.exitCode <<<"$output")" = 143 ]
	[ "$(jq -r '.status.finishedAt' <<<"$output")" != "" ]
	cri rm "$cid"
	[ "$status" -eq 0 ]
	cri ps -a -q
	[ -z "$output" ]
}

@test "crictl: exit codes and reasons, a second attempt of one name" {
	pod_config job >"$BATS_TEST_TMPDIR/pod.json"
	container_config task sh -c 'exit 7' >"$BATS_TEST_TMPDIR/c.json"
	cri runp "$BATS_TEST_TMPDIR/pod.json"
	sid=$output
	cri create "$sid" "$BATS_TEST_TMPDIR/c.json" "$BATS_TEST_TMPDIR/pod.json"
	cid=$output
	cri start "$cid"
	wait_for 10 eval '[ "$(cri_quiet inspect "$cid" | jq -r .status.state)" = CONTAINER_EXITED ]'
	cri inspect "$cid"
	[ "$(jq -r .status.exitCode <<<"$output")" = 7 ]
	[ "$(jq -r .status.reason <<<"$output")" = Error ]
	jq '.metadata.attempt = 1 | .command = ["true"]' "$BATS_TEST_TMPDIR/c.json" >"$BATS_TEST_TMPDIR/c1.json"
	cri create "$sid" "$BATS_TEST_TMPDIR/c1.json" "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -eq 0 ]
	cid1=$output
	[ "$cid1" != "$cid" ]
	cri start "$cid1"
	wait_for 10 eval '[ "$(cri_quiet inspect "$cid1" | jq -r .status.reason)" = Completed ]'
	cri ps -a -q
	[ "${#lines[@]}" -eq 2 ]
}

@test "crictl: a huskd restart loses no sandbox, container or exit code" {
	pod_config keep >"$BATS_TEST_TMPDIR/pod.json"
	container_config done sh -c 'exit 5' >"$BATS_TEST_TMPDIR/c1.json"
	container_config live sleep 100 >"$BATS_TEST_TMPDIR/c2.json"
	cri runp "$BATS_TEST_TMPDIR/pod.json"
	sid=$output
	cri create "$sid" "$BATS_TEST_TMPDIR/c1.json" "$BATS_TEST_TMPDIR/pod.json"
	c1=$output
	cri create "$sid" "$BATS_TEST_TMPDIR/c2.json" "$BATS_TEST_TMPDIR/pod.json"
	c2=$output
	cri start "$c1"
	cri start "$c2"
	wait_for 10 eval '[ "$(cri_quiet inspect "$c1" | jq -r .status.state)" = CONTAINER_EXITED ]'
	kill -9 "$HUSKD_PID"
	wait "$HUSKD_PID" 2>/dev/null || true
	start_huskd --cri-socket "$CRI_SOCK"
	cri pods -q
	[ "$output" = "$sid" ]
	cri inspect "$c1"
	[ "$(jq -r .status.exitCode <<<"$output")" = 5 ]
	cri inspect "$c2"
	[ "$(jq -r .status.state <<<"$output")" = CONTAINER_RUNNING ]
	cri exec -s "$c2" echo still here
	[ "$output" = "still here" ]
}

@test "crictl exec --timeout, stats, images, rmi, imagefsinfo; unknown methods are UNIMPLEMENTED" {
	pod_config x >"$BATS_TEST_TMPDIR/pod.json"
	container_config c sleep 100 >"$BATS_TEST_TMPDIR/c.json"
	cri runp "$BATS_TEST_TMPDIR/pod.json"
	sid=$output
	cri create "$sid" "$BATS_TEST_TMPDIR/c.json" "$BATS_TEST_TMPDIR/pod.json"
	cid=$output
	cri start "$cid"
	start=$SECONDS
	cri exec -s --timeout 1 "$cid" sleep 30
	[ "$status" -ne 0 ]
	[ $((SECONDS - start)) -lt 10 ]
	# the timed-out command is gone too, not only the runtime's exec (critest checks)
	cri exec -s "$cid" ps -o args
	[[ "$output" != *"sleep 30"* ]]
	[[ "$output" != *"[sleep]"* ]]
	cri stats -o json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.stats[0].attributes.id' <<<"$output")" = "$cid" ]
	[ "$(jq -r '.stats[0].memory.workingSetBytes.value' <<<"$output")" -gt 0 ]
	cri statsp -o json
	[ "$status" -eq 0 ] || [[ "$stderr" == *"unknown command"* ]]
	cri pull "$POD_ROOTFS"
	[ "$status" -eq 0 ]
	cri images -o json
	[ "$(jq -r '.images[].repoTags[]' <<<"$output")" = "$POD_ROOTFS" ]
	cri inspecti "$POD_ROOTFS"
	[ "$status" -eq 0 ]
	cri imagefsinfo
	[ "$status" -eq 0 ]
	cri pull "$REG/library/nosuch:1"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"$REG/library/nosuch:1"* ]]
	cri rmi "$POD_ROOTFS"
	[ "$status" -eq 0 ]
	cri images -o json
	[ "$(jq '.images | length' <<<"$output")" = 0 ]
	cri checkpoint "$cid" 2>/dev/null || true
	cri checkpoint --export "$BATS_TEST_TMPDIR/x.tar" "$cid"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Unimplemented"* ]] || [[ "$stderr" == *"unknown method"* ]]
}

@test "crictl pull from a registry, images, a container of it, rmi" {
	cri pull "$REG/library/busybox:latest"
	[ "$status" -eq 0 ]
	[[ "$output" == "Image is up to date for sha256:"* ]]
	cri images -o json
	[ "$(jq -r '.images[].repoTags[]' <<<"$output")" = "$REG/library/busybox:latest" ]
	pod_config pulled >"$BATS_TEST_TMPDIR/pod.json"
	jq -n --arg img "$REG/library/busybox:latest" '{metadata: {name: "c"}, image: {image: $img},
		command: ["sh", "-c", "echo from-the-registry"], log_path: "c.log", linux: {}}' \
		>"$BATS_TEST_TMPDIR/c.json"
	cri runp "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -eq 0 ]
	local pod=$output
	cri create "$pod" "$BATS_TEST_TMPDIR/c.json" "$BATS_TEST_TMPDIR/pod.json"
	[ "$status" -eq 0 ]
	local cid=$output
	cri start "$cid"
	[ "$status" -eq 0 ]
	retry 50 0.1 grep -q 'from-the-registry' "$LOGDIR/c.log"
	cri stopp "$pod"
	cri rmp "$pod"
	[ "$status" -eq 0 ]
	cri rmi "$REG/library/busybox:latest"
	[ "$status" -eq 0 ]
	cri images -o json
	[ "$(jq '.images | length' <<<"$output")" = 0 ]
}
