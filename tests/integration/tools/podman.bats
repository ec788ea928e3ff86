#!/usr/bin/env bats
# podman (through conmon, cgroupfs manager) with $HUSK as its OCI runtime.
# The same file passes with HUSK=runc: a difference is the runtime's.
#
# There is no registry here: the image is the test rootfs, `podman import`ed
# into a private storage.  This machine lacks CAP_SYS_RESOURCE, so podman's
# default RLIMIT_NOFILE/NPROC (above the hard limit) fail with every
# runtime: runs pass --ulimit, and the pod's infra container gets the same
# limits from a private containers.conf.

load ../helpers
load tools_helpers

IMAGE=localhost/husk-test:latest

setup_file() {
	require_commands podman conmon || return 0
	ensure_rootfs
	export PODMAN_TMP=$BATS_FILE_TMPDIR/podman
	mkdir -p "$PODMAN_TMP"
	cat >"$PODMAN_TMP/containers.conf" <<-CONF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PODMAN_TMP/events.log"
	CONF
	# the same without the ulimits: podman's own defaults
	grep -v default_ulimits "$PODMAN_TMP/containers.conf" >"$PODMAN_TMP/defaults.conf"
	tar -C "$ROOTFS_CACHE" -cf "$PODMAN_TMP/rootfs.tar" .
	pm import -q "$PODMAN_TMP/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${PODMAN_TMP:-}" ] || return 0
	pm rm -a -f -t 0 >/dev/null 2>&1
	pm pod rm -a -f >/dev/null 2>&1
	pm rmi -a -f >/dev/null 2>&1
	# overlay storage leaves its mounts until podman unmounts them
	pm system reset -f >/dev/null 2>&1 || true
	umount_under "$PODMAN_TMP"
	rm -rf "$PODMAN_TMP"
}

setup() {
	skip_without_prerequisites
}

# podman with a private storage, our runtime, and no network by default
pm() {
	CONTAINERS_CONF=${PM_CONF:-$PODMAN_TMP/containers.conf} podman \
		--root "$PODMAN_TMP/storage" --runroot "$PODMAN_TMP/run" \
		--tmpdir "$PODMAN_TMP/tmp" --runtime "$HUSK" "$@"
}

ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

prun() {
	run -0 --separate-stderr pm run --rm --network none "${ULIMITS[@]}" "$@"
}

@test "podman run: output and exit code" {
	prun "$IMAGE" echo hello from podman
	[ "$output" = "hello from podman" ]
	run pm run --rm --network none "${ULIMITS[@]}" "$IMAGE" sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "podman run -d, logs, inspect, stop honours SIGTERM" {
	run -0 pm run -d --name web --network none "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'trap "echo got TERM; exit 0" TERM; echo started; while :; do sleep 0.1; done'
	for _ in $(seq 50); do pm logs web 2>/dev/null | grep -q started && break; sleep 0.1; done
	run -0 pm inspect --format '{{.State.Status}} {{.State.Running}}' web
	[ "$output" = "running true" ]
	run -0 pm stop -t 10 web
	run -0 pm logs web
	[[ "$output" == *"got TERM"* ]]
	run -0 pm inspect --format '{{.State.ExitCode}}' web
	[ "$output" = "0" ]
	run -0 pm rm web
}

@test "podman stop: a process ignoring SIGTERM is killed after the timeout" {
	run -0 pm run -d --name stubborn --network none "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	SECONDS=0
	run -0 pm stop -t 1 stubborn
	[ "$SECONDS" -ge 1 ]
	[ "$SECONDS" -lt 10 ]
	run -0 pm inspect --format '{{.State.ExitCode}}' stubborn
	[ "$output" = "137" ]
	run -0 pm rm stubborn
}

@test "podman exec: plain and -t, exit codes" {
	run -0 pm run -d --name box --network none "${ULIMITS[@]}" "$IMAGE" sleep 100
	run -0 pm exec box cat /etc/hostname
	run pm exec box sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run -0 pm exec -t box tty
	[[ "$output" == /dev/pts/* ]]
	run -0 pm rm -f -t 0 box
}

@test "podman run -it: an interactive terminal" {
	command -v script >/dev/null || skip "needs script(1) for a pty"
	local cmd="CONTAINERS_CONF=$PODMAN_TMP/containers.conf podman --root $PODMAN_TMP/storage --runroot $PODMAN_TMP/run --tmpdir $PODMAN_TMP/tmp --runtime $HUSK run -it --rm --network none ${ULIMITS[*]} $IMAGE sh -c 'tty; echo cols=\$(stty size)'"
	# stdin stays open (an immediate EOF would race the container's output)
	run -0 script -qec "$cmd" /dev/null < <(sleep 20)
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *"cols="* ]]
}

@test "podman kill, pause and unpause, top" {
	run -0 pm run -d --name k --network none "${ULIMITS[@]}" "$IMAGE" sleep 100
	run -0 pm pause k
	run -0 pm inspect --format '{{.State.Status}}' k
	[ "$output" = "paused" ]
	run -0 pm unpause k
	run -0 pm inspect --format '{{.State.Status}}' k
	[ "$output" = "running" ]
	run -0 pm top k
	[[ "$output" == *"sleep 100"* ]]
	run -0 pm kill k
	run -0 pm wait k
	[ "$output" = "137" ]
	run -0 pm rm k
}

@test "podman limits are visible inside: --memory, --pids-limit, --cpus" {
	requires cgroups_v1
	prun --memory 64m --pids-limit 42 --cpus 0.5 "$IMAGE" sh -c \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us'
	[ "${lines[0]}" = "67108864" ]
	[ "${lines[1]}" = "42" ]
	[ "${lines[2]}" = "50000" ]
	[ "${lines[3]}" = "100000" ]
}

@test "podman --read-only, --user, --hostname, -v" {
	prun --read-only "$IMAGE" sh -c 'touch /x 2>&1; echo rc=$?'
	[[ "$output" == *"Read-only file system"* ]]
	prun --user 1000:1000 "$IMAGE" id -u
	[ "$output" = "1000" ]
	prun --hostname podhost "$IMAGE" hostname
	[ "$output" = "podhost" ]
	mkdir -p "$BATS_TEST_TMPDIR/vol"
	echo from-host >"$BATS_TEST_TMPDIR/vol/f"
	prun -v "$BATS_TEST_TMPDIR/vol:/data" "$IMAGE" sh -c 'cat /data/f; echo from-ctr > /data/g'
	[ "$output" = "from-host" ]
	[ "$(cat "$BATS_TEST_TMPDIR/vol/g")" = "from-ctr" ]
	prun -v "$BATS_TEST_TMPDIR/vol:/data:ro" "$IMAGE" sh -c 'touch /data/h 2>&1; echo rc=$?'
	[[ "$output" == *"Read-only file system"* ]]
}

@test "podman --cap-add / --cap-drop change the process's capabilities" {
	prun --cap-drop all "$IMAGE" sh -c 'grep CapEff /proc/self/status'
	[[ "$output" == *"0000000000000000"* ]]
	prun --cap-drop all --cap-add NET_ADMIN "$IMAGE" sh -c 'grep CapEff /proc/self/status'
	[[ "$output" == *"0000000000001000"* ]]
}

@test "podman --security-opt seccomp: a profile denying mkdir" {
	cat >"$BATS_TEST_TMPDIR/seccomp.json" <<-'JSON'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
	JSON
	run pm run --rm --network none "${ULIMITS[@]}" --security-opt seccomp="$BATS_TEST_TMPDIR/seccomp.json" \
		"$IMAGE" mkdir /tmp/d
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	prun --security-opt seccomp="$BATS_TEST_TMPDIR/seccomp.json" "$IMAGE" sh -c 'grep Seccomp: /proc/self/status'
	[[ "$output" =~ ^Seccomp:[[:space:]]+2$ ]]
}

@test "podman pod: containers share the pod's network and hostname" {
	run -0 pm pod create --name pod1 --hostname podname
	run -0 pm run -d --pod pod1 --name server "${ULIMITS[@]}" "$IMAGE" nc -l -p 8080 -e echo served
	run -0 pm run --rm --pod pod1 "${ULIMITS[@]}" "$IMAGE" sh -c 'hostname; for i in 1 2 3 4 5 6 7 8 9 10; do nc 127.0.0.1 8080 </dev/null && break; sleep 0.2; done'
	[ "${lines[0]}" = "podname" ]
	[[ "$output" == *served* ]]
	run -0 pm pod rm -f pod1
}

@test "podman pod --network none: two containers of the pod talk over 127.0.0.1" {
	# no network: podman leaves making the pod's network namespace to the
	# runtime, which must bring its lo up (as runc and crun do)
	run -0 pm pod create --name pod-lo --network none
	run -0 pm run -d --pod pod-lo --name web "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'mkdir -p /www && echo served-over-lo >/www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'
	run -0 pm run --rm --pod pod-lo "${ULIMITS[@]}" "$IMAGE" \
		sh -c 'ip -o link show lo; for i in $(seq 20); do wget -qO- http://127.0.0.1:8080/ && break; sleep 0.2; done'
	[[ "$output" == *"lo: <LOOPBACK,UP"* ]]
	[[ "$output" == *served-over-lo* ]]
	run -0 pm pod rm -f pod-lo
}

@test "podman: the rlimit podman asks for by default fails with a clear error" {
	[ "$(ulimit -Hn)" -lt 1048576 ] || skip "this machine can raise RLIMIT_NOFILE"
	PM_CONF=$PODMAN_TMP/defaults.conf run pm run --rm --network none "$IMAGE" true
	[ "$status" -ne 0 ]
	# runc: "error setting rlimit type 7: operation not permitted"
	[[ "$output" == *rlimit* || "$output" == *RLIMIT* ]]
	if is_husk; then
		[[ "$output" == *"RLIMIT_NOFILE"* ]]
		[[ "$output" == *"Operation not permitted"* ]]
	fi
}
