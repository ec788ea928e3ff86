#!/usr/bin/env bats
# husk kill: signals by name and number, --all, errors.

load helpers

setup() {
	setup_bundle
	set_args /bin/sh -c 'trap "echo got-usr1 > /tmp/usr1" USR1; trap "exit 5" TERM; while true; do sleep 0.1; done'
}
teardown() { teardown_bundle; }

start_detached() {
	husk run -d "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	sleep 0.2 # let sh install its traps
}

@test "kill: default signal is TERM" {
	start_detached
	husk kill "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "kill: by name KILL" {
	start_detached
	husk kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "kill: by name with SIG prefix" {
	start_detached
	husk kill "$CID" SIGUSR1
	[ "$status" -eq 0 ]
	retry 30 0.1 test -e "$BUNDLE/rootfs/tmp/usr1"
	[ "$(container_status "$CID")" = running ]
}

@test "kill: by number" {
	start_detached
	husk kill "$CID" 10
	[ "$status" -eq 0 ]
	retry 30 0.1 test -e "$BUNDLE/rootfs/tmp/usr1"
	husk kill "$CID" 9
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "kill: an unknown signal name fails" {
	start_detached
	husk kill "$CID" SIGNOTASIGNAL
	[ "$status" -ne 0 ]
	[[ "$output" == *NOTASIGNAL* ]]
	[ "$(container_status "$CID")" = running ]
}

@test "kill: --all signals every process of the container" {
	requires cgroups_v1
	set_args /bin/sh -c 'sleep 100 & sleep 100 & wait'
	husk run -d "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	retry 20 0.1 sh -c "[ \$(grep -l HUSK_TEST_TOKEN=$TOKEN /proc/[0-9]*/environ 2>/dev/null | wc -l) -ge 3 ]"
	husk kill --all "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	retry 30 0.1 sh -c "[ -z \"\$(grep -l HUSK_TEST_TOKEN=$TOKEN /proc/[0-9]*/environ 2>/dev/null)\" ]"
}

@test "kill: an unknown id fails and names it" {
	husk kill nosuch-container KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuch-container* || "$output" == *"does not exist"* ]]
}

@test "kill: a stopped container cannot be signalled" {
	set_args /bin/true
	husk create "$CID"
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk kill "$CID" KILL
	[ "$status" -ne 0 ]
}
