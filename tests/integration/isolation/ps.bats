#!/usr/bin/env bats
# `ps`: the table, --format json, and ps(1) arguments.

load ../helpers
load common

setup() { setup_bundle; requires cgroups_v1; }
teardown() { teardown_bundle; }

@test "ps: the table lists the container's processes with a PID column" {
	run_detached /bin/sh -c 'sleep 1000 & sleep 1001'
	local pid
	pid=$(container_pid "$CID")
	retry 20 0.1 pgrep -f 'sleep 1001' >/dev/null
	husk_stdout ps "$CID"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	echo "$output" | awk 'NR > 1 { print $2 }' | grep -qx "$pid"
	[ "$(echo "$output" | grep -c sleep)" -ge 2 ]
}

@test "ps --format json: a JSON array of the cgroup's pids" {
	run_detached /bin/sh -c 'sleep 1000 & sleep 1001'
	local pid
	pid=$(container_pid "$CID")
	sleep 0.3
	husk_stdout ps --format json "$CID"
	[ "$status" -eq 0 ]
	jq_ok 'type == "array" and all(.[]; type == "number")'
	jq_ok "index($pid) != null"
	[ "$(echo "$output" | jq length)" -eq "$(wc -l <"$(cg_dir pids)/cgroup.procs")" ]
}

@test "ps: arguments after the id go to ps(1)" {
	run_detached
	local pid
	pid=$(container_pid "$CID")
	husk_stdout ps "$CID" -o pid,comm
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | awk '{print $1, $2}')" = "PID COMMAND" ]
	echo "$output" | grep -Eq "^ *$pid +sleep\$"
}

@test "ps: an unknown container is an error" {
	husk ps "nope-$TOKEN"
	[ "$status" -ne 0 ]
}
