#!/usr/bin/env bats
# runtime-spec v1.2.0 config.md: a test per MUST clause that applies to a
# Linux runtime.

load ../helpers
load ../isolation/common

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "config.md: ociVersion is REQUIRED" {
	update_config 'del(.ociVersion)'
	set_args /bin/true
	husk run "$CID"
	if is_runc; then skip "runc 1.1 does not require ociVersion"; fi
	[ "$status" -ne 0 ]
	[[ "$output" == *ociVersion* ]]
	check_no_debris
}

@test "config.md: root is REQUIRED on Linux" {
	update_config 'del(.root)'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config.md: root.path MUST be resolved relative to the bundle" {
	mv "$BUNDLE/rootfs" "$BUNDLE/other-root"
	update_config '.root.path = "other-root"'
	cd /
	set_args /bin/true
	__husk run --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 || fail "relative root.path not found"
}

@test "config.md: an absolute root.path is used as is" {
	update_config ".root.path = \"$BUNDLE/rootfs\""
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
}

@test "config.md: a directory MUST exist at root.path" {
	update_config '.root.path = "missing"'
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config.md: root.readonly true MUST make the root filesystem read-only" {
	update_config '.root.readonly = true'
	set_args /bin/sh -c 'touch /x 2>&1; grep " / / " /proc/self/mountinfo'
	husk run "$CID"
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$BUNDLE/rootfs/x" ]
}

@test "config.md: mounts MUST be mounted in the listed order" {
	update_config '.mounts += [{"destination": "/m", "type": "tmpfs", "source": "first"},
		{"destination": "/m/inner", "type": "tmpfs", "source": "second"}]'
	mkdir "$BUNDLE/rootfs/m"
	set_args /bin/sh -c 'grep -E " /m(/inner)? " /proc/self/mountinfo | awk "{print \$5, \$(NF-1)}"'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/m first" ]
	[ "${lines[1]}" = "/m/inner second" ]
}

@test "config.md: a later mount over the same destination shadows the earlier" {
	update_config '.mounts += [{"destination": "/m", "type": "tmpfs", "source": "first"},
		{"destination": "/m", "type": "tmpfs", "source": "second"}]'
	set_args /bin/sh -c 'grep " /m " /proc/self/mountinfo | tail -1 | awk "{print \$(NF-1)}"'
	husk run "$CID"
	[ "$output" = second ]
}

@test "config.md: mount options ro, nosuid, nodev, noexec are applied" {
	update_config '.mounts += [{"destination": "/m", "type": "tmpfs", "source": "tmpfs",
		"options": ["ro", "nosuid", "nodev", "noexec"]}]'
	set_args /bin/sh -c 'grep " /m " /proc/self/mountinfo | awk "{print \$6}"'
	husk run "$CID"
	[ "$status" -eq 0 ]
	local o
	for o in ro nosuid nodev noexec; do [[ ",$output," == *",$o,"* ]] || fail "no $o in $output"; done
}

@test "config.md: a bind mount (options bind) shows the host directory" {
	mkdir "$BATS_TEST_TMPDIR/src"
	echo from-host >"$BATS_TEST_TMPDIR/src/f"
	update_config ".mounts += [{\"destination\": \"/b\", \"source\": \"$BATS_TEST_TMPDIR/src\", \"options\": [\"bind\", \"ro\"]}]"
	set_args /bin/sh -c 'cat /b/f; touch /b/g'
	husk_stdout run "$CID"
	[ "${lines[0]}" = from-host ]
	[ ! -e "$BATS_TEST_TMPDIR/src/g" ]
}

@test "config.md: a relative mount destination MUST be taken relative to /" {
	update_config '.mounts += [{"destination": "rel", "type": "tmpfs", "source": "reltmpfs"}]'
	set_args /bin/sh -c 'grep " /rel " /proc/self/mountinfo | awk "{print \$(NF-1)}"'
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = reltmpfs ]
}

@test "config.md: process.args MUST be run with execvp semantics (PATH lookup)" {
	set_args sh -c 'echo via-path'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = via-path ]
}

@test "config.md: process.cwd is the working directory" {
	update_config '.process.cwd = "/tmp"'
	set_args /bin/pwd
	husk run "$CID"
	[ "$output" = /tmp ]
}

@test "config.md: process.cwd MUST be an absolute path" {
	update_config '.process.cwd = "tmp"'
	set_args /bin/pwd
	husk run "$CID"
	if is_runc; then skip "runc 1.1 accepts a relative cwd"; fi
	[ "$status" -ne 0 ]
}

@test "config.md: process.env is the environment of the process" {
	update_config '.process.env = ["A=1", "B=two words", "PATH=/bin"]'
	set_args /bin/env
	husk run "$CID"
	[[ "$output" == *"A=1"* ]]
	[[ "$output" == *"B=two words"* ]]
	[[ "$output" != *HUSK_TEST_TOKEN* ]]
}

@test "config.md: process.user uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [29, 44]}'
	run_checker ids
	jq_ok '.ids.uid == 1000 and .ids.gid == 1000 and (.ids.groups | sort) == [29, 44]'
}

@test "config.md: process.user.umask is applied" {
	update_config '.process.user.umask = 63'
	run_checker ids
	jq_ok '.ids.umask == "0077"'
}

@test "config.md: rlimits: soft MUST be rlim_cur and hard MUST be rlim_max" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 768},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096}]'
	set_args /bin/sh -c 'ulimit -Sn; ulimit -Hn; ulimit -Hc'
	husk run "$CID"
	[ "$(echo $output)" = "512 768 8" ] || [ "$(echo $output)" = "512 768 4096" ]
}

@test "config.md: rlimits: a type that cannot be mapped MUST be an error" {
	update_config '.process.rlimits = [{"type": "RLIMIT_HUSK", "soft": 1, "hard": 1}]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config.md: rlimits: duplicated types MUST be an error" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 100},
		{"type": "RLIMIT_NOFILE", "soft": 200, "hard": 200}]'
	set_args /bin/true
	husk run "$CID"
	if is_runc; then skip "runc 1.1 takes the last duplicate"; fi
	[ "$status" -ne 0 ]
}

@test "config.md: noNewPrivileges true prevents gaining privileges" {
	update_config '.process.noNewPrivileges = true'
	run_checker security
	jq_ok '.no_new_privs == 1'
	update_config '.process.noNewPrivileges = false'
	run_checker security
	jq_ok '.no_new_privs == 0'
}

@test "config.md: oomScoreAdj set MUST be written to oom_score_adj" {
	update_config '.process.oomScoreAdj = 123'
	set_args /bin/cat /proc/self/oom_score_adj
	husk run "$CID"
	[ "$output" = 123 ]
}

@test "config.md: oomScoreAdj unset MUST NOT change oom_score_adj" {
	update_config 'del(.process.oomScoreAdj)'
	set_args /bin/cat /proc/self/oom_score_adj
	husk run "$CID"
	[ "$output" = "$(cat /proc/self/oom_score_adj)" ]
}

@test "config.md: terminal true gives the process a pseudoterminal on its standard streams" {
	update_config '.process.terminal = true'
	set_args /bin/sh -c 'test -t 0 && test -t 1 && test -t 2 && tty'
	local sock="$BATS_TEST_TMPDIR/console.sock" out="$BATS_TEST_TMPDIR/tty.out"
	"$RECVTTY" "$sock" >"$out" 2>&1 &
	local rt=$!
	retry 50 0.1 test -S "$sock"
	husk run -d --console-socket "$sock" "$CID"
	[ "$status" -eq 0 ]
	local i
	for ((i = 0; i < 50; i++)); do kill -0 "$rt" 2>/dev/null || break; sleep 0.1; done
	kill "$rt" 2>/dev/null || true
	wait "$rt" 2>/dev/null || true
	grep -q '^/dev/pts/' "$out"
}

@test "config.md: hostname is the container's hostname" {
	update_config '.hostname = "spec-host"'
	set_args /bin/hostname
	husk run "$CID"
	[ "$output" = spec-host ]
}

@test "config.md: domainname is the container's NIS domain name" {
	update_config '.domainname = "spec.domain"'
	run_checker uts
	if is_runc; then skip "runc 1.1 predates domainname"; fi
	jq_ok '.domainname == "spec.domain"'
}

@test "config.md: unknown properties MUST be ignored" {
	update_config '.huskUnknown = {"a": 1} | .process.huskUnknown = true | .linux.huskUnknown = [1]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
}

@test "config.md: unknown annotations MUST NOT generate an error" {
	update_config '.annotations = {"org.example.unknown": "x", "io.husk.whatever": "y"}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
}

@test "config.md: invalid values MUST generate an error" {
	update_config '.process.user.uid = "root"'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config.md: hooks MUST be called in the listed order" {
	update_config ".hooks.createRuntime = [
		{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo 1 >>$BATS_TEST_TMPDIR/o\"]},
		{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo 2 >>$BATS_TEST_TMPDIR/o\"]},
		{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo 3 >>$BATS_TEST_TMPDIR/o\"]}]"
	set_args /bin/true
	husk run "$CID"
	[ "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/o")" = "1 2 3 " ]
}

@test "config.md: the state of the container MUST be passed to hooks over stdin" {
	update_config ".hooks.createRuntime = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat >$BATS_TEST_TMPDIR/st\"]}]"
	set_args /bin/true
	husk run "$CID"
	jq -e --arg id "$CID" '.id == $id and .status != null' "$BATS_TEST_TMPDIR/st"
}

@test "config.md: hook path MUST be absolute" {
	update_config '.hooks.createRuntime = [{"path": "true"}]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}

@test "config.md: hook timeout MUST be greater than zero" {
	update_config '.hooks.createRuntime = [{"path": "/bin/true", "timeout": 0}]'
	set_args /bin/true
	husk run "$CID"
	if is_runc; then skip "runc 1.1 treats timeout 0 as no timeout"; fi
	[ "$status" -ne 0 ]
}

@test "config.md: startContainer path MUST resolve in the container namespace" {
	# /only-in-container exists only in the rootfs
	printf '#!/bin/sh\necho ran >/tmp/start-hook\n' >"$BUNDLE/rootfs/only-in-container"
	chmod +x "$BUNDLE/rootfs/only-in-container"
	update_config '.hooks.startContainer = [{"path": "/only-in-container"}]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$BUNDLE/rootfs/tmp/start-hook")" = ran ]
}

@test "config.md: createRuntime and poststart paths MUST resolve in the runtime namespace" {
	printf '#!/bin/sh\ncat >/dev/null; echo "$0" >>%s/host-hooks\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/h.sh"
	chmod +x "$BATS_TEST_TMPDIR/h.sh"
	update_config ".hooks.createRuntime = [{\"path\": \"$BATS_TEST_TMPDIR/h.sh\", \"args\": [\"createRuntime\"]}]
		| .hooks.poststart = [{\"path\": \"$BATS_TEST_TMPDIR/h.sh\", \"args\": [\"poststart\"]}]"
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/host-hooks")" = "$BATS_TEST_TMPDIR/h.sh $BATS_TEST_TMPDIR/h.sh " ] ||
		[ "$(wc -l <"$BATS_TEST_TMPDIR/host-hooks")" -eq 2 ]
}
