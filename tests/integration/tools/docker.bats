#!/usr/bin/env bats
# Docker 20.10 (Debian's docker.io: /usr/bin/docker, /usr/sbin/dockerd) with
# $HUSK registered as its default runtime, driven through what Docker users
# do.  The same file passes with HUSK=runc: a difference is the runtime's.
#
# dockerd is private to this file: its own data-root, exec-root, socket,
# pidfile, key file, cgroup parent and containerd (dockerd starts one under
# its exec-root when given none), no bridge, no iptables, no userland proxy.
# There is no registry here: the image is the test rootfs `docker import`ed.

load ../helpers
load tools_helpers

IMAGE=husk-test:latest
DOCKER=/usr/bin/docker # /usr/local/bin/docker is a newer client
DOCKERD=/usr/sbin/dockerd

setup_file() {
	require_commands "$DOCKER" "$DOCKERD" || return 0
	ensure_rootfs
	export DK=$BATS_FILE_TMPDIR/docker
	# a name without the binary's: dockerd reserves "runc"
	export DK_RUNTIME=under-test
	export DK_PARENT=husk-docker-$$
	mkdir -p "$DK"
	# dockerd makes /run/docker/plugins whatever its exec-root
	[ -e /run/docker ] || touch "$DK/made-run-docker"
	# dockerd 20.10 writes its trust key to /etc/docker/key.json unless told
	cat >"$DK/daemon.json" <<-JSON
		{"deprecated-key-path": "$DK/key.json"}
	JSON
	"$DOCKERD" --config-file "$DK/daemon.json" \
		--data-root "$DK/data" --exec-root "$DK/exec" --pidfile "$DK/docker.pid" \
		-H "unix://$DK/docker.sock" \
		--bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$DK_PARENT" \
		--add-runtime "$DK_RUNTIME=$HUSK" --default-runtime "$DK_RUNTIME" \
		>"$DK/dockerd.log" 2>&1 &
	echo $! >"$DK/launcher.pid"
	for _ in $(seq 150); do
		dk version >/dev/null 2>&1 && break
		sleep 0.2
	done
	dk version >/dev/null || fail "dockerd does not answer (log: $DK/dockerd.log)"
	tar -C "$ROOTFS_CACHE" -cf "$DK/rootfs.tar" .
	dk import "$DK/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${DK:-}" ] || return 0
	local pid ctd c
	if [ -S "$DK/docker.sock" ]; then
		for c in $(dk ps -aq 2>/dev/null); do dk rm -f "$c" >/dev/null 2>&1; done
	fi
	ctd=$(cat "$DK/exec/containerd/containerd.pid" 2>/dev/null)
	pid=$(cat "$DK/launcher.pid" 2>/dev/null)
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		# dockerd stops its containerd before it exits
		for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	# its containerd, if it outlived dockerd
	[ -z "$ctd" ] || kill -9 "$ctd" 2>/dev/null
	umount_under "$DK"
	for c in /sys/fs/cgroup/*/"$DK_PARENT" /sys/fs/cgroup/*/"$DK_PARENT"/*; do
		[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	if [ -e "$DK/made-run-docker" ]; then
		rmdir /run/docker/plugins /run/docker 2>/dev/null
	fi
	rm -rf "$DK"
}

setup() {
	skip_without_prerequisites
}

# docker against our dockerd, bounded: a hung daemon fails the test
dk() {
	timeout -k 5 "${DK_TIMEOUT:-60}" "$DOCKER" -H "unix://$DK/docker.sock" "$@"
}

drun() {
	run -0 --separate-stderr dk run --rm "$@"
}

# wait_for SECONDS CMD...: retries CMD every 0.1s until it succeeds
wait_for() {
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}

state_is() { # state_is NAME STATUS
	[ "$(dk inspect -f '{{.State.Status}}' "$1")" = "$2" ]
}

@test "docker: the runtime under test is the default runtime" {
	run -0 dk info --format '{{.DefaultRuntime}}'
	[ "$output" = "$DK_RUNTIME" ]
	run -0 dk run -d --name which "$IMAGE" sleep 100
	run -0 dk inspect -f '{{.HostConfig.Runtime}}' which
	[ "$output" = "$DK_RUNTIME" ]
	# the binary under test made it: it reads its own state (dockerd's
	# runtime root is runtime-runc for every runc-compatible runtime)
	id=$(dk inspect -f '{{.Id}}' which)
	run -0 "$HUSK" --root "$DK/exec/runtime-runc/moby" state "$id"
	[ "$(jq -r .status <<<"$output")" = running ]
	run -0 dk rm -f which
}

@test "docker run: output and exit codes" {
	drun "$IMAGE" echo hello from docker
	[ "$output" = "hello from docker" ]
	run dk run --rm "$IMAGE" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	# what the runtime says decides these codes: 127 not found, 126 not executable
	run -127 dk run --rm "$IMAGE" no-such-command
	run -127 dk run --rm "$IMAGE" /no/such/file
	run -126 dk run --rm "$IMAGE" /etc/passwd
}

@test "docker run: the environment, HOME from /etc/passwd, workdir, hostname" {
	drun -e FOO=bar -w /tmp --hostname dockhost "$IMAGE" sh -c 'echo $FOO; pwd; hostname; echo $HOME'
	[ "${lines[0]}" = "bar" ]
	[ "${lines[1]}" = "/tmp" ]
	[ "${lines[2]}" = "dockhost" ]
	[ "${lines[3]}" = "/root" ]
	drun --user 1000 "$IMAGE" sh -c 'echo $HOME'
	[ "$output" = "/home/user" ]
	drun -e HOME=/elsewhere --user 1000 "$IMAGE" sh -c 'echo $HOME'
	[ "$output" = "/elsewhere" ]
}

@test "docker run -d, logs, stop honours SIGTERM, kill" {
	run -0 dk run -d --name web "$IMAGE" \
		sh -c 'trap "echo got TERM; exit 0" TERM; echo started; while :; do sleep 0.1; done'
	wait_for 10 sh -c "timeout 30 $DOCKER -H unix://$DK/docker.sock logs web | grep -q started"
	run -0 dk inspect -f '{{.State.Status}} {{.State.Running}}' web
	[ "$output" = "running true" ]
	run -0 dk stop -t 10 web
	run -0 dk logs web
	[[ "$output" == *"got TERM"* ]]
	run -0 dk inspect -f '{{.State.ExitCode}}' web
	[ "$output" = "0" ]
	# a process ignoring TERM is killed after the timeout
	run -0 dk run -d --name stubborn "$IMAGE" sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	SECONDS=0
	run -0 dk stop -t 1 stubborn
	[ "$SECONDS" -lt 15 ]
	run -0 dk inspect -f '{{.State.ExitCode}}' stubborn
	[ "$output" = "137" ]
	run -0 dk start stubborn
	run -0 dk kill -s USR1 stubborn
	sleep 0.3
	state_is stubborn running
	run -0 dk kill stubborn
	run -0 dk wait stubborn
	[ "$output" = "137" ]
	run -0 dk rm web stubborn
}

@test "docker exec: plain, exit codes, --user, -w, -e, -t and -it" {
	run -0 dk run -d --name box -e KEEP=1 "$IMAGE" sleep 100
	run -0 dk exec box cat /etc/hostname
	run dk exec box sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run dk exec box no-such-command
	[ "$status" -eq 126 ] || [ "$status" -eq 127 ]
	run -0 dk exec --user 1000 -w /tmp box sh -c 'id -u; pwd; echo $HOME'
	[ "${lines[0]}" = "1000" ]
	[ "${lines[1]}" = "/tmp" ]
	[ "${lines[2]}" = "/home/user" ]
	run -0 dk exec -e KEEP=2 -e NEW=3 box sh -c 'echo $KEEP $NEW; env | grep -c ^KEEP='
	[ "${lines[0]}" = "2 3" ]
	[ "${lines[1]}" = "1" ]
	run -0 dk exec -t box tty
	[[ "$output" == /dev/pts/* ]]
	local cmd="timeout --foreground 30 $DOCKER -H unix://$DK/docker.sock exec -it box sh -c 'tty; stty size; echo in=\$(head -n1)'"
	run -0 timeout -k 5 60 script -qec "$cmd" /dev/null < <(echo typed; sleep 5)
	[[ "$output" == *"/dev/pts/"* ]]
	[[ "$output" == *"in=typed"* ]]
	run -0 dk rm -f box
}

@test "docker: kill(0) in a container leaves containerd-shim alone" {
	# the container's processes lead their own process group, not the shim's
	run -0 dk run -d --name k0 "$IMAGE" sh -c 'sleep 0.5; kill -KILL 0; sleep 100'
	# the exec'd shell kills its own group: itself
	run -137 dk exec k0 sh -c 'kill -KILL 0'
	sleep 2
	state_is k0 running
	run -0 dk exec k0 true
	run -0 dk rm -f k0
}

@test "docker run -it: an interactive terminal" {
	local cmd="timeout --foreground 30 $DOCKER -H unix://$DK/docker.sock run -it --rm $IMAGE sh -c 'tty; echo cols=\$(stty size)'"
	# stdin stays open (an immediate EOF would race the container's output)
	run -0 timeout -k 5 60 script -qec "$cmd" /dev/null < <(sleep 20)
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *"cols="* ]]
}

@test "docker pause and unpause, top" {
	run -0 dk run -d --name pp "$IMAGE" sh -c 'while :; do date +%s%N > /tmp/tick; sleep 0.05; done'
	run -0 dk pause pp
	state_is pp paused
	a=$(dk cp pp:/tmp/tick - | tar -xO)
	sleep 0.3
	b=$(dk cp pp:/tmp/tick - | tar -xO)
	[ "$a" = "$b" ]
	run -0 dk unpause pp
	state_is pp running
	run -0 dk top pp
	[[ "$output" == *"sleep"* || "$output" == *"while"* ]]
	run -0 dk rm -f pp
}

@test "docker --memory, --pids-limit, --cpus are the container's cgroup limits" {
	requires cgroups_v1
	drun --memory 64m --pids-limit 42 --cpus 0.5 "$IMAGE" sh -c \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us'
	[ "${lines[0]}" = "67108864" ]
	[ "${lines[1]}" = "42" ]
	[ "${lines[2]}" = "50000" ]
	[ "${lines[3]}" = "100000" ]
	drun --cpu-shares 512 --memory-reservation 32m "$IMAGE" sh -c \
		'cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/memory/memory.soft_limit_in_bytes'
	[ "${lines[0]}" = "512" ]
	[ "${lines[1]}" = "33554432" ]
}

@test "docker --memory: a process above the limit is OOM killed and docker says so" {
	requires cgroups_v1
	run dk run --name oom --memory 32m "$IMAGE" \
		sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -eq 137 ]
	[[ "$output" != *survived* ]]
	run -0 dk inspect -f '{{.State.OOMKilled}}' oom
	[ "$output" = "true" ]
	run -0 dk rm oom
}

@test "docker --pids-limit: fork fails at the limit" {
	run dk run --rm --pids-limit 5 "$IMAGE" sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; echo all forked'
	[[ "$output" == *"can't fork: Resource temporarily unavailable"* ]]
	[[ "$output" != *"all forked"* ]]
	drun --pids-limit 20 "$IMAGE" sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; echo all forked'
	[ "$output" = "all forked" ]
}

@test "docker --read-only, volumes, --tmpfs" {
	run dk run --rm --read-only "$IMAGE" touch /x
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	drun --read-only --tmpfs /scratch "$IMAGE" sh -c 'touch /scratch/x && echo ok'
	[ "$output" = "ok" ]
	mkdir -p "$BATS_TEST_TMPDIR/vol"
	echo from-host >"$BATS_TEST_TMPDIR/vol/f"
	drun -v "$BATS_TEST_TMPDIR/vol:/data" "$IMAGE" sh -c 'cat /data/f; echo from-ctr > /data/g'
	[ "$output" = "from-host" ]
	[ "$(cat "$BATS_TEST_TMPDIR/vol/g")" = "from-ctr" ]
	run dk run --rm -v "$BATS_TEST_TMPDIR/vol:/data:ro" "$IMAGE" touch /data/h
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	# a named volume outlives its container
	drun -v named:/v "$IMAGE" sh -c 'echo kept > /v/k'
	drun -v named:/v "$IMAGE" cat /v/k
	[ "$output" = "kept" ]
	run -0 dk volume rm named
}

@test "docker --cap-drop / --cap-add change the process's capabilities" {
	drun --cap-drop all "$IMAGE" grep CapEff /proc/self/status
	[[ "$output" == *"0000000000000000"* ]]
	drun --cap-drop all --cap-add NET_ADMIN "$IMAGE" grep CapEff /proc/self/status
	[[ "$output" == *"0000000000001000"* ]]
	drun --cap-drop CHOWN "$IMAGE" sh -c 'chown 1000 /tmp 2>&1; echo rc=$?'
	[[ "$output" == *"rc=1"* ]]
	drun --cap-add SYS_ADMIN "$IMAGE" sh -c 'mount -t tmpfs t /tmp && echo mounted'
	[ "$output" = "mounted" ]
}

@test "docker --user: uid, gid and supplementary groups" {
	drun --user 1000:1000 "$IMAGE" id
	[[ "$output" == "uid=1000(user) gid=1000(user)"* ]]
	drun --user 1000 --group-add 44 "$IMAGE" id -G
	[[ " $output " == *" 44 "* ]]
	drun --user nobody "$IMAGE" id -u
	[ "$output" = "65534" ]
}

@test "docker --init: docker-init is pid 1 and reaps" {
	# dockerd looks for docker-init in PATH (Debian: tini's, through docker.io)
	command -v docker-init >/dev/null || skip "docker-init is not installed (apt-get install tini)"
	drun --init "$IMAGE" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	[[ "$output" == *docker-init* || "$output" == *tini* ]]
	# the command is pid 1's child and gets the signal
	run -0 dk run -d --init --name initc "$IMAGE" sh -c 'trap "exit 9" TERM; while :; do sleep 0.1; done'
	run -0 dk stop -t 10 initc
	run -0 dk inspect -f '{{.State.ExitCode}}' initc
	[ "$output" = "9" ]
	run -0 dk rm initc
}

@test "docker --ulimit, --shm-size, --device, --sysctl" {
	drun --ulimit nofile=512:1024 "$IMAGE" sh -c 'ulimit -n; ulimit -Hn'
	[ "${lines[0]}" = "512" ]
	[ "${lines[1]}" = "1024" ]
	drun --shm-size 16m "$IMAGE" sh -c 'df -k /dev/shm | tail -1'
	[[ "$output" == *" 16384 "* ]]
	drun --device /dev/zero:/dev/myzero "$IMAGE" sh -c 'head -c 4 /dev/myzero | od -An -tx1; ls -l /dev/myzero'
	[[ "${lines[0]}" == *"00 00 00 00"* ]]
	[[ "${lines[1]}" == c* ]]
	# a device node the container may not open
	run dk run --rm "$IMAGE" sh -c 'mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	drun --sysctl net.ipv4.ip_forward=1 "$IMAGE" cat /proc/sys/net/ipv4/ip_forward
	[ "$output" = "1" ]
}

@test "docker seccomp: the default profile, unconfined, a custom one; no-new-privileges" {
	drun "$IMAGE" grep Seccomp: /proc/self/status
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]]
	# the default profile denies what an unconfined container may do
	run dk run --rm "$IMAGE" unshare -U true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	drun --security-opt seccomp=unconfined "$IMAGE" grep Seccomp: /proc/self/status
	[[ "$output" =~ Seccomp:[[:space:]]+0 ]]
	drun --security-opt seccomp=unconfined "$IMAGE" unshare -U true
	cat >"$BATS_TEST_TMPDIR/seccomp.json" <<-'JSON'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
	JSON
	run dk run --rm --security-opt seccomp="$BATS_TEST_TMPDIR/seccomp.json" "$IMAGE" mkdir /tmp/d
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	drun --security-opt no-new-privileges "$IMAGE" grep NoNewPrivs: /proc/self/status
	[[ "$output" =~ NoNewPrivs:[[:space:]]+1 ]]
	drun "$IMAGE" grep NoNewPrivs: /proc/self/status
	[[ "$output" =~ NoNewPrivs:[[:space:]]+0 ]]
}

@test "docker update: new limits on a running container" {
	requires cgroups_v1
	run -0 dk run -d --name up --memory 64m --pids-limit 50 "$IMAGE" sleep 100
	run -0 dk update --memory 128m --memory-swap 256m --pids-limit 60 --cpus 0.25 up
	run -0 dk exec up sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us'
	[ "${lines[0]}" = "134217728" ]
	[ "${lines[1]}" = "60" ]
	[ "${lines[2]}" = "25000" ]
	run -0 dk inspect -f '{{.HostConfig.Memory}}' up
	[ "$output" = "134217728" ]
	run -0 dk rm -f up
}

@test "docker --restart: on-failure retries up to its count, always restarts until stopped" {
	run -0 dk run -d --name rf --restart on-failure:2 "$IMAGE" sh -c 'exit 3'
	wait_for 30 sh -c "[ \"\$(timeout 30 $DOCKER -H unix://$DK/docker.sock inspect -f '{{.RestartCount}} {{.State.Status}}' rf)\" = '2 exited' ]"
	run -0 dk inspect -f '{{.State.ExitCode}}' rf
	[ "$output" = "3" ]
	run -0 dk run -d --name ra --restart always "$IMAGE" sh -c 'sleep 0.5; exit 0'
	wait_for 30 sh -c "[ \"\$(timeout 30 $DOCKER -H unix://$DK/docker.sock inspect -f '{{.RestartCount}}' ra)\" -ge 1 ]"
	run -0 dk stop -t 1 ra
	state_is ra exited
	run -0 dk rm -f rf ra
}

@test "docker cp: into and out of a running container" {
	run -0 dk run -d --name cpc "$IMAGE" sleep 100
	echo into >"$BATS_TEST_TMPDIR/in.txt"
	run -0 dk cp "$BATS_TEST_TMPDIR/in.txt" cpc:/tmp/in.txt
	run -0 dk exec cpc cat /tmp/in.txt
	[ "$output" = "into" ]
	run -0 dk exec cpc sh -c 'echo out > /tmp/out.txt'
	run -0 dk cp cpc:/tmp/out.txt "$BATS_TEST_TMPDIR/out.txt"
	[ "$(cat "$BATS_TEST_TMPDIR/out.txt")" = "out" ]
	run -0 dk rm -f cpc
}

@test "docker: host namespaces, and joining another container's (--pid/--network/--ipc container:)" {
	drun --pid host --network host --ipc host --uts host "$IMAGE" sh -c 'hostname; readlink /proc/self/ns/pid'
	[ "${lines[0]}" = "$(hostname)" ]
	[ "${lines[1]}" = "$(readlink /proc/self/ns/pid)" ]
	run -0 dk run -d --name base --ipc shareable "$IMAGE" sleep 100
	pid=$(dk inspect -f '{{.State.Pid}}' base)
	drun --pid container:base --network container:base --ipc container:base "$IMAGE" sh -c \
		'for n in pid net ipc; do readlink /proc/self/ns/$n; done; ps -o comm | grep -c sleep'
	[ "${lines[0]}" = "$(readlink /proc/$pid/ns/pid)" ]
	[ "${lines[1]}" = "$(readlink /proc/$pid/ns/net)" ]
	[ "${lines[2]}" = "$(readlink /proc/$pid/ns/ipc)" ]
	[ "${lines[3]}" = "1" ]
	drun --cgroupns private "$IMAGE" readlink /proc/self/ns/cgroup
	[ "$output" != "$(readlink /proc/self/ns/cgroup)" ]
	run -0 dk rm -f base
}

@test "docker: health checks (exec every second), commit (pauses), exec -d, stop-signal, restart" {
	run -0 dk run -d --name hc --health-cmd 'test -e /tmp/healthy' --health-interval 1s --health-retries 1 \
		--stop-signal USR1 "$IMAGE" sh -c 'trap "exit 11" USR1; while :; do sleep 0.1; done'
	wait_for 15 sh -c "[ \"\$(timeout 30 $DOCKER -H unix://$DK/docker.sock inspect -f '{{.State.Health.Status}}' hc)\" = unhealthy ]"
	run -0 dk exec -d hc touch /tmp/healthy
	wait_for 15 sh -c "[ \"\$(timeout 30 $DOCKER -H unix://$DK/docker.sock inspect -f '{{.State.Health.Status}}' hc)\" = healthy ]"
	run -0 dk commit hc husk-committed:1
	run -0 dk run --rm husk-committed:1 test -e /tmp/healthy
	run -0 dk rmi husk-committed:1
	run -0 dk stop -t 10 hc
	run -0 dk inspect -f '{{.State.ExitCode}}' hc
	[ "$output" = "11" ]
	run -0 dk restart -t 1 hc
	state_is hc running
	run -0 dk rm -f hc
}

@test "docker --privileged: every capability, every device, no seccomp" {
	# capset can grant only what the runtime itself holds: every runtime
	# fails here on a host whose root lacks some (this one: CAP_SYS_RESOURCE)
	local last bnd
	last=$(cat /proc/sys/kernel/cap_last_cap)
	bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
	[ "$((0x$bnd))" -eq "$(((1 << (last + 1)) - 1))" ] || skip "this host's root lacks capabilities (CapBnd $bnd)"
	drun --privileged "$IMAGE" sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; test -e /dev/mem && echo has-mem'
	[[ "$output" == *"Seccomp:"*0* ]]
	[[ "$output" == *has-mem* ]]
}

@test "docker rm: nothing is left of a container (cgroups, mounts, runtime state, processes)" {
	run -0 dk run -d --name gone --memory 64m "$IMAGE" sleep 100
	id=$(dk inspect -f '{{.Id}}' gone)
	run -0 dk exec gone true
	rootfs=$(dk inspect -f '{{.GraphDriver.Data.MergedDir}}' gone)
	ls -d /sys/fs/cgroup/memory/"$DK_PARENT/$id"
	grep -q " $rootfs " /proc/self/mountinfo
	run -0 dk rm -f gone
	run ls -d /sys/fs/cgroup/*/"$DK_PARENT/$id"
	[ "$status" -ne 0 ]
	run grep -e "$id" -e " $rootfs " /proc/self/mountinfo
	[ "$status" -ne 0 ]
	run find "$DK/exec" -name "$id"
	[ -z "$output" ]
	run pgrep -f "$id"
	[ "$status" -ne 0 ]
}
