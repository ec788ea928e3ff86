#!/usr/bin/env bats
# Failures: each gives a clear message naming what was wrong, a non-zero
# exit, and leaves nothing behind (state dir, mounts, cgroups, processes).
# The runtime under test may word messages its own way: the shared checks
# look for the offending value; husk's exact shape (one line naming
# config.json, the JSON path and the value) is checked under is_husk.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# fails_cleanly WORD...: the last husk command failed, its output names
# every WORD, and no debris is left right now (before teardown's delete).
fails_cleanly() {
	[ "$status" -ne 0 ] || fail "expected failure, got status 0"
	local w
	for w in "$@"; do
		[[ "$output" == *"$w"* ]] || fail "message does not name '$w'"
	done
	check_no_debris
}

# husk_one_line WORD...: for husk only, the error is exactly one line that
# names config.json and every WORD.
husk_one_line() {
	is_husk || return 0
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line, got ${#lines[@]}"
	local w
	for w in config.json "$@"; do
		[[ "$output" == *"$w"* ]] || fail "husk message does not name '$w'"
	done
}

@test "errors: unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "foo"}]'
	husk run "$CID"
	fails_cleanly foo
	husk_one_line "linux.namespaces[5].type"
}

@test "errors: empty process.args" {
	update_config '.process.args = []'
	husk run "$CID"
	fails_cleanly args
	husk_one_line "process.args"
}

@test "errors: relative process.cwd" {
	update_config '.process.cwd = "relative/dir"'
	husk run "$CID"
	fails_cleanly
	[[ "$output" == *[cC]wd* ]]
	husk_one_line "process.cwd" "relative/dir"
}

@test "errors: unknown rlimit type" {
	update_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	husk run "$CID"
	fails_cleanly RLIMIT_BOGUS
	husk_one_line "process.rlimits[0].type"
}

@test "errors: sysctl outside the container's namespaces" {
	update_config '.linux.sysctl = {"kernel.bogus_sysctl": "1"}'
	husk run "$CID"
	fails_cleanly kernel.bogus_sysctl
	husk_one_line "linux.sysctl"
}

@test "errors: negative uid" {
	update_config '.process.user.uid = -1'
	husk run "$CID"
	fails_cleanly uid
	husk_one_line "process.user.uid"
}

@test "errors: config.json that is not JSON" {
	echo 'not json {' >config.json
	husk run "$CID"
	fails_cleanly
	if is_husk; then
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *config.json* ]]
	fi
}

@test "errors: missing config.json" {
	rm config.json
	husk run "$CID"
	fails_cleanly config.json
}

@test "errors: missing rootfs names the path" {
	update_config '.root.path = "no-such-rootfs"'
	husk run "$CID"
	fails_cleanly no-such-rootfs
}

@test "errors: unknown capability is a warning, not an error (as runc)" {
	update_config '.process.capabilities.bounding += ["CAP_BOGUS"]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *CAP_BOGUS* ]]
}

@test "errors: unsupported ociVersion (husk rejects)" {
	requires husk
	update_config '.ociVersion = "9.9.9"'
	husk run "$CID"
	fails_cleanly 9.9.9
	husk_one_line ociVersion
}

@test "errors: a binary that does not exist" {
	set_args /no/such/binary
	husk run "$CID"
	fails_cleanly /no/such/binary
}

@test "errors: a mount of a missing source names it" {
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "/no/such/source", "options": ["bind"]}]'
	husk run "$CID"
	fails_cleanly /no/such/source
}

@test "errors: duplicate id is refused and the first container survives" {
	set_args /bin/sleep 100
	husk run -d "$CID"
	[ "$status" -eq 0 ]
	local pid
	pid=$(container_pid "$CID")
	husk create "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *exist* ]]
	if is_husk; then [[ "$output" == *"$CID"* ]]; fi
	[ "$(container_status "$CID")" = running ]
	[ "$(container_pid "$CID")" = "$pid" ]
	[ "$(test_processes | wc -l)" -eq 1 ]
}

@test "errors: delete of a running container without --force" {
	set_args /bin/sleep 100
	husk run -d "$CID"
	husk delete "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *running* ]]
	[ "$(container_status "$CID")" = running ]
}

@test "errors: kill of an unknown id" {
	husk kill nosuch-container KILL
	fails_cleanly
	[[ "$output" == *nosuch-container* || "$output" == *"does not exist"* ]]
	if is_husk; then [[ "$output" == *nosuch-container* ]]; fi
}

@test "errors: an invalid container id" {
	husk run "../escape"
	fails_cleanly
	[ ! -e "$ROOT/../escape" ]
}

@test "errors: a mount through a symlink pointing outside the rootfs stays inside" {
	local outside="$BATS_TEST_TMPDIR/outside"
	mkdir "$outside"
	ln -s "$outside" "$BUNDLE/rootfs/evil"
	update_config '.mounts += [{"destination": "/evil", "type": "tmpfs", "source": "tmpfs"}]'
	set_args /bin/sh -c 'touch /evil/escaped'
	husk run "$CID"
	# Either refused (husk names the path) or resolved inside the rootfs
	# (runc's securejoin): never a mount or a file on the host's side.
	if [ "$status" -ne 0 ]; then
		[[ "$output" == */evil* ]]
	fi
	[ ! -e "$outside/escaped" ]
	! grep -qF " $outside " /proc/self/mountinfo || fail "a mount on the host's side: $outside"
	check_no_debris
}

@test "errors: a relative symlink climbing out of the rootfs stays inside" {
	local outside="$BATS_TEST_TMPDIR/outside2"
	mkdir "$outside"
	ln -s ../../outside2 "$BUNDLE/rootfs/evil2"
	update_config '.mounts += [{"destination": "/evil2", "type": "tmpfs", "source": "tmpfs"}]'
	set_args /bin/sh -c 'touch /evil2/escaped'
	husk run "$CID"
	[ ! -e "$outside/escaped" ]
	! grep -qF " $outside " /proc/self/mountinfo || fail "a mount on the host's side: $outside"
	check_no_debris
}
