#!/usr/bin/env bats
# Hooks: each kind runs at its point of the lifecycle, in its namespace,
# with the state on stdin, its args, env and timeout; failures as the spec
# says.

load ../helpers
load common

setup() {
	setup_bundle
	HOOKS="$BATS_TEST_TMPDIR/hooks"
	mkdir -p "$HOOKS"
	chmod 777 "$HOOKS"
}
teardown() { teardown_bundle; }

# hook_json NAME DIR: a hook that saves its stdin, its mount namespace and
# its name (appended to DIR/order) under DIR.  $0 of the script is NAME.
hook_json() {
	local script='cat >"$1/$0.state"; readlink /proc/self/ns/mnt >"$1/$0.mnt"; echo "$0" >>"$1/order"'
	jq -nc --arg s "$script" --arg n "$1" --arg d "$2" '{path: "/bin/sh", args: ["sh", "-c", $s, $n, $d]}'
}

# Every hook kind; startContainer runs in the container (its /bin/sh is
# busybox, its /tmp is rootfs/tmp).
all_hooks() {
	local k
	for k in prestart createRuntime createContainer poststart poststop; do
		update_config ".hooks.$k = [$(hook_json "$k" "$HOOKS")]"
	done
	update_config ".hooks.startContainer = [$(hook_json startContainer /tmp)]"
}

order() { tr '\n' ' ' <"$HOOKS/order" | sed 's/ $//'; }

@test "hooks: each kind runs at its point of the lifecycle, in order" {
	all_hooks
	set_args /bin/sleep 1000
	create_detached
	echo "order: $(order)" >&2
	if is_runc; then
		# runc 1.1 runs poststart during create (fixed in runc 1.2)
		[ "$(order)" = "prestart createRuntime createContainer poststart" ]
	else
		[ "$(order)" = "prestart createRuntime createContainer" ]
	fi
	[ ! -e "$BUNDLE/rootfs/tmp/startContainer.state" ]
	husk start "$CID"
	[ "$status" -eq 0 ]
	retry 50 0.1 test -e "$HOOKS/poststart.state"
	[ -e "$BUNDLE/rootfs/tmp/startContainer.state" ]
	[ "$(order)" = "prestart createRuntime createContainer poststart" ]
	husk kill "$CID" KILL
	wait_for_status "$CID" stopped
	[ ! -e "$HOOKS/poststop.state" ]
	husk delete "$CID"
	[ "$status" -eq 0 ]
	[ "$(order)" = "prestart createRuntime createContainer poststart poststop" ]
}

@test "hooks: the state on stdin has the id, pid, bundle and status of each point" {
	all_hooks
	update_config '.annotations = {"org.husk.test": "yes"}'
	set_args /bin/sleep 1000
	create_detached
	local pid
	pid=$(container_pid "$CID")
	husk start "$CID"
	retry 50 0.1 test -e "$HOOKS/poststart.state"
	husk delete --force "$CID"
	cp "$BUNDLE/rootfs/tmp/startContainer.state" "$HOOKS/" 2>/dev/null ||
		fail "startContainer did not run"
	local k hookpid
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		echo "$k: $(cat "$HOOKS/$k.state")" >&2
		hookpid=$pid
		# runc 1.1 runs these two from inside the pid namespace: pid 1
		if is_runc && [[ $k == *Container ]]; then hookpid=1; fi
		jq -e --arg id "$CID" --arg b "$BUNDLE" --argjson pid "$hookpid" \
			'.id == $id and .bundle == $b and .ociVersion != null
			 and .annotations["org.husk.test"] == "yes"
			 and (.pid == $pid or (.status == "stopped" and (.pid == null or .pid == 0)))' "$HOOKS/$k.state" ||
			fail "$k: wrong state"
	done
	# what runtime-tools' hooks_stdin checks (and crun gives): "created"
	# for every hook of create, "running" after start, then "stopped";
	# runc 1.1 says "creating" during create and "created" for poststart
	local during=created after=running
	if is_runc; then during=creating after=created; fi
	for k in prestart createRuntime createContainer; do
		jq -e --arg s "$during" '.status == $s' "$HOOKS/$k.state" || fail "$k: status"
	done
	jq -e '.status == "created"' "$HOOKS/startContainer.state"
	jq -e --arg s "$after" '.status == $s' "$HOOKS/poststart.state"
	jq -e '.status == "stopped"' "$HOOKS/poststop.state"
}

@test "hooks: prestart, createRuntime, poststart, poststop run in the runtime's mount namespace; createContainer, startContainer in the container's" {
	all_hooks
	set_args /bin/sleep 1000
	create_detached
	local host ct
	host=$(readlink /proc/self/ns/mnt)
	ct=$(readlink "/proc/$(container_pid "$CID")/ns/mnt")
	husk start "$CID"
	retry 50 0.1 test -e "$HOOKS/poststart.mnt"
	husk delete --force "$CID"
	[ "$(cat "$HOOKS/prestart.mnt")" = "$host" ]
	[ "$(cat "$HOOKS/createRuntime.mnt")" = "$host" ]
	[ "$(cat "$HOOKS/poststart.mnt")" = "$host" ]
	[ "$(cat "$HOOKS/poststop.mnt")" = "$host" ]
	[ "$(cat "$HOOKS/createContainer.mnt")" = "$ct" ]
	[ "$(cat "$BUNDLE/rootfs/tmp/startContainer.mnt")" = "$ct" ]
}

@test "hooks: args and env are passed exactly" {
	local script="printf '[%s]' \"\$0\" \"\$@\" >$HOOKS/args; env >$HOOKS/env"
	update_config ".hooks.createRuntime = [$(jq -nc --arg s "$script" '{path: "/bin/sh",
		args: ["my-argv0", "-c", $s, "zero", "a b", ""], env: ["HOOK_ONE=1", "HOOK_TWO=two words"]}')]"
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$HOOKS/args")" = "[zero][a b][]" ]
	grep -qx 'HOOK_ONE=1' "$HOOKS/env"
	grep -qx 'HOOK_TWO=two words' "$HOOKS/env"
	# nothing of the runtime's own environment
	! grep -q '^HUSK_TEST_TOKEN=\|^BATS_' "$HOOKS/env"
}

@test "hooks: the hook's path is what runs, args[0] is only its argv[0]" {
	local script="readlink /proc/\$\$/exe >$HOOKS/exe; tr '\\0' ' ' </proc/\$\$/cmdline >$HOOKS/cmdline"
	update_config ".hooks.createRuntime = [$(jq -nc --arg s "$script" '{path: "/bin/sh",
		args: ["not-a-shell", "-c", $s]}')]"
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(readlink -f "$(cat "$HOOKS/exe")")" = "$(readlink -f /bin/sh)" ]
	[[ "$(cat "$HOOKS/cmdline")" == "not-a-shell -c "* ]]
}

@test "hooks: a hanging hook is killed after its timeout and create fails" {
	update_config ".hooks.createRuntime = [{\"path\": \"/bin/sleep\",
		\"args\": [\"hook-$TOKEN\", \"30\"], \"timeout\": 1}]"
	set_args /bin/true
	local t0=$SECONDS
	husk create "$CID"
	[ "$status" -ne 0 ]
	[ $((SECONDS - t0)) -lt 10 ]
	sleep 0.5
	! pgrep -f "hook-$TOKEN" || fail "the hook still runs after its timeout"
	husk state "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "hooks: a failing createRuntime hook fails create and leaves nothing behind" {
	update_config '.hooks.createRuntime = [{"path": "/bin/false", "args": ["false"]}]'
	set_args /bin/true
	husk create "$CID"
	[ "$status" -ne 0 ]
	husk state "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "hooks: a failing prestart hook fails create and leaves nothing behind" {
	update_config '.hooks.prestart = [{"path": "/bin/false", "args": ["false"]}]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "hooks: a failing createContainer hook fails create and leaves nothing behind" {
	update_config '.hooks.createContainer = [{"path": "/bin/false", "args": ["false"]}]'
	set_args /bin/true
	husk create "$CID"
	[ "$status" -ne 0 ]
	husk state "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "hooks: a failing hook stops the hooks after it" {
	update_config ".hooks.createRuntime = [{\"path\": \"/bin/false\", \"args\": [\"false\"]},
		$(hook_json after "$HOOKS")]"
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[ ! -e "$HOOKS/after.state" ]
}

@test "hooks: a failing poststart hook only warns" {
	if is_runc; then skip "runc 1.1 kills the container when a poststart hook fails (the spec says warn)"; fi
	update_config ".hooks.poststart = [{\"path\": \"/bin/false\", \"args\": [\"false\"]},
		$(hook_json after "$HOOKS")]"
	set_args /bin/sleep 1000
	create_detached
	husk start "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	retry 20 0.1 test -e "$HOOKS/after.state"
}

@test "hooks: a failing poststop hook only warns and delete still succeeds" {
	update_config ".hooks.poststop = [{\"path\": \"/bin/false\", \"args\": [\"false\"]},
		$(hook_json after "$HOOKS")]"
	set_args /bin/true
	husk run "$CID"
	husk state "$CID"
	[ "$status" -ne 0 ]
	if ! is_runc; then [ -e "$HOOKS/after.state" ]; fi
	check_no_debris
}

@test "hooks: a hook path that does not exist fails create" {
	update_config '.hooks.createRuntime = [{"path": "/no/such/hook"}]'
	set_args /bin/true
	husk create "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}
