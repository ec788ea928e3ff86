#!/usr/bin/env bats
# Regression tests of runtime CVEs that ../security.bats does not already
# cover (it has: CVE-2019-5736 during exec, fds 0-2 for init and exec,
# cwd through /proc/self/fd, /proc maskedPaths after exec; ../errors.bats
# has tmpfs mounts through symlinks).

load ../helpers
load common

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "CVE-2024-21626: the container's cwd is not a host path" {
	set_args /bin/sh -c 'readlink /proc/self/cwd; readlink /proc/1/cwd; ls ../../../../ | sort'
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = / ]
	[ "${lines[1]}" = / ]
	# climbing from the cwd ends at the container's root, not the host's
	# (both have a bin: the whole listing must be the rootfs's)
	[ "$(printf '%s\n' "${lines[@]:2}")" = "$(ls "$BUNDLE/rootfs" | LC_ALL=C sort)" ]
	[[ "$output" != *"$(basename "$BATS_TEST_TMPDIR")"* ]]
}

@test "CVE-2024-21626: an exec'd process's cwd is not a host path" {
	run_detached
	husk exec "$CID" /bin/readlink /proc/self/cwd
	[ "$output" = / ]
	husk exec --cwd /tmp "$CID" /bin/readlink /proc/self/cwd
	[ "$output" = /tmp ]
	husk exec "$CID" /bin/sh -c 'cd ../../../..; ls /proc/self/root/ | grep -c husk-checker; ls -d /bin/husk-checker'
	[ "$status" -eq 0 ]
}

@test "CVE-2024-21626: with --preserve-fds only 0, 1, 2 and the preserved fds reach the container" {
	set_args /bin/husk-checker fds
	local out="$BATS_TEST_TMPDIR/fds.json"
	__husk run --preserve-fds 2 "$CID" 3</dev/null 4</dev/null </dev/null >"$out" 2>"$BATS_TEST_TMPDIR/err" ||
		fail "run failed: $(cat "$BATS_TEST_TMPDIR/err")"
	cat "$out" >&2
	jq -e '[.fds[].fd] == [0, 1, 2, 3, 4]' "$out"
	jq -e '[.fds[] | select(.fd >= 3) | .target] == ["/dev/null", "/dev/null"]' "$out"
}

@test "CVE-2024-21626: ls -l /proc/self/fd of an exec'd process shows only its own fds" {
	run_detached
	husk_stdout exec "$CID" /bin/sh -c 'ls /proc/self/fd'
	[ "$status" -eq 0 ]
	# ls itself holds fd 3 on the directory it reads
	[ "$(echo $output)" = "0 1 2 3" ]
	# the shell's own fds: its stdio (the caller's files) and nothing more
	husk_stdout exec "$CID" /bin/sh -c 'ls /proc/$$/fd; true'
	[ "$(echo $output)" = "0 1 2" ]
}

@test "mount through a symlink: a bind mount whose destination points outside lands inside the rootfs" {
	local outside="$BATS_TEST_TMPDIR/outside" src="$BATS_TEST_TMPDIR/src"
	mkdir "$outside" "$src"
	echo marker >"$src/marker"
	ln -s "$outside" "$BUNDLE/rootfs/evil"
	update_config ".mounts += [{\"destination\": \"/evil/sub\", \"type\": \"bind\", \"source\": \"$src\",
		\"options\": [\"bind\"]}]"
	set_args /bin/sh -c 'cat /evil/sub/marker'
	husk run "$CID"
	if [ "$status" -ne 0 ]; then
		if is_husk; then [[ "$output" == */evil* ]]; fi
	else
		[ "$output" = marker ]
	fi
	[ ! -e "$outside/sub" ] || fail "the mount point was created on the host: $outside/sub"
	! grep -qF "$outside" /proc/self/mountinfo || fail "a mount on the host's side: $outside"
	check_no_debris
}

@test "mount through a symlink: an absolute symlink to / resolves to the container's root" {
	ln -s / "$BUNDLE/rootfs/rootlink"
	update_config '.mounts += [{"destination": "/rootlink/tmp/inner", "type": "tmpfs", "source": "tmpfs"}]'
	set_args /bin/sh -c 'grep -c " /tmp/inner " /proc/self/mountinfo'
	husk run "$CID"
	if [ "$status" -eq 0 ]; then
		[ "$output" = 1 ]
	fi
	[ ! -e /tmp/inner ] || fail "created /tmp/inner on the host"
	check_no_debris
}

@test "maskedPaths: /sys/firmware stays masked and readonlyPaths stay read-only after exec" {
	[ -d /sys/firmware ] || skip "the host has no /sys/firmware"
	run_detached
	husk exec "$CID" /bin/sh -c 'ls /sys/firmware | wc -l'
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = 0 ]
	husk exec "$CID" /bin/sh -c 'echo 1 >/proc/sys/kernel/ns_last_pid'
	[ "$status" -ne 0 ]
	husk exec "$CID" /bin/sh -c 'grep " /proc/sys " /proc/self/mountinfo'
	[[ "$output" == *" ro,"* ]] || [[ "$output" == *" ro "* ]]
}

@test "maskedPaths: a masked file reads empty even through a new /proc mount attempt" {
	run_detached
	husk exec "$CID" /bin/sh -c 'mkdir -p /tmp/p && mount -t proc proc /tmp/p'
	# the container lacks CAP_SYS_ADMIN: no way around the masks
	[ "$status" -ne 0 ]
}

# CVE-2019-5736: a process of the container's pid namespace takes an O_PATH
# handle to the exe of a runtime process entering the container, and
# reopens it for writing once the runtime no longer runs it (ETXTBSY while
# it does).  The runtime runs from a private copy here, so a hole shows up
# as a changed copy, never a changed build.  The attacker holds
# CAP_SYS_PTRACE: PR_SET_DUMPABLE alone keeps out only those without it.
setup_exe_attack() {
	command -v gcc >/dev/null || skip "needs gcc"
	gcc -static -O2 -o "$BUNDLE/rootfs/bin/exe-grab" "$BATS_TEST_DIRNAME/exe-grab.c"
	cp "$HUSK" "$BATS_TEST_TMPDIR/runtime-copy"
	cp "$HUSK" "$BATS_TEST_TMPDIR/runtime-orig"
	HUSK="$BATS_TEST_TMPDIR/runtime-copy"
	if [ "${1:-}" != no-ptrace ]; then
		update_config '.process.capabilities.bounding += ["CAP_SYS_PTRACE"]
			| .process.capabilities.effective += ["CAP_SYS_PTRACE"]
			| .process.capabilities.permitted += ["CAP_SYS_PTRACE"]'
	fi
	run_detached /bin/exe-grab /tmp
	retry 50 0.1 test -e "$BUNDLE/rootfs/tmp/ready"
}

# second_container ARGS-JSON: config of a container in the attacker's pid
# namespace, on the same rootfs, in $BATS_TEST_TMPDIR/bundle2.
second_container() {
	local pid b2="$BATS_TEST_TMPDIR/bundle2"
	pid=$(container_pid "$CID")
	mkdir -p "$b2"
	jq --arg root "$BUNDLE/rootfs" --arg ns "/proc/$pid/ns/pid" --argjson args "$1" '.root.path = $root
		| .process.args = $args
		| .linux.namespaces = [.linux.namespaces[] | if .type == "pid" then .path = $ns else . end]' \
		"$BUNDLE/config.json" >"$b2/config.json"
}

# exe_attack_result: waits for the attacker's verdict.
exe_attack_result() {
	retry 100 0.1 test -e "$BUNDLE/rootfs/tmp/result" || fail "the attacker gave no result"
	cat "$BUNDLE/rootfs/tmp/grabbed" "$BUNDLE/rootfs/tmp/result" >&2
	[ "$(cat "$BUNDLE/rootfs/tmp/result")" != written ] || fail "the runtime's binary was written through /proc/<pid>/exe"
	cmp "$BATS_TEST_TMPDIR/runtime-copy" "$BATS_TEST_TMPDIR/runtime-orig" || fail "the runtime's binary changed"
}

@test "CVE-2019-5736: an init waiting at the start barrier: its exe cannot be written from the pid namespace" {
	setup_exe_attack
	local b2="$BATS_TEST_TMPDIR/bundle2"
	second_container '["/bin/true"]'
	__husk create --bundle "$b2" "$CID-b" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/create.err" ||
		fail "create failed: $(cat "$BATS_TEST_TMPDIR/create.err")"
	# the attacker holds the handle before the init goes on
	retry 50 0.1 test -e "$BUNDLE/rootfs/tmp/grabbed" || fail "the attacker never saw the init"
	husk start "$CID-b"
	[ "$status" -eq 0 ]
	exe_attack_result
	__husk delete -f "$CID-b"
}

@test "CVE-2019-5736: an exec'd process before its execve: its exe cannot be written from the container" {
	setup_exe_attack
	local i
	for ((i = 0; i < 200; i++)); do
		__husk exec "$CID" /bin/true </dev/null >/dev/null 2>&1 || true
		[ -e "$BUNDLE/rootfs/tmp/grabbed" ] && break
	done
	[ -e "$BUNDLE/rootfs/tmp/grabbed" ] || skip "the attacker never caught an exec in 200 tries"
	exe_attack_result
}

# The attack as published: the container's entrypoint is /proc/self/exe, so
# the runtime's last execve runs the runtime's own binary as the container
# process, dumpable, with the container's libc: no capability needed.  Here
# the process is the runtime printing its help; the host's loader and
# libc are copied into the rootfs for it.
@test "CVE-2019-5736: an entrypoint of /proc/self/exe does not expose the runtime's binary" {
	setup_exe_attack no-ptrace
	local lib b2="$BATS_TEST_TMPDIR/bundle2" i
	for lib in $(ldd "$HUSK" | grep -o '/[^ ]*'); do
		mkdir -p "$BUNDLE/rootfs$(dirname "$lib")"
		cp -L "$lib" "$BUNDLE/rootfs$lib"
	done
	second_container '["/proc/self/exe", "--help"]'
	update_config '.process.noNewPrivileges = false' "$b2"
	for ((i = 0; i < 50; i++)); do
		__husk run --bundle "$b2" "$CID-b$i" </dev/null >/dev/null 2>&1 || true
		[ -e "$BUNDLE/rootfs/tmp/grabbed" ] && break
	done
	[ -e "$BUNDLE/rootfs/tmp/grabbed" ] || skip "the attacker never caught the process in 50 runs"
	exe_attack_result
}
