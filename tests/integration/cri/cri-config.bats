#!/usr/bin/env bats
# What a CRI PodSandboxConfig and ContainerConfig give the container
# through huskd's CRI socket, seen from inside it (crictl exec) and from
# the host (its cgroup files, namespaces): sysctls, host IPC and PID
# namespaces, a PID namespace targeting another container, capabilities,
# users and groups, masked and read-only paths, seccomp profiles, raw
# resources and UpdateContainerResources, devices, mount propagation.

load ../helpers
load ../pod/pod_helpers
load ../huskd/huskd_helpers
load cri_helpers

# The port-mapping test runs huskd with its default pod network (a bridge
# and portmap through the CNI plugins) in a network namespace of its own,
# as kubectl-network.bats does: the rules and addresses go with it.
setup() {
	if [[ "$BATS_TEST_DESCRIPTION" == *"port mappings"* ]]; then
		for p in bridge host-local portmap; do
			[ -x "/usr/lib/cni/$p" ] || skip "needs containernetworking-plugins (/usr/lib/cni/$p)"
		done
		command -v iptables-save >/dev/null || skip "portmap needs iptables"
		NETNS=hkcri-$$-$RANDOM
		ip netns add "$NETNS" || skip "cannot make a network namespace"
		ip -n "$NETNS" link set lo up
		HUSKD_WRAP="nsenter --net=/run/netns/$NETNS"
		HUSKD_POD_NETWORK=1
	fi
	setup_cri
}

teardown() {
	teardown_cri
	local rc=$?
	[ -z "${NETNS:-}" ] || ip netns del "$NETNS" 2>/dev/null || true
	return $rc
}

# run_pod NAME [jq filter on the PodSandboxConfig]: $sid, the config in $PODCFG
run_pod() {
	PODCFG=$BATS_TEST_TMPDIR/pod-$1.json
	pod_config "$1" "${2:-.}" >"$PODCFG"
	cri runp "$PODCFG"
	[ "$status" -eq 0 ]
	sid=$output
}

# start_ctr NAME JQ-FILTER ARGS...: a running container of $sid, its id in $cid
start_ctr() {
	local name=$1 filter=$2 cfg=$BATS_TEST_TMPDIR/c-$1.json
	shift 2
	container_config "$name" "$@" | jq "$filter" >"$cfg"
	cri create "$sid" "$cfg" "$PODCFG"
	[ "$status" -eq 0 ]
	cid=$output
	cri start "$cid"
	[ "$status" -eq 0 ]
}

# inc CID CMD...: crictl exec, $output
inc() {
	local id=$1
	shift
	cri exec -s "$id" "$@"
}

# The container's cgroup directory of CONTROLLER on the host (no cgroup
# namespace: /proc/self/cgroup names the host's path).
ctr_cgroup() { # CID CONTROLLER
	local path
	path=$(cri_quiet exec -s "$1" cat /proc/self/cgroup | awk -F: -v c="$2" '$2 ~ "(^|,)" c "(,|$)" {print $3}')
	echo "/sys/fs/cgroup/$2$path"
}

@test "cri config: sysctls, capabilities drop ALL add NET_ADMIN, add ALL, user, group, supplemental groups" {
	# runc refuses a namespaced sysctl when the namespace it joins is its own
	# process's: the pod holder runs the runtime from inside the pod's
	# namespaces, so under runc the sysctls are left out
	local sysctls='{"kernel.shm_rmid_forced": "1", "net.ipv4.tcp_syncookies": "0"}'
	is_husk || sysctls='{}'
	run_pod sys ".linux.sysctls = $sysctls"
	start_ctr main '.linux.security_context.capabilities = {drop_capabilities: ["ALL"],
		add_capabilities: ["NET_ADMIN"]}' sleep 100
	if is_husk; then
		inc "$cid" cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/tcp_syncookies
		[ "$output" = $'1\n0' ]
	fi
	inc "$cid" grep -E '^Cap(Eff|Bnd|Prm):' /proc/self/status
	[ "$output" = $'CapPrm:\t0000000000001000\nCapEff:\t0000000000001000\nCapBnd:\t0000000000001000' ]
	# the pod's sysctls are its namespaces': the host's stay as they are
	[ "$(cat /proc/sys/net/ipv4/tcp_syncookies)" != 0 ]
	start_ctr all '.linux.security_context.capabilities = {add_capabilities: ["ALL"]}' sleep 100
	inc "$cid" grep CapBnd /proc/self/status
	[[ "$output" != *0000000000000000* ]]
	start_ctr user '.linux.security_context = {run_as_user: {value: 1234}, run_as_group: {value: 2345},
		supplemental_groups: [3456, 4567]}' sleep 100
	inc "$cid" grep -E '^(Uid|Gid|Groups):' /proc/self/status
	[ "$output" = $'Uid:\t1234\t1234\t1234\t1234\nGid:\t2345\t2345\t2345\t2345\nGroups:\t3456 4567 ' ]
	# run_as_username from the image's /etc/passwd; the groups that list the
	# user in its /etc/group (audio, video) join the supplemental ones
	start_ctr named '.linux.security_context = {run_as_username: "user", supplemental_groups: [3456]}' sleep 100
	inc "$cid" id -G
	[ "$output" = "1000 29 44 3456" ]
	inc "$cid" id -un
	[ "$output" = user ]
	# run_as_group without a user is refused, as containerd refuses it
	container_config bad sleep 1 | jq '.linux.security_context = {run_as_group: {value: 5}}' >"$BATS_TEST_TMPDIR/bad.json"
	cri create "$sid" "$BATS_TEST_TMPDIR/bad.json" "$PODCFG"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"user group 5 is specified without user"* ]]
}

@test "cri config: host IPC and PID namespaces, a PID namespace targeting another container" {
	run_pod host '.linux.security_context.namespace_options = {ipc: 2, pid: 2}'
	start_ctr main '.linux.security_context.namespace_options = {ipc: 2, pid: 2}' sleep 100
	inc "$cid" readlink /proc/self/ns/ipc
	[ "$output" = "$(readlink /proc/self/ns/ipc)" ]
	inc "$cid" readlink /proc/self/ns/pid
	[ "$output" = "$(readlink /proc/self/ns/pid)" ]
	# the host's processes are there (the test's own shell among them)
	inc "$cid" cat "/proc/$$/comm"
	[ "$status" -eq 0 ]

	# a pod of its own namespaces; "b" joins "a"'s PID namespace
	run_pod tgt '.linux.security_context.namespace_options = {pid: 1}'
	start_ctr a '.linux.security_context.namespace_options = {pid: 1}' sleep 100
	a=$cid
	start_ctr b ".linux.security_context.namespace_options = {pid: 3, target_id: \"$a\"}" sleep 100
	inc "$a" readlink /proc/self/ns/pid
	a_ns=$output
	[ "$a_ns" != "$(readlink /proc/self/ns/pid)" ]
	inc "$cid" readlink /proc/self/ns/pid
	[ "$output" = "$a_ns" ]
	inc "$cid" ps -o comm
	[ "$(grep -c sleep <<<"$output")" -eq 2 ]
	# a target that is not a container of the pod is refused
	container_config c sleep 1 | jq '.linux.security_context.namespace_options = {pid: 3, target_id: "nope"}' >"$BATS_TEST_TMPDIR/bad.json"
	cri create "$sid" "$BATS_TEST_TMPDIR/bad.json" "$PODCFG"
	[ "$status" -ne 0 ]
}

@test "cri config: masked and read-only paths replace the defaults" {
	run_pod paths
	start_ctr main '.linux.security_context = {masked_paths: ["/etc/passwd"], readonly_paths: ["/tmp"]}' sleep 100
	inc "$cid" sh -c 'wc -c </etc/passwd; grep -c " /etc/passwd " /proc/self/mountinfo'
	[ "$output" = $'0\n1' ]
	inc "$cid" touch /tmp/x
	[ "$status" -ne 0 ]
	[[ "$output$stderr" == *"Read-only file system"* ]]
	# /proc/timer_list was a default masked path: the given list replaced it
	inc "$cid" sh -c 'grep " /proc/timer_list " /proc/self/mountinfo || echo none'
	[ "$output" = none ]
	start_ctr dflt '.' sleep 100
	inc "$cid" grep -c " /proc/timer_list " /proc/self/mountinfo
	[ "$output" = 1 ]
	inc "$cid" touch /tmp/x
	[ "$status" -eq 0 ]
}

@test "cri config: seccomp runtime/default, unconfined, localhost/PATH; bad names refused" {
	run_pod sec
	start_ctr dflt '.linux.security_context.seccomp_profile_path = "runtime/default"' sleep 100
	inc "$cid" grep Seccomp: /proc/self/status
	[[ "$output" == *$'Seccomp:\t2'* ]]
	# without CAP_SYS_ADMIN the default blocks unshare; with it, it lets it through
	inc "$cid" unshare -m true
	[ "$status" -ne 0 ]
	start_ctr admin '.linux.security_context = {seccomp: {profile_type: 0}, capabilities: {add_capabilities: ["SYS_ADMIN"]}}' sleep 100
	inc "$cid" grep Seccomp: /proc/self/status
	[[ "$output" == *$'Seccomp:\t2'* ]]
	inc "$cid" hostname seccomp-ok
	[ "$status" -eq 0 ]
	start_ctr unconf '.linux.security_context.seccomp_profile_path = "unconfined"' sleep 100
	inc "$cid" grep Seccomp: /proc/self/status
	[[ "$output" == *$'Seccomp:\t0'* ]]
	cat >"$BATS_TEST_TMPDIR/block-chmod.json" <<-'JSON'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["chmod", "fchmodat", "fchmod", "fchmodat2"], "action": "SCMP_ACT_ERRNO"}]}
	JSON
	start_ctr local ".linux.security_context.seccomp_profile_path = \"localhost/$BATS_TEST_TMPDIR/block-chmod.json\"" sleep 100
	inc "$cid" chmod 400 /
	[ "$status" -ne 0 ]
	[[ "$output$stderr" == *"Operation not permitted"* ]]
	for bad in "block-chmod.json" "localhost/relative.json" "localhost/$BATS_TEST_TMPDIR/missing.json"; do
		container_config bad sleep 1 | jq --arg p "$bad" '.linux.security_context.seccomp_profile_path = $p' >"$BATS_TEST_TMPDIR/bad.json"
		cri create "$sid" "$BATS_TEST_TMPDIR/bad.json" "$PODCFG"
		[ "$status" -ne 0 ]
	done
}

@test "cri config: resources as given, oom_score_adj; UpdateContainerResources changes the cgroup" {
	run_pod res
	start_ctr main '.linux.resources = {cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512,
		memory_limit_in_bytes: 67108864, oom_score_adj: 500, cpuset_cpus: "0"}' \
		sh -c 'cat /proc/self/oom_score_adj >/tmp/oom; exec sleep 100'
	inc "$cid" cat /tmp/oom
	[ "$output" = 500 ]
	mem=$(ctr_cgroup "$cid" memory)
	cpu=$(ctr_cgroup "$cid" cpu)
	[ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$cpu/cpu.cfs_quota_us")" = 50000 ]
	[ "$(cat "$cpu/cpu.cfs_period_us")" = 100000 ]
	[ "$(cat "$cpu/cpu.shares")" = 512 ]
	[ "$(cat "$(ctr_cgroup "$cid" cpuset)/cpuset.cpus")" = 0 ]
	cri update --memory 134217728 --cpu-quota 20000 --cpu-share 256 "$cid"
	[ "$status" -eq 0 ]
	[ "$(cat "$mem/memory.limit_in_bytes")" = 134217728 ]
	[ "$(cat "$cpu/cpu.cfs_quota_us")" = 20000 ]
	[ "$(cat "$cpu/cpu.shares")" = 256 ]
	cri inspect "$cid"
	[ "$(jq -r .status.resources.linux.memoryLimitInBytes <<<"$output")" = 134217728 ]
	cri update --memory 134217728 nonexistent
	[ "$status" -ne 0 ]
}

@test "cri config: devices, mount propagation (rslave, rshared) from the host, envs and working_dir; bad devices refused" {
	host=$BATS_TEST_TMPDIR/prop
	mkdir -p "$host/sub"
	mount --bind "$host" "$host"
	mount --make-rshared "$host"
	run_pod dev
	start_ctr main ".devices = [{host_path: \"/dev/null\", container_path: \"/dev/mynull\", permissions: \"rwm\"}]
		| .mounts = [{host_path: \"$host\", container_path: \"/slave\", propagation: 1},
			{host_path: \"$host\", container_path: \"/shared\", propagation: 2}]
		| .envs = [{key: \"GREETING\", value: \"hi there\"}] | .working_dir = \"/tmp\"" sleep 100
	inc "$cid" sh -c 'echo x >/dev/mynull && stat -c "%F %t %T" /dev/mynull && echo "$GREETING" && pwd'
	[ "$output" = $'character special file 1 3\nhi there\n/tmp' ]
	# a mount made on the host appears in both
	mount -t tmpfs tmpfs "$host/sub"
	inc "$cid" sh -c 'grep -c " /slave/sub " /proc/self/mountinfo; grep -c " /shared/sub " /proc/self/mountinfo'
	[ "$output" = $'1\n1' ]
	umount "$host/sub"
	# a mount made in the container under /shared reaches the host
	inc "$cid" sh -c 'mount -t tmpfs tmpfs /shared/sub' || true
	local seen=0
	grep -q " $host/sub " /proc/self/mountinfo && seen=1
	umount -l "$host/sub" 2>/dev/null || true
	umount -l "$host" 2>/dev/null || true
	# (only a container with CAP_SYS_ADMIN may mount: none here, so none came back)
	[ "$seen" -eq 0 ]
	# a device that is not one is refused
	container_config bad sleep 1 | jq '.devices = [{host_path: "/etc/passwd", container_path: "/dev/x", permissions: "rwm"}]' >"$BATS_TEST_TMPDIR/bad.json"
	cri create "$sid" "$BATS_TEST_TMPDIR/bad.json" "$PODCFG"
	[ "$status" -ne 0 ]
}

@test "cri config: port mappings reach the container through CNI portmap, and go with the pod" {
	innet() { nsenter --net="/run/netns/$NETNS" "$@"; }
	# the namespace's "host" address (not in the pod subnet, 10.89/16 here)
	ip -n "$NETNS" link add hk-uplink type veth peer name hk-uplink-peer
	ip -n "$NETNS" link set hk-uplink-peer up
	ip -n "$NETNS" addr add 10.77.5.1/24 dev hk-uplink
	ip -n "$NETNS" link set hk-uplink up
	port=$((20000 + RANDOM % 20000))
	run_pod web ".port_mappings = [{protocol: 0, container_port: 8080, host_port: $port}]"
	start_ctr main '.' sh -c 'while true; do echo hello-by-port-mapping | nc -l -p 8080; done'
	innet iptables-save -t nat | grep -F -- "--dport $port " | grep -q DNAT
	got=
	for _ in $(seq 20); do
		got=$(echo | innet busybox nc -w 2 10.77.5.1 "$port" 2>/dev/null) && [ -n "$got" ] && break
		sleep 0.5
	done
	[ "$got" = hello-by-port-mapping ]
	cri stopp "$sid"
	cri rmp "$sid"
	[ -z "$(innet iptables-save -t nat | grep -F -- "--dport $port ")" ]
}
