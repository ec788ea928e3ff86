#!/usr/bin/env bats
# runtime-spec v1.2.0 runtime.md: a test per MUST clause that applies to a
# Linux runtime with runc's command line.

load ../helpers
load ../isolation/common

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "runtime.md: the state MUST include ociVersion, id, status, pid and bundle" {
	set_args /bin/sleep 1000
	create_detached
	husk_stdout state "$CID"
	[ "$status" -eq 0 ]
	jq_ok "(.ociVersion | type) == \"string\" and .id == \"$CID\" and .status == \"created\""
	jq_ok "(.pid | type) == \"number\" and .pid > 0"
	jq_ok ".bundle == \"$BUNDLE\""
}

@test "runtime.md: pid is the container process as seen by the host" {
	run_detached
	local pid
	pid=$(container_pid "$CID")
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'sleep 1000'
}

@test "runtime.md: bundle MUST be the absolute path of the bundle" {
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	cd "$BATS_TEST_TMPDIR/elsewhere"
	set_args /bin/sleep 1000
	__husk create --bundle ../bundle "$CID" </dev/null >/dev/null 2>&1 || fail "create --bundle ../bundle failed"
	husk_stdout state "$CID"
	jq_ok ".bundle == \"$BUNDLE\""
}

@test "runtime.md: annotations of the config MUST be in the state" {
	update_config '.annotations = {"org.example.key": "value"}'
	set_args /bin/sleep 1000
	create_detached
	husk_stdout state "$CID"
	jq_ok '.annotations["org.example.key"] == "value"'
}

@test "runtime.md: the id MUST be unique: create with an id in use is an error" {
	set_args /bin/sleep 1000
	create_detached
	local pid
	pid=$(container_pid "$CID")
	husk create "$CID"
	[ "$status" -ne 0 ]
	# and the first container is untouched
	[ "$(container_status "$CID")" = created ]
	[ "$(container_pid "$CID")" = "$pid" ]
}

@test "runtime.md: create MUST NOT run the user-specified program" {
	set_args /bin/touch /ran
	create_detached
	sleep 0.5
	[ ! -e "$BUNDLE/rootfs/ran" ]
	[ "$(container_status "$CID")" = created ]
	husk start "$CID"
	retry 30 0.1 test -e "$BUNDLE/rootfs/ran"
}

@test "runtime.md: after create the status MUST be created" {
	create_detached
	[ "$(container_status "$CID")" = created ]
}

@test "runtime.md: updates to config.json after create MUST NOT affect the container" {
	set_args /bin/sh -c 'echo first >/out'
	create_detached
	set_args /bin/sh -c 'echo second >/out'
	update_config '.hostname = "changed"'
	husk start "$CID"
	[ "$status" -eq 0 ]
	retry 30 0.1 test -s "$BUNDLE/rootfs/out"
	[ "$(cat "$BUNDLE/rootfs/out")" = first ]
}

@test "runtime.md: if the environment cannot be created, create MUST generate an error" {
	update_config '.root.path = "no-such-rootfs"'
	husk create "$CID"
	[ "$status" -ne 0 ]
}

@test "runtime.md: an error MUST leave the environment as if the operation were never attempted" {
	update_config '.mounts += [{"destination": "/x", "type": "bind", "source": "/no/such/source", "options": ["bind"]}]'
	husk create "$CID"
	[ "$status" -ne 0 ]
	husk state "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "runtime.md: state of a container that does not exist MUST generate an error" {
	husk state "nope-$TOKEN"
	[ "$status" -ne 0 ]
}

@test "runtime.md: state without an id MUST generate an error" {
	husk state
	[ "$status" -ne 0 ]
}

@test "runtime.md: create without an id MUST generate an error" {
	husk create
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "runtime.md: start MUST run the user-specified program and the status MUST be running" {
	set_args /bin/sleep 1000
	create_detached
	husk start "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	tr '\0' ' ' <"/proc/$(container_pid "$CID")/cmdline" | grep -q 'sleep 1000'
}

@test "runtime.md: start of a container that does not exist MUST generate an error" {
	husk start "nope-$TOKEN"
	[ "$status" -ne 0 ]
}

@test "runtime.md: start of a container that is not created MUST have no effect and MUST generate an error" {
	set_args /bin/sleep 1000
	create_detached
	husk start "$CID"
	[ "$status" -eq 0 ]
	local pid
	pid=$(container_pid "$CID")
	husk start "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = running ]
	[ "$(container_pid "$CID")" = "$pid" ]
}

@test "runtime.md: start of a stopped container MUST generate an error" {
	set_args /bin/true
	create_detached
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk start "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = stopped ]
}

@test "runtime.md: kill MUST send the signal to the container process" {
	set_args /bin/sh -c 'trap "echo got-usr1 >/sig; exit 0" USR1; while :; do sleep 0.1; done'
	create_detached
	husk start "$CID"
	sleep 0.3
	husk kill "$CID" USR1
	[ "$status" -eq 0 ]
	retry 30 0.1 test -e "$BUNDLE/rootfs/sig"
	wait_for_status "$CID" stopped
}

@test "runtime.md: kill of a created container sends the signal" {
	set_args /bin/sleep 1000
	create_detached
	husk kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "runtime.md: kill of a container that is neither created nor running MUST have no effect and MUST generate an error" {
	set_args /bin/true
	create_detached
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk kill "$CID" TERM
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = stopped ]
}

@test "runtime.md: kill of a container that does not exist MUST generate an error" {
	husk kill "nope-$TOKEN" TERM
	[ "$status" -ne 0 ]
}

@test "runtime.md: when the process stops the status MUST be stopped" {
	set_args /bin/sleep 1000
	create_detached
	husk start "$CID"
	kill -KILL "$(container_pid "$CID")"
	wait_for_status "$CID" stopped
}

@test "runtime.md: delete of a container that does not exist MUST generate an error" {
	husk delete "nope-$TOKEN"
	[ "$status" -ne 0 ]
}

@test "runtime.md: delete of a container whose process is running MUST generate an error" {
	run_detached
	husk delete "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = running ]
}

@test "runtime.md: delete MUST delete the resources created during create" {
	set_args /bin/true
	create_detached
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk delete "$CID"
	[ "$status" -eq 0 ]
	husk state "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "runtime.md: delete MUST NOT delete resources not created by the container" {
	# a bind-mounted host directory and a joined network namespace
	local src="$BATS_TEST_TMPDIR/keep" ns="husknet-$TOKEN"
	mkdir "$src"
	echo keep >"$src/file"
	ip netns add "$ns"
	update_config ".mounts += [{\"destination\": \"/keep\", \"type\": \"bind\", \"source\": \"$src\", \"options\": [\"rbind\"]}]
		| .linux.namespaces |= map(if .type == \"network\" then .path = \"/var/run/netns/$ns\" else . end)"
	set_args /bin/cat /keep/file
	husk run "$CID"
	local rc=$status
	[ -f "$src/file" ]
	[ -e "/var/run/netns/$ns" ] || fail "the joined netns was removed"
	ip netns del "$ns"
	[ "$rc" -eq 0 ]
	[ "$output" = keep ]
}

@test "runtime.md: once deleted, the id MAY be reused" {
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	husk run "$CID"
	[ "$status" -eq 0 ]
}

@test "runtime.md: prestart/createRuntime/createContainer failure MUST error, stop the container and delete it" {
	local k
	for k in prestart createRuntime createContainer; do
		update_config "del(.hooks) | .hooks.$k = [{\"path\": \"/bin/false\"}]"
		set_args /bin/sleep 1000
		husk create "$CID"
		[ "$status" -ne 0 ] || fail "$k failure did not fail create"
		husk state "$CID"
		[ "$status" -ne 0 ] || fail "$k failure left the container"
	done
	update_config 'del(.hooks)'
	check_no_debris
}

@test "runtime.md: startContainer failure MUST error and stop the container" {
	update_config '.hooks.startContainer = [{"path": "/bin/false"}]'
	set_args /bin/touch /ran
	create_detached
	husk start "$CID"
	# runc 1.1 runs startContainer in its init after `start` returned
	if ! is_runc; then [ "$status" -ne 0 ]; fi
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/ran" ]
	local s
	s=$(container_status "$CID")
	[ "$s" = stopped ] || [ -z "$s" ]
}

@test "runtime.md: poststart failure MUST only log a warning; the remaining hooks and lifecycle continue" {
	if is_runc; then skip "runc 1.1 fails the container on a poststart failure"; fi
	update_config ".hooks.poststart = [{\"path\": \"/bin/false\"},
		{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"touch $BATS_TEST_TMPDIR/second\"]}]"
	set_args /bin/sleep 1000
	create_detached
	husk start "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	[ -e "$BATS_TEST_TMPDIR/second" ]
}

@test "runtime.md: poststop hooks MUST be invoked after delete; a failure only warns" {
	update_config ".hooks.poststop = [{\"path\": \"/bin/false\"},
		{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"touch $BATS_TEST_TMPDIR/poststop\"]}]"
	set_args /bin/true
	create_detached
	husk start "$CID"
	wait_for_status "$CID" stopped
	[ ! -e "$BATS_TEST_TMPDIR/poststop" ]
	husk delete "$CID"
	[ "$status" -eq 0 ]
	# runc 1.1 stops at the failing hook
	if ! is_runc; then [ -e "$BATS_TEST_TMPDIR/poststop" ]; fi
	husk state "$CID"
	[ "$status" -ne 0 ]
}
