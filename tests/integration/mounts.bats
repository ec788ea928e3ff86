#!/usr/bin/env bats
# config.json mounts: bind, rbind, ro, nosuid/nodev/noexec, tmpfs options,
# mqueue, sysfs, cgroup, and the propagation words.

load helpers

setup() {
	setup_bundle
	DATA="$BATS_TEST_TMPDIR/data"
	mkdir -p "$DATA"
	echo host-file >"$DATA/file"
}
teardown() {
	if [ -n "${SUBMOUNT:-}" ]; then umount "$SUBMOUNT" 2>/dev/null || true; fi
	teardown_bundle
}

add_mount() { # add_mount DEST TYPE SOURCE OPTION...
	local dest=$1 type=$2 src=$3 opts
	shift 3
	opts=$(printf '%s\n' "$@" | jq -R . | jq -s 'map(select(. != ""))')
	update_config ".mounts += [{\"destination\": \"$dest\", \"type\": \"$type\", \"source\": \"$src\", \"options\": $opts}]"
}

mount_of() {
	echo "$output" | jq -c --arg t "$1" '[.mounts[] | select(.target == $t)] | last'
}

@test "mounts: bind a host directory" {
	add_mount /data bind "$DATA" bind
	set_args /bin/cat /data/file
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = host-file ]
}

@test "mounts: bind a single file" {
	add_mount /etc/husk-file bind "$DATA/file" bind
	set_args /bin/cat /etc/husk-file
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = host-file ]
}

@test "mounts: writes through a bind mount reach the host" {
	add_mount /data bind "$DATA" bind rw
	set_args /bin/sh -c 'echo from-container > /data/new'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$DATA/new")" = from-container ]
}

@test "mounts: bind does not carry submounts, rbind does" {
	SUBMOUNT="$DATA/sub"
	mkdir -p "$SUBMOUNT"
	mount -t tmpfs husk-sub "$SUBMOUNT"
	echo in-submount >"$SUBMOUNT/x"
	add_mount /plain bind "$DATA" bind
	add_mount /recursive bind "$DATA" rbind
	set_args /bin/sh -c 'cat /plain/sub/x 2>/dev/null || echo plain-empty; cat /recursive/sub/x'
	husk run "$CID"
	umount "$SUBMOUNT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = plain-empty ]
	[ "${lines[1]}" = in-submount ]
}

@test "mounts: ro bind refuses writes" {
	add_mount /data bind "$DATA" bind ro
	set_args /bin/sh -c 'echo x > /data/new'
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$DATA/new" ]
	# ... and the host's directory stays writable.
	touch "$DATA/host-still-writable"
}

@test "mounts: nosuid, nodev, noexec appear in mountinfo" {
	add_mount /data bind "$DATA" bind nosuid nodev noexec
	run_checker mounts
	local opts
	opts=$(mount_of /data | jq -r .options)
	[[ ",$opts," == *,nosuid,* ]]
	[[ ",$opts," == *,nodev,* ]]
	[[ ",$opts," == *,noexec,* ]]
}

@test "mounts: noexec refuses to run a binary" {
	cp "$BUNDLE/rootfs/bin/busybox" "$DATA/bb"
	add_mount /data bind "$DATA" bind noexec
	set_args /data/bb true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"ermission denied"* ]]
}

@test "mounts: tmpfs with size and mode" {
	# One run only: runc re-applies an existing directory's mode to the
	# tmpfs, so the mount point must not exist in the rootfs beforehand.
	add_mount /scratch tmpfs tmpfs size=1m mode=1770
	set_args /bin/sh -c 'stat -c %a /scratch; grep " /scratch " /proc/self/mountinfo'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1770 ]
	[[ "${lines[1]}" == *" - tmpfs "* ]]
	[[ "${lines[1]}" == *size=1024k* ]]
	[[ "${lines[1]}" == *mode=1770* ]]
}

@test "mounts: tmpfs size is enforced" {
	add_mount /scratch tmpfs tmpfs size=64k
	set_args /bin/sh -c 'dd if=/dev/zero of=/scratch/big bs=1k count=256 2>&1'
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"No space left"* ]]
}

@test "mounts: mqueue" {
	run_checker mounts
	[ "$(mount_of /dev/mqueue | jq -r .type)" = mqueue ]
}

@test "mounts: sysfs is read-only by default template" {
	run_checker mounts
	[ "$(mount_of /sys | jq -r .type)" = sysfs ]
	[[ "$(mount_of /sys | jq -r .options)" == ro* ]]
}

@test "mounts: cgroup mount shows the container's own cgroup" {
	run_checker mounts
	jq_ok '[.mounts[] | select(.target | startswith("/sys/fs/cgroup")) | select(.type == "cgroup" or .type == "cgroup2")] | length >= 1'
	if [ -d /sys/fs/cgroup/pids ]; then
		set_args /bin/sh -c 'cat /proc/self/cgroup | grep pids; ls /sys/fs/cgroup/pids/ | grep -c cgroup.procs'
		husk run "$CID"
		[ "$status" -eq 0 ]
	fi
}

@test "mounts: a missing destination directory is created" {
	add_mount /deep/new/dir tmpfs tmpfs
	set_args /bin/sh -c 'touch /deep/new/dir/x && echo made'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = made ]
	[ -d "$BUNDLE/rootfs/deep/new/dir" ]
}

@test "mounts: propagation rshared gives a shared mount" {
	add_mount /data bind "$DATA" rbind rshared
	run_checker mounts
	[[ "$(mount_of /data | jq -r .optional)" == *shared:* ]]
}

@test "mounts: propagation rprivate gives a private mount" {
	add_mount /data bind "$DATA" rbind rprivate
	run_checker mounts
	[[ "$(mount_of /data | jq -r .optional)" != *shared:* ]]
	[[ "$(mount_of /data | jq -r .optional)" != *master:* ]]
}

@test "mounts: propagation rslave of a shared source is a slave" {
	add_mount /data bind "$DATA" rbind rshared
	add_mount /data2 bind "$DATA" rbind rslave
	run_checker mounts
	[[ "$(mount_of /data2 | jq -r .optional)" != *shared:* ]]
}

@test "mounts: propagation unbindable" {
	add_mount /data bind "$DATA" rbind runbindable
	run_checker mounts
	[[ "$(mount_of /data | jq -r .optional)" == *unbindable* ]]
}

@test "mounts: relatime, strictatime and noatime words are accepted" {
	add_mount /t1 tmpfs tmpfs noatime
	add_mount /t2 tmpfs tmpfs strictatime
	run_checker mounts
	[[ "$(mount_of /t1 | jq -r .options)" == *noatime* ]]
	[[ "$(mount_of /t2 | jq -r .options)" != *relatime* ]]
}

@test "mounts: a later mount over an earlier one wins" {
	add_mount /data bind "$DATA" bind
	add_mount /data tmpfs tmpfs
	set_args /bin/sh -c 'ls /data | wc -l'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" -eq 0 ]
}
