#!/usr/bin/env bats
# husk delete: stopped, running with and without --force, unknown ids.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "delete: a stopped container is removed" {
	set_args /bin/true
	husk create "$CID"
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk delete "$CID"
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/$CID" ]
	husk state "$CID"
	[ "$status" -ne 0 ]
}

@test "delete: a running container without --force fails and keeps running" {
	set_args /bin/sleep 100
	husk run -d "$CID"
	husk delete "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$CID"* || "$output" == *running* ]]
	[ "$(container_status "$CID")" = running ]
	if is_husk; then
		[[ "$output" == *"$CID"* ]]
		[[ "$output" == *running* ]]
	fi
}

@test "delete --force: a running container is killed and removed" {
	set_args /bin/sleep 100
	husk run -d "$CID"
	local pid
	pid=$(container_pid "$CID")
	husk delete --force "$CID"
	[ "$status" -eq 0 ]
	process_dead "$pid"
	[ ! -e "$ROOT/$CID" ]
}

@test "delete: removes the container's cgroup" {
	requires cgroups_v1
	update_config ".linux.cgroupsPath = \"/husk-test-$TOKEN\""
	set_args /bin/sleep 100
	husk run -d "$CID"
	[ -n "$(find /sys/fs/cgroup -type d -name "husk-test-$TOKEN")" ]
	husk delete --force "$CID"
	[ "$status" -eq 0 ]
	[ -z "$(find /sys/fs/cgroup -type d -name "husk-test-$TOKEN")" ]
}

@test "delete: an unknown id fails and names it" {
	husk delete nosuch-container
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuch-container* || "$output" == *"does not exist"* ]]
}

@test "delete --force: an unknown id is not an error" {
	husk delete --force nosuch-container
	[ "$status" -eq 0 ]
}

@test "delete: a container whose init was killed from outside" {
	set_args /bin/sleep 100
	husk run -d "$CID"
	kill -9 "$(container_pid "$CID")"
	wait_for_status "$CID" stopped
	husk delete "$CID"
	[ "$status" -eq 0 ]
}
