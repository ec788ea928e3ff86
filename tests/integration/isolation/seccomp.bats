#!/usr/bin/env bats
# linux.seccomp: default actions, every action, argument operators,
# architectures, flags and SCMP_ACT_NOTIFY with a real agent.  The basic
# errno/errnoRet, kill_process, args EQ, exec and unknown-name cases are in
# ../security.bats.

load ../helpers
load common

setup_file() {
	command -v gcc >/dev/null || skip "needs gcc"
	gcc -static -O2 -o "$BATS_FILE_TMPDIR/sysc" "$BATS_TEST_DIRNAME/sysc.c"
	gcc -O2 -o "$BATS_FILE_TMPDIR/seccomp-agent" "$BATS_TEST_DIRNAME/seccomp-agent.c"
}

setup() {
	setup_bundle
	install -m 0755 "$BATS_FILE_TMPDIR/sysc" "$BUNDLE/rootfs/bin/sysc"
}
teardown() { teardown_bundle; }

ARCHES='["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'

# seccomp_rule ACTION EXTRA: default allow, one rule on mkdir/mkdirat.
seccomp_rule() {
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": $ARCHES,
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"$1\" ${2:-}}]}"
}

@test "seccomp: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet, SCMP_ACT_ALLOW for the rest" {
	# allow every syscall the kernel headers know except mkdir/mkdirat
	local names
	names=$(sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' /usr/include/x86_64-linux-gnu/asm/unistd_64.h |
		grep -vx -e mkdir -e mkdirat | jq -R . | jq -sc .)
	[ "$(echo "$names" | jq length)" -gt 300 ] || skip "no kernel syscall table in /usr/include"
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 18,
		\"architectures\": $ARCHES, \"syscalls\": [{\"names\": $names, \"action\": \"SCMP_ACT_ALLOW\"}]}"
	set_args /bin/sysc mkdir /x
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "errno 18" ]
	[ ! -e "$BUNDLE/rootfs/x" ]
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet fails with EPERM" {
	seccomp_rule SCMP_ACT_ERRNO
	set_args /bin/sysc mkdir /x
	husk_stdout run "$CID"
	[ "$output" = "errno 1" ]
}

@test "seccomp: SCMP_ACT_KILL kills the thread with SIGSYS (exit 159)" {
	seccomp_rule SCMP_ACT_KILL
	set_args /bin/sysc mkdir /x
	husk run "$CID"
	[ "$status" -eq 159 ]
	[ ! -e "$BUNDLE/rootfs/x" ]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS on mkdir (exit 159)" {
	seccomp_rule SCMP_ACT_KILL_PROCESS
	set_args /bin/sysc mkdir /x
	husk run "$CID"
	[ "$status" -eq 159 ]
}

@test "seccomp: SCMP_ACT_TRAP sends SIGSYS (exit 159)" {
	seccomp_rule SCMP_ACT_TRAP
	set_args /bin/sysc mkdir /x
	husk run "$CID"
	[ "$status" -eq 159 ]
	[ ! -e "$BUNDLE/rootfs/x" ]
}

@test "seccomp: SCMP_ACT_LOG lets the syscall run" {
	seccomp_rule SCMP_ACT_LOG
	set_args /bin/sysc mkdir /x
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	[ -d "$BUNDLE/rootfs/x" ]
}

@test "seccomp: SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS" {
	seccomp_rule SCMP_ACT_TRACE
	set_args /bin/sysc mkdir /x
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "errno 38" ]
}

# op_case OP VALUE [VALUETWO] -- CALLARG=EXPECT...: personality(CALLARG)
# gets EPERM ("errno 1") or runs ("ok") under one args rule.
op_case() {
	local op=$1 value=$2 two=${3:-0}
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"syscalls\": [{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\",
		\"args\": [{\"index\": 0, \"value\": $value, \"valueTwo\": $two, \"op\": \"$op\"}]}]}"
	shift 3
	local script="" pair
	for pair in "$@"; do script+="echo ${pair%%=*}=\$(sysc personality ${pair%%=*}); "; done
	set_args /bin/sh -c "$script"
	husk_stdout run "$CID"
	[ "$status" -eq 0 ] || return 1
	for pair in "$@"; do
		local want=${pair#*=}
		[ "$want" = deny ] && want="errno 1" || want=ok
		echo "$output" | grep -qx "${pair%%=*}=$want" || fail "$op $value: personality(${pair%%=*}) is not '$want'"
	done
	__husk delete --force "$CID" >/dev/null 2>&1 || true
}

@test "seccomp: args SCMP_CMP_EQ denies only personality(0xffffffff)" {
	op_case SCMP_CMP_EQ 4294967295 0 0xffffffff=deny 0=allow 8=allow
}

@test "seccomp: args SCMP_CMP_NE, LT, LE, GT, GE" {
	op_case SCMP_CMP_NE 8 0 8=allow 9=deny 0=deny
	op_case SCMP_CMP_LT 8 0 7=deny 8=allow 9=allow
	op_case SCMP_CMP_LE 8 0 8=deny 9=allow 0=deny
	op_case SCMP_CMP_GT 8 0 9=deny 8=allow 0=allow
	op_case SCMP_CMP_GE 8 0 8=deny 7=allow 0xffffffff=deny
}

@test "seccomp: args SCMP_CMP_MASKED_EQ compares (arg & value) with valueTwo" {
	op_case SCMP_CMP_MASKED_EQ 255 8 0x0108=deny 0x0008=deny 0x0109=allow 0=allow
}

@test "seccomp: two args conditions on one syscall must both hold" {
	# mkdirat(dirfd, path, mode): deny only for mode 0755 with dirfd AT_FDCWD
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 0, "value": 4294967196, "op": "SCMP_CMP_EQ"},
		         {"index": 2, "value": 493, "op": "SCMP_CMP_EQ"}]},
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 1, "value": 493, "op": "SCMP_CMP_EQ"}]}]}'
	set_args /bin/sh -c 'sysc mkdir /a; mkdir -m 700 /b && echo b-made'
	husk_stdout run "$CID"
	[ "${lines[0]}" = "errno 1" ]
	[ "${lines[1]}" = b-made ]
}

@test "seccomp: architectures: the native arch listed alone still filters" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	set_args /bin/sysc mkdir /x
	husk_stdout run "$CID"
	[ "$output" = "errno 13" ]
}

@test "seccomp: an unknown architecture is an error" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_HUSK"],
		"syscalls": []}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	if is_husk; then [[ "$output" == *SCMP_ARCH_HUSK* ]]; fi
	check_no_debris
}

@test "seccomp: an unknown action is an error" {
	seccomp_rule SCMP_ACT_HUSK_BOGUS
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	if is_husk; then [[ "$output" == *SCMP_ACT_HUSK_BOGUS* ]]; fi
	check_no_debris
}

@test "seccomp: flags SECCOMP_FILTER_FLAG_LOG and SPEC_ALLOW are accepted" {
	if is_runc; then skip "runc 1.1 refuses seccomp flags (\"not yet supported by runc\")"; fi
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args /bin/sysc mkdir /x
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "errno 1" ]
}

@test "seccomp: an unknown flag is an error" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"flags": ["SECCOMP_FILTER_FLAG_HUSK"], "syscalls": []}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	if is_husk; then [[ "$output" == *SECCOMP_FILTER_FLAG_HUSK* ]]; fi
}

# notify_run ANSWER: runs `sysc mkdir /notified` under SCMP_ACT_NOTIFY with
# the agent answering ANSWER; the agent's state file is $STATE.
notify_run() {
	local sock="$BATS_TEST_TMPDIR/agent.sock"
	STATE="$BATS_TEST_TMPDIR/agent.state"
	"$BATS_FILE_TMPDIR/seccomp-agent" "$sock" "$STATE" "$1" >"$BATS_TEST_TMPDIR/agent.out" 2>&1 &
	local agent=$!
	retry 50 0.1 grep -q ready "$BATS_TEST_TMPDIR/agent.out"
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": $ARCHES,
		\"listenerPath\": \"$sock\", \"listenerMetadata\": \"meta-$TOKEN\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	set_args /bin/sysc mkdir /notified
	husk_stdout run "$CID"
	kill "$agent" 2>/dev/null || true
	wait "$agent" 2>/dev/null || true
}

@test "seccomp: notify: the agent answers success and the syscall returns 0 unexecuted" {
	notify_run ok
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	[ ! -e "$BUNDLE/rootfs/notified" ]
	cat "$STATE" >&2
	jq -e --arg id "$CID" --arg meta "meta-$TOKEN" --arg b "$BUNDLE" \
		'.fds == ["seccompFd"] and .metadata == $meta and .pid > 0
		 and .state.id == $id and .state.pid == .pid and .state.bundle == $b
		 and (.state.status == "creating" or .state.status == "created" or .state.status == "running")' "$STATE"
}

@test "seccomp: notify: the agent answers an errno and the syscall fails with it" {
	notify_run 28
	[ "$status" -eq 0 ]
	[ "$output" = "errno 28" ]
	[ ! -e "$BUNDLE/rootfs/notified" ]
}

@test "seccomp: notify without listenerPath is an error" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	check_no_debris
}
