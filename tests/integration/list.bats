#!/usr/bin/env bats
# husk list: table, -q and --format json.

load helpers

setup() {
	setup_bundle
	set_args /bin/sleep 100
}
teardown() { teardown_bundle; }

@test "list: empty root prints only the header" {
	husk list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED*OWNER* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "list: a table row per container" {
	husk run -d "$CID"
	husk create "${CID}-b"
	husk list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED*OWNER* ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"$CID "*running*"$BUNDLE"* ]]
	[[ "$output" == *"${CID}-b "*created*"$BUNDLE"* ]]
}

@test "list -q: only the ids" {
	husk run -d "$CID"
	husk run -d "${CID}-b"
	husk list -q
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	printf '%s\n' "${lines[@]}" | grep -qx "$CID"
	printf '%s\n' "${lines[@]}" | grep -qx "${CID}-b"
}

@test "list --format json: an object per container" {
	husk run -d "$CID"
	husk_stdout list --format json
	[ "$status" -eq 0 ]
	jq_ok 'length == 1'
	jq_ok ".[0].id == \"$CID\""
	jq_ok '.[0].status == "running"'
	jq_ok '.[0].pid > 0'
	jq_ok ".[0].bundle == \"$BUNDLE\""
}

@test "list: a stopped container is listed as stopped" {
	set_args /bin/true
	husk create "$CID"
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk list
	[[ "$output" == *"$CID "*stopped* ]]
}
