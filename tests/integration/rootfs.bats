#!/usr/bin/env bats
# The root filesystem: pivot_root, --no-pivot, readonly, propagation,
# masked and readonly paths, /dev, devpts, shm, spec devices.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# mount_of TARGET: the checker's mountinfo entry for TARGET (last wins).
mount_of() {
	echo "$output" | jq -c --arg t "$1" '[.mounts[] | select(.target == $t)] | last'
}

@test "rootfs: pivot_root makes the bundle's rootfs /" {
	run_checker mounts
	[[ "$(mount_of / | jq -r .root)" == */bundle/rootfs ]]
	# Nothing of the host's tree is visible.
	jq_ok '[.mounts[] | select(.target | startswith("/work") or startswith("/home") or startswith("/boot"))] | length == 0'
}

@test "rootfs: the host's files are not reachable" {
	set_args /bin/ls /
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" != *work* ]]
	[[ "$output" == *bin* ]]
}

@test "rootfs: --no-pivot runs with the same view" {
	run_checker mounts process
	local pivot="$output"
	set_args /bin/husk-checker mounts
	husk_stdout run --no-pivot "$CID"
	[ "$status" -eq 0 ]
	[[ "$(mount_of / | jq -r .root)" == */bundle/rootfs ]]
	jq_ok '[.mounts[] | select(.target == "/proc")] | length >= 1'
}

@test "rootfs: readonly root refuses writes" {
	update_config '.root.readonly = true'
	run_checker mounts
	[[ "$(mount_of / | jq -r .options)" == ro* ]]
	set_args /bin/touch /newfile
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$BUNDLE/rootfs/newfile" ]
}

@test "rootfs: readonly root keeps /dev and /tmp mounts writable" {
	update_config '.root.readonly = true
		| .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}]'
	set_args /bin/sh -c 'touch /tmp/ok && echo > /dev/null && echo fine'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *fine* ]]
}

@test "rootfs: rootfsPropagation private gives a private /" {
	update_config '.linux.rootfsPropagation = "private"'
	run_checker mounts
	[[ "$(mount_of / | jq -r .optional)" != *shared* ]]
	[[ "$(mount_of / | jq -r .optional)" != *master* ]]
}

@test "rootfs: rootfsPropagation slave makes / a slave" {
	update_config '.linux.rootfsPropagation = "slave"'
	run_checker mounts
	[[ "$(mount_of / | jq -r .optional)" != *shared* ]]
}

@test "rootfs: rootfsPropagation shared keeps / shared" {
	awk '$5 == "/" {print $7}' /proc/self/mountinfo | grep -q shared: ||
		skip "the host's / is not a shared mount"
	update_config '.linux.rootfsPropagation = "shared"'
	run_checker mounts
	[[ "$(mount_of / | jq -r .optional)" == *shared:* ]]
}

# runc 1.1 sets rootfsPropagation on the host's "/" only: its bind of the
# rootfs is EINVAL for unbindable, and its new "/" is private for shared
# (runc 1.2 and crun set it on the new "/" after pivot_root, as here).
skip_runc_1_1() {
	if is_runc && "$HUSK" --version | grep -q "version 1\.1\."; then
		skip "runc 1.1 does not apply rootfsPropagation after pivot_root"
	fi
}

@test "rootfs: rootfsPropagation unbindable makes / unbindable" {
	skip_runc_1_1
	update_config '.linux.rootfsPropagation = "unbindable"'
	run_checker mounts
	[[ "$(mount_of / | jq -r .optional)" == *unbindable* ]]
}

# Every containerd snapshot is a mount of its own: the bind of it onto
# itself must not sit on a shared parent, or pivot_root is EINVAL.
@test "rootfs: rootfsPropagation rshared with a rootfs that is a mount point" {
	skip_runc_1_1
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	update_config '.linux.rootfsPropagation = "rshared"'
	set_args /bin/husk-checker mounts
	husk_stdout run "$CID"
	umount "$BUNDLE/rootfs"
	[ "$status" -eq 0 ]
	[[ "$(mount_of / | jq -r .optional)" == *shared:* ]]
}

# After the pivot the propagation is set on "/" alone: a mount's own
# option stays what it asked for.
@test "rootfs: rootfsPropagation shared leaves a mount's own propagation" {
	skip_runc_1_1
	mkdir -p "$BATS_TEST_TMPDIR/src"
	update_config '.linux.rootfsPropagation = "rshared"
		| .mounts += [{"destination": "/mnt", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/src"'", "options": ["rbind", "private"]}]'
	run_checker mounts
	[[ "$(mount_of / | jq -r .optional)" == *shared:* ]]
	[[ "$(mount_of /mnt | jq -r .optional)" != *shared* ]]
}

@test "rootfs: masked paths hide files and directories" {
	update_config '.linux.maskedPaths = ["/proc/keys", "/sys/firmware", "/proc/no-such"]'
	set_args /bin/sh -c 'wc -c < /proc/keys; ls -A /sys/firmware | wc -l; stat -c %t:%T /proc/keys'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -eq 0 ]
	[ "${lines[1]}" -eq 0 ]
	[ "${lines[2]}" = "1:3" ] # /dev/null bound over the file
}

@test "rootfs: readonly paths are read-only" {
	update_config '.linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger"]'
	run_checker mounts
	[[ "$(mount_of /proc/sys | jq -r .options)" == ro* ]]
	set_args /bin/sh -c 'echo 1 > /proc/sys/kernel/domainname'
	husk run "$CID"
	[ "$status" -ne 0 ]
}

@test "rootfs: /dev has the standard symlinks" {
	set_args /bin/sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"fd -> /proc/self/fd"* ]]
	[[ "$output" == *"stdin -> /proc/self/fd/0"* ]]
	[[ "$output" == *"stdout -> /proc/self/fd/1"* ]]
	[[ "$output" == *"stderr -> /proc/self/fd/2"* ]]
	[[ "$output" == *"ptmx -> pts/ptmx"* ]]
}

@test "rootfs: /dev/null and /dev/zero work" {
	set_args /bin/sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" -eq 4 ]
}

@test "rootfs: devpts is a new instance with ptmxmode 0666" {
	run_checker mounts
	local pts
	pts=$(mount_of /dev/pts)
	[ "$(echo "$pts" | jq -r .type)" = devpts ]
	[[ "$(echo "$pts" | jq -r .super_options)" == *ptmxmode=666* ]]
}

@test "rootfs: /dev/shm is a tmpfs" {
	run_checker mounts
	[ "$(mount_of /dev/shm | jq -r .type)" = tmpfs ]
	set_args /bin/sh -c 'echo shm > /dev/shm/x && cat /dev/shm/x'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = shm ]
}

@test "rootfs: a device from linux.devices is created and usable" {
	update_config '.linux.devices = [{"path": "/dev/husk-null", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_args /bin/sh -c 'stat -c "%F %t:%T %a" /dev/husk-null && echo data > /dev/husk-null && echo wrote'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"character special file 1:3 666"* ]]
	[[ "$output" == *wrote* ]]
}

@test "rootfs: a device in a subdirectory creates the directory" {
	update_config '.linux.devices = [{"path": "/dev/husk/sub/zero", "type": "c", "major": 1, "minor": 5, "fileMode": 384}]'
	set_args /bin/stat -c "%F %t:%T %a" /dev/husk/sub/zero
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"character special file 1:5 600"* ]]
}

@test "rootfs: a device from linux.devices may be outside /dev (runtime-spec 1.1)" {
	update_config '.linux.devices = [{"path": "/husk-devs/sub/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_args /bin/sh -c 'stat -c "%F %t:%T %a" /husk-devs/sub/null && echo data > /husk-devs/sub/null && echo wrote'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"character special file 1:3 666"* ]]
	[[ "$output" == *wrote* ]]
}

@test "rootfs: /proc is the container's own" {
	set_args /bin/sh -c 'ls -d /proc/[0-9]* | wc -l'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" -le 3 ]
}

@test "rootfs: a relative root.path is taken from the bundle" {
	mv "$BUNDLE/rootfs" "$BUNDLE/other-root"
	update_config '.root.path = "other-root"'
	set_args /bin/echo relative-root
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *relative-root* ]]
}

@test "rootfs: an absolute root.path" {
	update_config ".root.path = \"$BUNDLE/rootfs\""
	set_args /bin/echo absolute-root
	cd /
	husk run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *absolute-root* ]]
}


# runc: /dev is mounted writable, filled, then made read-only.
@test "rootfs: a read-only /dev mount has its devices and is read-only" {
	update_config '(.mounts[] | select(.destination == "/dev")).options += ["ro"]'
	set_args /bin/sh -c 'echo x > /dev/null && head -c 1 /dev/zero | wc -c; readlink /dev/ptmx; touch /dev/new 2>/dev/null || echo read-only'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -eq 1 ]
	[ "${lines[1]}" = pts/ptmx ]
	[ "${lines[2]}" = read-only ]
}

# runc's msMoveRoot: with chroot the host's /proc and /sys stay in the
# container's mount namespace, where (in a user namespace) they would let
# it mount a procfs without the masked paths: they are unmounted first.
# Only the calls show it: no process can see a mount under the moved root.
@test "rootfs: --no-pivot unmounts the host's /proc and /sys in the namespace" {
	command -v strace >/dev/null || skip "needs strace"
	set_args /bin/true
	# LeakSanitizer cannot run under ptrace: an ASan husk keeps its other checks
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=umount2 -o "$BATS_TEST_TMPDIR/trace" \
		"$HUSK" --root "$ROOT" run --no-pivot "$CID" </dev/null
	cat "$BATS_TEST_TMPDIR/trace" >&2
	grep -Eq 'umount2\("/proc", MNT_DETACH\) += 0' "$BATS_TEST_TMPDIR/trace"
	grep -Eq 'umount2\("/sys", MNT_DETACH\) += 0' "$BATS_TEST_TMPDIR/trace"
}
