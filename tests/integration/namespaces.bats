#!/usr/bin/env bats
# Namespaces: each type created when listed, shared with the host when not,
# joined when given a path.

load helpers

setup() { setup_bundle; }
teardown() {
	if [ -n "${NETNS:-}" ]; then ip netns del "$NETNS" 2>/dev/null || true; fi
	if [ -n "${HOLDER_PID:-}" ]; then kill -9 "$HOLDER_PID" 2>/dev/null || true; fi
	teardown_bundle
}

host_ns() {
	stat -L -c %i "/proc/self/ns/$1"
}

# Whether the runtime says it supports a namespace type.
runtime_has_ns() {
	__husk features 2>/dev/null | jq -e --arg ns "$1" '.linux.namespaces | index($ns)' >/dev/null
}

# ns_is_new SPEC_TYPE PROC_NAME: listed alone (plus mount/pid which the
# checker needs nothing of), the namespace differs from the host's.
@test "namespaces: pid, network, ipc, uts, mount are new" {
	run_checker namespaces
	local t
	for t in pid net ipc uts mnt; do
		jq_ok ".namespaces.$t != $(host_ns "$t")"
	done
}

@test "namespaces: unlisted namespaces are the host's" {
	update_config '.linux.namespaces = [{"type": "mount"}, {"type": "pid"}] | del(.hostname)'
	run_checker namespaces
	local t
	for t in net ipc uts cgroup user; do
		jq_ok ".namespaces.$t == $(host_ns "$t")"
	done
}

@test "namespaces: pid namespace makes the process pid 1" {
	run_checker process
	jq_ok '.pid == 1'
}

@test "namespaces: a new network namespace has only lo, and it is up" {
	set_args /bin/ip -o link
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c ': ')" -eq 1 ]
	# up, as runc and crun bring it up
	[[ "$output" == *" lo: <LOOPBACK,UP,LOWER_UP>"* ]]
}

@test "namespaces: 127.0.0.1 answers in a new network namespace" {
	set_args /bin/sh -c 'nc -l -p 7777 -e echo over-loopback & sleep 0.2; nc 127.0.0.1 7777 </dev/null; wait; ip -o addr show dev lo'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *over-loopback* ]]
	[[ "$output" == *"inet 127.0.0.1/8"* ]]
	if [ -e /proc/net/if_inet6 ]; then [[ "$output" == *"inet6 ::1/128"* ]]; fi
}

@test "namespaces: uts namespace carries the hostname" {
	update_config '.hostname = "uts-inside"'
	run_checker uts namespaces
	jq_ok '.hostname == "uts-inside"'
	[ "$(hostname)" != uts-inside ]
}

@test "namespaces: ipc namespace hides host message queues" {
	local qid
	qid=$(ipcmk -Q | awk '{print $NF}')
	[ -n "$qid" ]
	grep -qw "$qid" /proc/sysvipc/msg
	set_args /bin/cat /proc/sysvipc/msg
	husk run "$CID"
	ipcrm -q "$qid"
	[ "$status" -eq 0 ]
	! echo "$output" | awk 'NR > 1 {print $2}' | grep -qx "$qid"
}

@test "namespaces: cgroup namespace is new when listed" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	run_checker namespaces cgroup
	jq_ok ".namespaces.cgroup != $(host_ns cgroup)"
	jq_ok '[.cgroup[] | select(.controllers == "pids")][0].path == "/"'
}

@test "namespaces: user namespace with mappings" {
	requires userns
	use_userns 100000 100000 65536
	run_checker namespaces ids
	jq_ok ".namespaces.user != $(host_ns user)"
	jq_ok '.ids.uid == 0'
	local pid_maps
	set_args /bin/cat /proc/self/uid_map
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$(echo "$output" | awk '{print $1, $2, $3}')" == "0 100000 65536" ]]
}

@test "namespaces: time namespace is new when listed" {
	requires timens
	# husk must support them: only another runtime may skip
	is_husk || runtime_has_ns time || skip "runtime does not support time namespaces"
	update_config '.linux.namespaces += [{"type": "time"}]'
	run_checker namespaces
	jq_ok ".namespaces.time != $(host_ns time)"
}

@test "namespaces: join a network namespace by path (ip netns add)" {
	requires netns
	NETNS="$TOKEN"
	ip netns add "$NETNS"
	ip netns exec "$NETNS" ip link set lo up
	local ino
	ino=$(stat -L -c %i "/run/netns/$NETNS")
	update_config "(.linux.namespaces[] | select(.type == \"network\")) .path = \"/run/netns/$NETNS\""
	run_checker namespaces
	jq_ok ".namespaces.net == $ino"
	set_args /bin/ip -o link
	husk run "$CID"
	[ "$status" -eq 0 ]
	# lo is down in a fresh namespace; up only in the one we prepared.
	[[ "$output" == *"lo: <LOOPBACK,UP"* ]]
}

@test "namespaces: join the uts namespace of another container" {
	update_config '.hostname = "first"'
	set_args /bin/sleep 100
	husk run -d "$CID"
	[ "$status" -eq 0 ]
	local pid
	pid=$(container_pid "$CID")
	update_config "del(.hostname) | (.linux.namespaces[] | select(.type == \"uts\")) .path = \"/proc/$pid/ns/uts\""
	set_args /bin/hostname
	husk run "${CID}-2"
	[ "$status" -eq 0 ]
	[ "$output" = first ]
}

@test "namespaces: a path to a namespace of the wrong type fails" {
	update_config '(.linux.namespaces[] | select(.type == "network")) .path = "/proc/self/ns/uts"'
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

# config-linux.md: a namespace type not listed is inherited, the mount
# namespace too.  The mounts then land under the rootfs in the runtime's
# mount table; husk takes them away at delete, runc leaves them there.
@test "namespaces: without a mount namespace the container runs in the runtime's" {
	update_config '.linux.namespaces -= [{"type": "mount"}] | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
	set_args /bin/sh -c 'stat -L -c %i /proc/self/ns/mnt; test -x /bin/husk-checker && echo in-rootfs; cat /proc/self/mountinfo | wc -l'
	husk run "$CID"
	if is_runc; then
		grep -F "$BUNDLE/rootfs" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	fi
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(host_ns mnt)" ]
	[ "${lines[1]}" = in-rootfs ]
	# delete took the container's mounts out of the runtime's table again
	! grep -qF "$BUNDLE/rootfs" /proc/self/mountinfo
}

@test "namespaces: without a mount namespace, masked paths are refused" {
	update_config '.linux.namespaces -= [{"type": "mount"}] | .linux.readonlyPaths = []'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"unable to restrict sys entries without a private MNT namespace"* ]]
	! grep -qF "$BUNDLE/rootfs" /proc/self/mountinfo
}

holder_unshared() {
	[ "$(stat -L -c %i "/proc/$HOLDER_PID/ns/mnt")" != "$(host_ns mnt)" ]
}

# A mount namespace joined by path still gets root.path, the mounts and
# pivot_root, as runc does: the process must not see the joined one's "/".
@test "namespaces: a mount namespace joined by path gets the rootfs" {
	unshare --mount --propagation private sleep 1000 &
	HOLDER_PID=$!
	retry 50 0.1 holder_unshared
	local ino
	ino=$(stat -L -c %i "/proc/$HOLDER_PID/ns/mnt")
	update_config "(.linux.namespaces[] | select(.type == \"mount\")) .path = \"/proc/$HOLDER_PID/ns/mnt\""
	set_args /bin/sh -c 'stat -L -c %i /proc/self/ns/mnt; test -x /bin/husk-checker && echo in-rootfs; test -e /work || echo no-host'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$ino" ]
	[ "${lines[1]}" = in-rootfs ]
	[ "${lines[2]}" = no-host ]
}

@test "namespaces: without a mount namespace, a failed create leaves no mount" {
	update_config '.linux.namespaces -= [{"type": "mount"}] | .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .mounts += [{"destination": "/mnt", "type": "bind", "source": "/no/such/source", "options": ["bind"]}]'
	set_args /bin/true
	husk run "$CID"
	if is_runc; then
		grep -F "$BUNDLE/rootfs" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
		skip "runc leaves the mounts it made before the failure"
	fi
	[ "$status" -ne 0 ]
	! grep -qF "$BUNDLE/rootfs" /proc/self/mountinfo
}

@test "namespaces: exec into a container without a mount namespace runs in its root" {
	update_config '.linux.namespaces -= [{"type": "mount"}] | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
	set_args /bin/sleep 1000
	__husk run -d "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
	wait_for_status "$CID" running
	husk exec "$CID" /bin/sh -c 'test -x /bin/husk-checker && echo in-rootfs; test -e /work || echo no-host'
	__husk delete -f "$CID"
	if is_runc; then
		grep -F "$BUNDLE/rootfs" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
		skip "runc 1.1 runs the exec'd process in the host's root here"
	fi
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in-rootfs ]
	[ "${lines[1]}" = no-host ]
	! grep -qF "$BUNDLE/rootfs" /proc/self/mountinfo
}
