#!/usr/bin/env bats
# husk create: the container exists, its init waits for start.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "create: status is created and the pid is alive" {
	set_args /bin/echo started
	husk create "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = created ]
	local pid
	pid=$(container_pid "$CID")
	[ "$pid" -gt 0 ]
	[ -d "/proc/$pid" ]
}

@test "create: the user process has not run before start" {
	set_args /bin/sh -c 'echo ran > /tmp/marker'
	husk create "$CID"
	[ "$status" -eq 0 ]
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/tmp/marker" ]
	husk start "$CID"
	[ "$status" -eq 0 ]
	retry 50 0.1 test -e "$BUNDLE/rootfs/tmp/marker"
}

@test "create: the init process is already in the container's namespaces" {
	husk create "$CID"
	[ "$status" -eq 0 ]
	local pid
	pid=$(container_pid "$CID")
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	[ "$(readlink "/proc/$pid/ns/uts")" != "$(readlink /proc/self/ns/uts)" ]
}

@test "create: --pid-file gets the container's pid" {
	husk create --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(container_pid "$CID")" ]
}

@test "create: --bundle from another directory" {
	cd /
	husk create --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	husk_stdout state "$CID"
	jq_ok ".bundle == \"$BUNDLE\""
}

@test "create: the container is in a cgroup named by cgroupsPath" {
	update_config ".linux.cgroupsPath = \"/husk-test-$TOKEN\""
	husk create "$CID"
	[ "$status" -eq 0 ]
	local pid
	pid=$(container_pid "$CID")
	grep -q ":/husk-test-$TOKEN\$" "/proc/$pid/cgroup"
}

@test "create: a created container can be deleted without --force" {
	husk create "$CID"
	[ "$status" -eq 0 ]
	local pid
	pid=$(container_pid "$CID")
	husk delete "$CID"
	[ "$status" -eq 0 ]
	process_dead "$pid"
	[ ! -e "$ROOT/$CID" ]
}

@test "create: a created container killed with KILL becomes stopped" {
	husk create "$CID"
	[ "$status" -eq 0 ]
	husk kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}
