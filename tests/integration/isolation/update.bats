#!/usr/bin/env bats
# `update` with runc's flags and with -r resources.json: the new values are
# in the cgroup files afterwards.

load ../helpers
load common

setup() {
	setup_bundle
	requires cgroups_v1
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 134217728}
		| .linux.resources.pids = {"limit": 100}'
}
teardown() { teardown_bundle; }

@test "update: memory flags (--memory, --memory-swap, --memory-reservation)" {
	run_detached
	husk update --memory 100M --memory-swap 200M --memory-reservation 50M "$CID"
	[ "$status" -eq 0 ]
	[ "$(cg_read memory memory.limit_in_bytes)" = 104857600 ]
	[ "$(cg_read memory memory.soft_limit_in_bytes)" = 52428800 ]
	[ "$(cg_read memory memory.memsw.limit_in_bytes)" = 209715200 ]
	# lowering below the old values works too (order of writes matters on v1)
	husk update --memory 33554432 --memory-swap 33554432 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cg_read memory memory.limit_in_bytes)" = 33554432 ]
	[ "$(cg_read memory memory.memsw.limit_in_bytes)" = 33554432 ]
}

@test "update: cpu flags (--cpu-share, --cpu-quota, --cpu-period, --cpuset-cpus)" {
	run_detached
	husk update --cpu-share 256 --cpu-period 200000 --cpu-quota 40000 --cpuset-cpus 0 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cg_read cpu cpu.shares)" = 256 ]
	[ "$(cg_read cpu cpu.cfs_period_us)" = 200000 ]
	[ "$(cg_read cpu cpu.cfs_quota_us)" = 40000 ]
	[ "$(cg_read cpuset cpuset.cpus)" = 0 ]
	husk exec "$CID" /bin/cat /sys/fs/cgroup/cpu/cpu.shares
	[ "$output" = 256 ]
}

@test "update: --pids-limit" {
	run_detached
	husk update --pids-limit 42 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cg_read pids pids.max)" = 42 ]
}

@test "update: -r resources.json" {
	run_detached
	cat >"$BATS_TEST_TMPDIR/r.json" <<'JSON'
{"memory": {"limit": 90000000, "reservation": 40000000},
 "cpu": {"shares": 300, "quota": 30000, "period": 100000},
 "pids": {"limit": 33}}
JSON
	husk update -r "$BATS_TEST_TMPDIR/r.json" "$CID"
	[ "$status" -eq 0 ]
	# the kernel rounds memory to the page size
	[ "$(cg_read memory memory.limit_in_bytes)" = $((90000000 / 4096 * 4096)) ]
	[ "$(cg_read memory memory.soft_limit_in_bytes)" = $((40000000 / 4096 * 4096)) ]
	[ "$(cg_read cpu cpu.shares)" = 300 ]
	[ "$(cg_read cpu cpu.cfs_quota_us)" = 30000 ]
	[ "$(cg_read pids pids.max)" = 33 ]
}

@test "update: -r - reads resources from stdin" {
	run_detached
	echo '{"pids": {"limit": 21}}' | __husk update -r - "$CID"
	[ "$(cg_read pids pids.max)" = 21 ]
}

@test "update: an unknown container is an error" {
	husk update --pids-limit 5 "nope-$TOKEN"
	[ "$status" -ne 0 ]
	if is_husk; then [[ "$output" == *"nope-$TOKEN"* ]]; fi
}

@test "update: a stopped container is an error" {
	set_args /bin/true
	create_detached
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk update --pids-limit 5 "$CID"
	[ "$status" -ne 0 ]
}

@test "update: a negative or overflowing --memory is refused and changes nothing" {
	run_detached
	for m in -1k 99999999999t 10x; do
		husk update --memory "$m" "$CID"
		[ "$status" -ne 0 ]
		[[ "$output" == *"$m"* ]]
	done
	[ "$(cg_read memory memory.limit_in_bytes)" = 67108864 ]
	husk update --memory -1 "$CID"
	[ "$status" -eq 0 ]
}
