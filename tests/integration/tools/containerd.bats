#!/usr/bin/env bats
# containerd's runc shim (io.containerd.runc.v2) with BinaryName = $HUSK,
# driven by ctr against a containerd started privately for this file (its
# own root, state and socket).  Passes with HUSK=runc too.
#
# The image is an OCI archive built from the test rootfs and imported with
# `ctr image import`: there is no registry here.

load ../helpers
load tools_helpers

IMAGE=localhost/husk-test:latest

setup_file() {
	require_commands containerd ctr || return 0
	ensure_rootfs
	export CTD=$BATS_FILE_TMPDIR/containerd
	mkdir -p "$CTD"
	containerd_base_config >"$CTD/config.toml"
	start_containerd
	"$REPO_ROOT/tests/fixtures/make-oci-archive.sh" "$ROOTFS_CACHE" "$CTD/image.tar" "$IMAGE"
	c image import "$CTD/image.tar" >/dev/null
}

teardown_file() {
	[ -n "${CTD:-}" ] || return 0
	stop_containerd husk-tests
}

setup() {
	skip_without_prerequisites
}

c() {
	ctr -a "$CTD/containerd.sock" -n husk-tests "$@"
}

crun_ctr() { # ctr run with our runtime binary
	c run --runc-binary "$HUSK" "$@"
}

@test "ctr run: output and exit code" {
	run -0 crun_ctr --rm "$IMAGE" r1 echo hello from containerd
	[ "$output" = "hello from containerd" ]
	run crun_ctr --rm "$IMAGE" r2 sh -c 'exit 5'
	[ "$status" -eq 5 ]
}

@test "ctr: a detached task, exec, kill and delete" {
	# pid 1 ignores signals it has no handler for: trap TERM
	run -0 crun_ctr -d "$IMAGE" d1 sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	run -0 c task ls
	[[ "$output" =~ d1[[:space:]]+[0-9]+[[:space:]]+RUNNING ]]
	run -0 c task exec --exec-id e1 d1 sh -c 'echo in-task; cat /proc/1/cmdline | tr "\0" " "'
	[[ "$output" == *"in-task"* ]]
	[[ "$output" == *"trap"* ]]
	run c task exec --exec-id e2 d1 sh -c 'exit 4'
	[ "$status" -eq 4 ]
	run -0 c task kill -s TERM d1
	for _ in $(seq 50); do
		c task ls | grep -q 'd1.*STOPPED' && break
		sleep 0.1
	done
	run -0 c task ls
	[[ "$output" =~ d1[[:space:]]+[0-9]+[[:space:]]+STOPPED ]]
	run -0 c task rm d1
	run -0 c container rm d1
	run -0 c task ls -q
	[ -z "$output" ]
}

@test "ctr: pause and resume a task" {
	run -0 crun_ctr -d "$IMAGE" p1 sh -c 'while :; do date +%s%N > /tmp/tick; sleep 0.05; done'
	run -0 c task pause p1
	run -0 c task ls
	[[ "$output" =~ p1[[:space:]]+[0-9]+[[:space:]]+PAUSED ]]
	run -0 c task resume p1
	run -0 c task ls
	[[ "$output" =~ p1[[:space:]]+[0-9]+[[:space:]]+RUNNING ]]
	run -0 c task exec --exec-id e1 p1 cat /tmp/tick
	run -0 c task kill -s KILL p1
	sleep 0.3
	run -0 c task rm -f p1
	run -0 c container rm p1
}

@test "ctr: --memory-limit is the container's cgroup limit, seen inside" {
	requires cgroups_v1
	run -0 crun_ctr --rm --memory-limit 67108864 \
		--mount type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro \
		"$IMAGE" m1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	[ "$output" = "67108864" ]
}

@test "ctr: a process exceeding its memory limit is OOM killed" {
	requires cgroups_v1
	run crun_ctr --rm --memory-limit 33554432 "$IMAGE" m2 \
		sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -ne 0 ]
	[[ "$output" != *survived* ]]
}
