#!/usr/bin/env bats
# `kill --all` signals every process of the container's cgroup, also the
# ones that left pid 1's process tree.

load ../helpers
load common

setup() { setup_bundle; requires cgroups_v1; }
teardown() { teardown_bundle; }

cgroup_empty() {
	[ ! -s "$1/cgroup.procs" ]
}

@test "kill --all: every process in the container's cgroup gets the signal" {
	run_detached /bin/sh -c '(setsid sleep 1001 &); sh -c "sleep 1002 & sleep 1003" & sleep 1000'
	local cg
	cg=$(cg_dir pids)
	retry 30 0.1 test "$(wc -l <"$cg/cgroup.procs")" -ge 4
	husk kill --all "$CID" KILL
	[ "$status" -eq 0 ]
	retry 50 0.1 cgroup_empty "$cg"
	wait_for_status "$CID" stopped
}

@test "kill --all: reaches double-forked setsid processes outside pid 1's tree" {
	# without a pid namespace an orphan is re-parented to the host's init:
	# only the cgroup still knows it belongs to the container
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	run_detached /bin/sh -c '(setsid sh -c "sleep 1001 & exec sleep 1002" &); exec sleep 1000'
	local cg pid escaped
	cg=$(cg_dir pids)
	pid=$(container_pid "$CID")
	retry 30 0.1 test "$(wc -l <"$cg/cgroup.procs")" -ge 3
	escaped=$(grep -vx "$pid" "$cg/cgroup.procs")
	for p in $escaped; do
		[ "$(awk '{print $4}' "/proc/$p/stat")" != "$pid" ] || fail "$p is still a child of pid 1"
	done
	husk kill --all "$CID" TERM
	[ "$status" -eq 0 ]
	retry 50 0.1 cgroup_empty "$cg"
	for p in $escaped; do
		[ ! -d "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat")" = Z ] || fail "$p survived kill --all"
	done
}

@test "kill without --all signals only pid 1" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	run_detached /bin/sh -c '(setsid sleep 1001 &); exec sleep 1000'
	local cg
	cg=$(cg_dir pids)
	retry 30 0.1 test "$(wc -l <"$cg/cgroup.procs")" -ge 2
	husk kill "$CID" KILL
	[ "$status" -eq 0 ]
	sleep 0.5
	[ "$(wc -l <"$cg/cgroup.procs")" -ge 1 ] || fail "the escaped sleep died with pid 1"
	husk delete --force "$CID"
	[ "$status" -eq 0 ]
}
