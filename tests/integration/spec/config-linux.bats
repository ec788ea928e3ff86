#!/usr/bin/env bats
# runtime-spec v1.2.0 config-linux.md: a test per MUST clause that this
# machine (cgroup v1 hybrid, no AppArmor/SELinux) can exercise.

load ../helpers
load ../isolation/common

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "config-linux.md: a namespace type not in namespaces MUST be inherited from the runtime" {
	update_config '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
	run_checker namespaces
	jq_ok ".namespaces.net == $(ns_of $$ net) and .namespaces.ipc == $(ns_of $$ ipc)"
	jq_ok ".namespaces.uts != $(ns_of $$ uts) and .namespaces.pid != $(ns_of $$ pid)"
}

@test "config-linux.md: a namespace without path MUST be new" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	run_checker namespaces
	local ns
	for ns in pid net ipc uts mnt cgroup; do
		jq_ok ".namespaces.$ns != $(ns_of $$ "$ns")" || fail "$ns is the host's"
	done
}

@test "config-linux.md: a namespace path MUST be joined" {
	requires netns
	local ns="huskspec-$TOKEN"
	ip netns add "$ns"
	update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"/var/run/netns/$ns\" else . end)"
	set_args /bin/husk-checker namespaces
	husk_stdout run "$CID"
	local want
	want=$(stat -L -c %i "/var/run/netns/$ns")
	ip netns del "$ns"
	[ "$status" -eq 0 ]
	jq_ok ".namespaces.net == $want"
}

@test "config-linux.md: a path not of the namespace's type MUST be an error" {
	update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$$/ns/ipc\" else . end)"
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config-linux.md: duplicated namespace types MUST be an error" {
	update_config '.linux.namespaces += [{"type": "pid"}]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config-linux.md: uidMappings and gidMappings are the user namespace's maps" {
	requires userns
	use_userns 400000 500000 1000
	set_args /bin/cat /proc/self/uid_map /proc/self/gid_map
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 400000 1000" ]
	[ "$(echo ${lines[1]})" = "0 500000 1000" ]
}

@test "config-linux.md: devices MUST be created with type, major, minor, fileMode, uid, gid" {
	update_config '.linux.devices = [{"path": "/dev/husk-null", "type": "c", "major": 1, "minor": 3,
		"fileMode": 384, "uid": 1000, "gid": 44}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_args /bin/sh -c 'stat -c "%F %t:%T %a %u:%g" /dev/husk-null'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "character special file 1:3 600 1000:44" ]
}

@test "config-linux.md: the default devices MUST be supplied" {
	set_args /bin/sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done; readlink /dev/ptmx; echo x >/dev/null && head -c 1 /dev/zero | wc -c'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null character special file 1:3"* ]]
	[[ "$output" == *"/dev/zero character special file 1:5"* ]]
	[[ "$output" == *"/dev/full character special file 1:7"* ]]
	[[ "$output" == *"/dev/random character special file 1:8"* ]]
	[[ "$output" == *"/dev/urandom character special file 1:9"* ]]
	[[ "$output" == *"/dev/tty character special file 5:0"* ]]
	[[ "$output" == *"pts/ptmx"* ]]
}

@test "config-linux.md: an absolute cgroupsPath MUST be relative to the cgroups mount point" {
	requires cgroups_v1
	update_config ".linux.cgroupsPath = \"/huskspec-$TOKEN\""
	run_detached
	grep -qx "$(container_pid "$CID")" "/sys/fs/cgroup/pids/huskspec-$TOKEN/cgroup.procs"
}

@test "config-linux.md: the same cgroupsPath MUST attach to the same place" {
	requires cgroups_v1
	update_config ".linux.cgroupsPath = \"/huskspec-$TOKEN\""
	set_args /bin/cat /proc/self/cgroup
	husk_stdout run "$CID"
	local first=$output
	husk_stdout run "$CID"
	[ "$output" = "$first" ]
	[[ "$output" == *":pids:/huskspec-$TOKEN"* ]]
}

@test "config-linux.md: resources MUST be applied to the cgroup" {
	requires cgroups_v1
	update_config '.linux.resources.pids = {"limit": 13} | .linux.resources.memory = {"limit": 50331648}'
	run_detached
	[ "$(cg_read pids pids.max)" = 13 ]
	[ "$(cg_read memory memory.limit_in_bytes)" = 50331648 ]
}

@test "config-linux.md: device cgroup entries MUST be applied in the listed order" {
	requires cgroups_v1
	# allow then deny the same node: the deny wins
	update_config '.linux.devices = [{"path": "/dev/husk-lc", "type": "c", "major": 10, "minor": 237, "fileMode": 438}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "rwm"},
		                               {"allow": false, "type": "c", "major": 10, "minor": 237, "access": "rwm"}]'
	set_args /bin/sh -c 'head -c 0 /dev/husk-lc && echo opened'
	husk run "$CID"
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" != *opened* ]]
	# deny then allow: the allow wins
	update_config '.linux.resources.devices |= (.[:-2] + [.[-1], .[-2]])'
	husk run "$CID"
	[ "$output" = opened ]
}

@test "config-linux.md: unified on a host without cgroup v2 controllers MUST be an error" {
	requires cgroups_v1
	update_config '.linux.resources.unified = {"pids.max": "10"}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config-linux.md: sysctl values MUST be set in the container" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}'
	set_args /bin/cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "1 123456789" ]
}

@test "config-linux.md: a sysctl outside the container's namespaces MUST be an error" {
	update_config '.linux.sysctl = {"kernel.pid_max": "100000"}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config-linux.md: seccomp defaultAction applies to unlisted syscalls" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["sethostname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	set_args /bin/sh -c 'hostname x 2>&1; echo rc=$?'
	husk run "$CID"
	[[ "$output" == *"rc=1"* ]]
}

@test "config-linux.md: rootfsPropagation MUST be one of shared, slave, private, unbindable" {
	update_config '.linux.rootfsPropagation = "bogus"'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config-linux.md: rootfsPropagation private makes the root mount private" {
	update_config '.linux.rootfsPropagation = "private"'
	set_args /bin/sh -c 'awk "\$5 == \"/\"" /proc/self/mountinfo'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" != *shared:* ]]
	[[ "$output" != *master:* ]]
}

@test "config-linux.md: maskedPaths MUST be masked and cannot be read" {
	update_config '.linux.maskedPaths = ["/proc/kcore", "/proc/acpi", "/etc/hostname"]'
	echo secret >"$BUNDLE/rootfs/etc/hostname"
	set_args /bin/sh -c 'cat /etc/hostname | wc -c; ls /proc/acpi | wc -l'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "0 0" ]
}

@test "config-linux.md: readonlyPaths MUST be read-only" {
	update_config '.linux.readonlyPaths = ["/proc/sys", "/tmp"]'
	set_args /bin/sh -c 'touch /tmp/x 2>&1; echo 1 >/proc/sys/kernel/ns_last_pid 2>&1; echo done'
	husk run "$CID"
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$BUNDLE/rootfs/tmp/x" ]
}

@test "config-linux.md: personality LINUX32 changes uname -m" {
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_args /bin/uname -m
	husk run "$CID"
	if is_runc; then skip "runc 1.1 predates linux.personality"; fi
	[ "$status" -eq 0 ]
	[ "$output" = i686 ]
}

@test "config-linux.md: timeOffsets MUST be set for a new time namespace" {
	requires timens
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}'
	set_args /bin/cat /proc/self/timens_offsets
	husk run "$CID"
	if is_runc; then skip "runc 1.1 predates time namespaces"; fi
	[ "$status" -eq 0 ]
	[[ "$output" == *"monotonic"*"86400"* ]]
}
