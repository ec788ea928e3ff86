#!/usr/bin/env bats
# linux.cgroupsPath and linux.resources on cgroup v1: each value is read
# back from the cgroup files on the host and, through the container's own
# /sys/fs/cgroup mount, from inside.

load ../helpers
load common

setup() {
	setup_bundle
	requires cgroups_v1
	CGPATH="/husk-conf-$TOKEN"
	update_config ".linux.cgroupsPath = \"$CGPATH\""
}
teardown() {
	# a frozen cgroup or a stray process a test left holds its cgroups
	if [ -n "${FROZEN_DIR:-}" ] && [ -d "$FROZEN_DIR" ]; then
		echo THAWED >"$FROZEN_DIR/freezer.state"
		rmdir "$FROZEN_DIR"
	fi
	if [ -n "${STRAY_PID:-}" ]; then
		leave_cgroup "$STRAY_PID"
		kill -9 "$STRAY_PID" 2>/dev/null || true
		local m
		for m in $(cgroup_mounts); do rmdir "$m$CGPATH" 2>/dev/null || true; done
	fi
	teardown_bundle
}

# The v1 hierarchies' mount points, and the hybrid cgroup2 tree's.
cgroup_mounts() {
	awk '$3 == "cgroup" || ($3 == "cgroup2" && $2 == "/sys/fs/cgroup/unified") { print $2 }' /proc/mounts
}

# leave_cgroup PID: back to every hierarchy's root.
leave_cgroup() {
	local m
	for m in $(cgroup_mounts); do echo "$1" >"$m/cgroup.procs" 2>/dev/null || true; done
}

# in_ct CMD: runs CMD in the running container, output in $output.
in_ct() {
	husk exec "$CID" /bin/sh -c "$1"
	[ "$status" -eq 0 ] || fail "exec '$1' failed: $output"
}

@test "cgroups: an absolute cgroupsPath is used under every controller's root" {
	update_config ".linux.cgroupsPath = \"$CGPATH/nested\""
	run_detached
	local pid c
	pid=$(container_pid "$CID")
	for c in memory cpu cpuset pids devices freezer blkio; do
		has_controller "$c" || continue
		local mnt
		mnt=$(awk -v c="$c" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") { print $2; exit }' /proc/mounts)
		grep -qx "$pid" "$mnt$CGPATH/nested/cgroup.procs" || fail "$pid not in $mnt$CGPATH/nested"
	done
	grep -q ":memory:$CGPATH/nested\$" "/proc/$pid/cgroup"
	husk delete --force "$CID"
	[ "$status" -eq 0 ]
	[ ! -d "/sys/fs/cgroup/memory$CGPATH/nested" ]
	# the runtime made the parent too; it is ours to remove
	find /sys/fs/cgroup -maxdepth 2 -type d -name "husk-conf-$TOKEN" -exec rmdir {} \;
}

@test "cgroups: a relative cgroupsPath is relative to the runtime's own cgroup" {
	update_config ".linux.cgroupsPath = \"husk-rel-$TOKEN\""
	run_detached
	local own pid
	pid=$(container_pid "$CID")
	own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	own=${own%/}
	grep -q ":memory:$own/husk-rel-$TOKEN\$" "/proc/$pid/cgroup" ||
		fail "memory cgroup is $(grep :memory: "/proc/$pid/cgroup"), expected $own/husk-rel-$TOKEN"
	grep -qx "$pid" "/sys/fs/cgroup/memory$own/husk-rel-$TOKEN/cgroup.procs"
}

@test "cgroups: the container is in its cgroup before its own code runs" {
	set_args /bin/cat /proc/self/cgroup
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *":memory:$CGPATH"* ]]
	[[ "$output" == *":pids:$CGPATH"* ]]
}

@test "cgroups: memory limit, reservation, swap, swappiness and disableOOMKiller" {
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432,
		"swap": 134217728, "swappiness": 10, "disableOOMKiller": true}'
	run_detached
	[ "$(cg_read memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(cg_read memory memory.soft_limit_in_bytes)" = 33554432 ]
	if [ -f "$(cg_dir memory)/memory.memsw.limit_in_bytes" ]; then
		[ "$(cg_read memory memory.memsw.limit_in_bytes)" = 134217728 ]
	fi
	[ "$(cg_read memory memory.swappiness)" = 10 ]
	cg_read memory memory.oom_control | grep -qx 'oom_kill_disable 1'
	in_ct 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.soft_limit_in_bytes'
	[ "$(echo $output)" = "67108864 33554432" ]
	in_ct 'grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control'
	[ "$output" = "oom_kill_disable 1" ]
}

@test "cgroups: cpu shares, quota, period, cpus and mems" {
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000,
		"cpus": "0", "mems": "0"}'
	run_detached
	[ "$(cg_read cpu cpu.shares)" = 512 ]
	[ "$(cg_read cpu cpu.cfs_quota_us)" = 50000 ]
	[ "$(cg_read cpu cpu.cfs_period_us)" = 100000 ]
	[ "$(cg_read cpuset cpuset.cpus)" = 0 ]
	[ "$(cg_read cpuset cpuset.mems)" = 0 ]
	in_ct 'cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpuset/cpuset.cpus'
	[ "$(echo $output)" = "512 50000 0" ]
	# the scheduler really confines the process
	in_ct 'grep Cpus_allowed_list /proc/self/status'
	[[ "$output" == *$'\t'0 ]] || [[ "$output" == *" 0" ]]
}

@test "cgroups: pids limit is enforced" {
	update_config '.linux.resources.pids = {"limit": 8}'
	run_detached
	[ "$(cg_read pids pids.max)" = 8 ]
	in_ct 'cat /sys/fs/cgroup/pids/pids.max'
	[ "$output" = 8 ]
	# 12 more processes do not fit under 8
	husk exec "$CID" /bin/sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 1 & done; wait'
	[[ "$output" == *"can't fork"* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]] ||
		[ "$status" -ne 0 ]
}

# The first real block device of the host: "MAJOR MINOR".
first_block_dev() {
	local d
	for d in /sys/block/vd* /sys/block/sd* /sys/block/nvme* /sys/block/loop*; do
		[ -f "$d/dev" ] && { tr ':' ' ' <"$d/dev"; return 0; }
	done
	return 1
}

@test "cgroups: blockIO throttles reach blkio.throttle.*" {
	has_controller blkio || skip "blkio controller not mounted"
	[ -f /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device ] || skip "no blkio.throttle files"
	local maj min
	read -r maj min < <(first_block_dev) || skip "no block device on the host"
	update_config ".linux.resources.blockIO = {
		\"throttleReadBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 1048576}],
		\"throttleWriteIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 300}]}"
	run_detached
	[ "$(cg_read blkio blkio.throttle.read_bps_device)" = "$maj:$min 1048576" ]
	[ "$(cg_read blkio blkio.throttle.write_iops_device)" = "$maj:$min 300" ]
	in_ct 'cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device'
	[ "$output" = "$maj:$min 1048576" ]
}

@test "cgroups: blockIO weight reaches blkio.weight" {
	[ -f /sys/fs/cgroup/blkio/blkio.weight ] ||
		skip "this kernel has no blkio.weight (no CFQ/BFQ weight file in the v1 blkio root)"
	update_config '.linux.resources.blockIO = {"weight": 500}'
	run_detached
	[ "$(cg_read blkio blkio.weight)" = 500 ]
}

@test "cgroups: hugepageLimits reach hugetlb.*.limit_in_bytes" {
	has_controller hugetlb || skip "the hugetlb controller is not mounted on this host"
	local size
	size=$(ls /sys/fs/cgroup/hugetlb | sed -n 's/^hugetlb\.\([0-9]*[KMG]B\)\.limit_in_bytes$/\1/p' | head -1)
	[ -n "$size" ] || skip "no huge page size"
	update_config ".linux.resources.hugepageLimits = [{\"pageSize\": \"$size\", \"limit\": 0}]"
	run_detached
	[ "$(cg_read hugetlb "hugetlb.$size.limit_in_bytes")" = 0 ]
}

@test "cgroups: network classID reaches net_cls.classid" {
	has_controller net_cls || skip "the net_cls controller is not mounted on this host"
	update_config '.linux.resources.network = {"classID": 1048577}'
	run_detached
	[ "$(cg_read net_cls net_cls.classid)" = 1048577 ]
}

@test "cgroups: devices: a node outside the allow list cannot be opened" {
	update_config '.linux.devices = [{"path": "/dev/loop-control", "type": "c", "major": 10, "minor": 237,
		"fileMode": 438, "uid": 0, "gid": 0}]'
	set_args /bin/sh -c 'head -c 0 /dev/loop-control && echo opened'
	husk run "$CID"
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" != *opened* ]]
}

@test "cgroups: devices: an allow rule reaches devices.list and opens the node" {
	update_config '.linux.devices = [{"path": "/dev/loop-control", "type": "c", "major": 10, "minor": 237,
		"fileMode": 438, "uid": 0, "gid": 0}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "r"}]'
	run_detached
	cg_read devices devices.list | grep -qx 'c 10:237 r'
	# the default deny-all rule is in effect: no "a *:* rwm"
	! cg_read devices devices.list | grep -q '^a ' || fail "devices.list allows all: $(cg_read devices devices.list)"
	in_ct 'cat /sys/fs/cgroup/devices/devices.list'
	[[ "$output" == *"c 10:237 r"* ]]
	in_ct 'head -c 0 /dev/loop-control && echo opened'
	[ "$output" = opened ]
	husk exec "$CID" /bin/sh -c 'echo x >/dev/loop-control'
	[ "$status" -ne 0 ]
}

@test "cgroups: --systemd-cgroup with slice:prefix:name is a clear error without systemd" {
	[ ! -S /run/systemd/private ] || skip "systemd runs here: tests/vm/run-systemd.sh covers it"
	update_config ".linux.cgroupsPath = \"system.slice:husk:$TOKEN\""
	HUSK_GLOBAL_FLAGS=--systemd-cgroup husk run "$CID"
	[ "$status" -ne 0 ]
	if is_husk; then
		# the bus it tried, never a silent cgroupfs fallback
		[[ "$output" == *"--systemd-cgroup: no systemd to talk to"* ]]
		[[ "$output" == *"unix:path=/run/systemd/private"* ]]
		[[ "$output" == *"/run/dbus/system_bus_socket"* ]]
		[ "${#lines[@]}" -le 2 ]
	fi
	[ ! -d "/sys/fs/cgroup/memory/system.slice/husk-$TOKEN.scope" ]
	husk state "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "cgroups: the systemd form without --systemd-cgroup is refused with the reason" {
	requires husk # runc takes "a:b:c" as a plain relative directory name
	update_config ".linux.cgroupsPath = \"system.slice:husk:$TOKEN\""
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.cgroupsPath"* ]]
	[[ "$output" == *systemd* ]]
	check_no_debris
}

@test "cgroups: delete removes the container's cgroup in every controller" {
	run_detached
	local c dirs=()
	for c in memory cpu cpuset pids devices freezer blkio; do
		has_controller "$c" && dirs+=("$(cg_dir "$c")")
	done
	[ "${#dirs[@]}" -ge 5 ]
	husk delete --force "$CID"
	[ "$status" -eq 0 ]
	for c in "${dirs[@]}"; do
		[ ! -d "$c" ] || fail "$c still exists after delete"
	done
}

@test "cgroups: delete of a stopped container removes its cgroup" {
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ ! -d "/sys/fs/cgroup/memory$CGPATH" ]
}

@test "cgroups: on a hybrid host init and exec join the cgroup2 tree at the same path" {
	# runc's fs driver puts them in /sys/fs/cgroup/unified<cgroupsPath> too
	requires cgroups_hybrid
	local u="/sys/fs/cgroup/unified$CGPATH" pid xpid
	run_detached
	pid=$(container_pid "$CID")
	grep -qx "0::$CGPATH" "/proc/$pid/cgroup" || fail "v2 line: $(grep '^0::' "/proc/$pid/cgroup")"
	grep -qx "$pid" "$u/cgroup.procs" || fail "$pid not in $u"
	husk exec -d --pid-file "$BATS_TEST_TMPDIR/x.pid" "$CID" /bin/sleep 1000
	[ "$status" -eq 0 ]
	xpid=$(cat "$BATS_TEST_TMPDIR/x.pid")
	grep -qx "$xpid" "$u/cgroup.procs" || fail "exec'd $xpid not in $u"
	# what the container sees (no cgroup namespace here: the host path)
	in_ct 'cat /proc/self/cgroup'
	[[ "$output" == *"0::$CGPATH"* ]]
	# the commands that walk the cgroup still see both processes
	husk ps --format json "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$pid"* && "$output" == *"$xpid"* ]]
	husk events --stats "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"type":"stats"'* ]]
	husk pause "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = paused ]
	husk resume "$CID"
	[ "$status" -eq 0 ]
	husk kill --all "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	retry 50 0.1 process_dead "$xpid"
	husk delete "$CID"
	[ "$status" -eq 0 ]
	[ ! -d "$u" ] || fail "delete left $u"
}

@test "cgroups: with cgroup2 hidden under a tmpfs of only the v1 hierarchies, run still works" {
	# crun 1.8's view of a hybrid host (tests/bench/bench-lib.bash): mountinfo
	# still lists the covered cgroup2 mount, which is not there to join
	requires cgroups_hybrid
	update_config '.process.args = ["/bin/true"]'
	run timeout 30 unshare -m -- bash -c "source '$REPO_ROOT/tests/bench/bench-lib.bash' &&
		setup_v1_only_cgroups && '$HUSK' --root '$ROOT' run '$CID'"
	[ "$status" -eq 0 ] || fail "run in the v1-only view: $output"
}

@test "cgroups: a cgroup frozen before create is refused at once, naming it" {
	requires cgroups_v1
	has_controller freezer || skip "needs the v1 freezer"
	FROZEN_DIR="/sys/fs/cgroup/freezer$CGPATH"
	mkdir -p "$FROZEN_DIR"
	echo FROZEN >"$FROZEN_DIR/freezer.state"
	set_args /bin/true
	# before the fix: run hung (the init frozen before it reports back)
	HUSK_TIMEOUT=20 husk run -d "$CID"
	[ "$status" -ne 124 ] || fail "run hung on a frozen cgroup"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container's cgroup unexpectedly frozen"* ]] # runc 1.1's wording
	if is_husk; then
		[[ "$output" == *"$CGPATH"* ]]
	fi
	HUSK_TIMEOUT=20 husk create "$CID"
	[ "$status" -ne 124 ] && [ "$status" -ne 0 ]
	[[ "$output" == *"unexpectedly frozen"* ]]
	# nothing made: no state, no cgroup in the other hierarchies
	[ -z "$(container_status "$CID")" ]
	local m
	for m in $(cgroup_mounts); do
		[[ "$m" == */freezer ]] || [ ! -d "$m$CGPATH" ] || fail "left $m$CGPATH"
	done
}

@test "cgroups: a cgroup that already has a process is a warning, not an error" {
	requires cgroups_v1
	local m
	sleep 1000 </dev/null >/dev/null 2>&1 &
	STRAY_PID=$!
	for m in $(cgroup_mounts); do
		mkdir -p "$m$CGPATH"
		if [ -f "$m$CGPATH/cpuset.cpus" ]; then # empty sets take no task
			cat "$m/cpuset.cpus" >"$m$CGPATH/cpuset.cpus"
			cat "$m/cpuset.mems" >"$m$CGPATH/cpuset.mems"
		fi
		echo "$STRAY_PID" >"$m$CGPATH/cgroup.procs"
	done
	run_detached
	# runc 1.1: "container's cgroup is not empty: 1 process(es) found"
	grep -q "container's cgroup is not empty: 1 process(es) found" "$BATS_TEST_TMPDIR/run.err" ||
		fail "no warning: $(cat "$BATS_TEST_TMPDIR/run.err")"
	# out of the way, so delete is about the container alone
	leave_cgroup "$STRAY_PID"
	husk delete --force "$CID"
	[ "$status" -eq 0 ]
	for m in $(cgroup_mounts); do
		[ ! -d "$m$CGPATH" ] || rmdir "$m$CGPATH"
	done
}

@test "cgroups: on a hybrid host a relative cgroupsPath is relative to the runtime's own cgroup2 cgroup" {
	# then the v1 and v2 paths differ: ps and delete must still find the v2 one
	requires cgroups_hybrid
	local own="/sys/fs/cgroup/unified/husk-own-$TOKEN" pid
	update_config ".linux.cgroupsPath = \"husk-rel-$TOKEN\""
	mkdir "$own"
	set_args /bin/sleep 1000
	(
		echo "$BASHPID" >"$own/cgroup.procs"
		__husk run -d "$CID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1
	) || fail "run -d: $(cat "$BATS_TEST_TMPDIR/run.out")"
	pid=$(container_pid "$CID")
	# husk resolves it in every hierarchy the same way (the v1 ones too);
	# runc 1.1.5 puts the v2 cgroup at the root of the tree instead
	local want="/husk-own-$TOKEN/husk-rel-$TOKEN"
	is_husk || want="/husk-rel-$TOKEN"
	grep -qx "0::$want" "/proc/$pid/cgroup" || fail "v2 line: $(grep '^0::' "/proc/$pid/cgroup")"
	husk ps "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *" $pid "* ]]
	husk delete --force "$CID"
	[ "$status" -eq 0 ]
	[ ! -d "/sys/fs/cgroup/unified$want" ] || fail "delete left /sys/fs/cgroup/unified$want"
	rmdir "$own"
}
