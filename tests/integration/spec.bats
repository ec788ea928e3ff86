#!/usr/bin/env bats
# husk spec: the template config.json.

load helpers

setup() {
	setup_bundle
	rm "$BUNDLE/config.json"
}
teardown() { teardown_bundle; }

@test "spec: writes a valid config.json in the current directory" {
	husk spec
	[ "$status" -eq 0 ]
	[ -f config.json ]
	jq -e '.ociVersion | test("^1\\.")' config.json
	jq -e '.process.args | length > 0' config.json
	jq -e '.root.path == "rootfs"' config.json
	jq -e '[.linux.namespaces[].type] | index("mount")' config.json
}

@test "spec: the generated config runs the busybox rootfs" {
	husk spec
	[ "$status" -eq 0 ]
	update_config '.process.terminal = false | .process.args = ["/bin/echo", "from-spec"]'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *from-spec* ]]
}

@test "spec --bundle: writes into the given directory" {
	mkdir "$BATS_TEST_TMPDIR/other"
	cd /
	husk spec --bundle "$BATS_TEST_TMPDIR/other"
	[ "$status" -eq 0 ]
	jq -e . "$BATS_TEST_TMPDIR/other/config.json"
	[ ! -e /config.json ]
}

@test "spec --rootless: a user namespace with mappings" {
	husk spec --rootless
	[ "$status" -eq 0 ]
	jq -e '[.linux.namespaces[].type] | index("user")' config.json
	jq -e '.linux.uidMappings | length > 0' config.json
	jq -e '.linux.gidMappings | length > 0' config.json
	jq -e '[.linux.namespaces[].type] | index("network") | not' config.json
}

@test "spec: refuses to overwrite an existing config.json" {
	echo '{"mine": true}' >config.json
	husk spec
	[ "$status" -ne 0 ]
	[[ "$output" == *config.json* ]]
	[ "$(jq -c . config.json)" = '{"mine":true}' ]
}
