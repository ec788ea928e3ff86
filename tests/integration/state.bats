#!/usr/bin/env bats
# husk state: the OCI state document through the lifecycle.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "state: created, with id, pid, bundle and ociVersion" {
	husk create "$CID"
	[ "$status" -eq 0 ]
	husk_stdout state "$CID"
	[ "$status" -eq 0 ]
	jq_ok ".id == \"$CID\""
	jq_ok '.status == "created"'
	jq_ok '.pid > 0'
	jq_ok ".bundle == \"$BUNDLE\""
	jq_ok '.ociVersion | test("^1\\.")'
}

@test "state: running after start" {
	set_args /bin/sleep 100
	husk create "$CID"
	husk start "$CID"
	husk_stdout state "$CID"
	[ "$status" -eq 0 ]
	jq_ok '.status == "running"'
}

@test "state: stopped after the process exits" {
	set_args /bin/true
	husk create "$CID"
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk_stdout state "$CID"
	[ "$status" -eq 0 ]
	jq_ok '.status == "stopped"'
}

@test "state: annotations of the config are reported" {
	update_config '.annotations = {"org.husk.test": "yes"}'
	husk create "$CID"
	husk_stdout state "$CID"
	[ "$status" -eq 0 ]
	jq_ok '.annotations["org.husk.test"] == "yes"'
}

@test "state: an unknown id fails and names it" {
	husk state nosuch-container
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuch-container* || "$output" == *"does not exist"* ]]
}

@test "state: a pid reused after the container died is not reported running" {
	set_args /bin/sleep 100
	husk run -d "$CID"
	[ "$status" -eq 0 ]
	kill -9 "$(container_pid "$CID")"
	wait_for_status "$CID" stopped
}
