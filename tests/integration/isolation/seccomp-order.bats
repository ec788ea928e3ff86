#!/usr/bin/env bats
# What the runtime itself does once the container's filter is loaded.  A
# profile whose default action is an errno (runtime-tools', Docker's) only
# lists what the container needs: the runtime must not call anything else
# after loading it (close_range above all), and startContainer hooks run
# under it, as runc runs them.  Also the ENOSYS answer for syscalls newer
# than the profile (runc's patchbpf stub).

load ../helpers
load common

setup_file() {
	command -v gcc >/dev/null || skip "needs gcc"
	gcc -static -O2 -o "$BATS_FILE_TMPDIR/sysc" "$BATS_TEST_DIRNAME/sysc.c"
}

setup() {
	setup_bundle
	install -m 0755 "$BATS_FILE_TMPDIR/sysc" "$BUNDLE/rootfs/bin/sysc"
}
teardown() { teardown_bundle; }

ARCHES='["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'

# syscall_names EXCLUDED...: every syscall the kernel headers know but these.
syscall_names() {
	local ex=() n
	for n in "$@"; do ex+=(-e "$n"); done
	sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' /usr/include/x86_64-linux-gnu/asm/unistd_64.h |
		grep -vx "${ex[@]}" | jq -R . | jq -sc .
}

# errno_profile EXCLUDED...: default EPERM, everything else allowed.
errno_profile() {
	local names
	names=$(syscall_names "$@")
	[ "$(echo "$names" | jq length)" -gt 300 ] || skip "no kernel syscall table in /usr/include"
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ERRNO\",
		\"architectures\": $ARCHES, \"syscalls\": [{\"names\": $names, \"action\": \"SCMP_ACT_ALLOW\"}]}"
}

@test "seccomp order: an errno-default profile without close_range, noNewPrivileges false" {
	errno_profile close_range
	update_config '.process.noNewPrivileges = false'
	set_args /bin/echo hello
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "seccomp order: an errno-default profile without close_range, noNewPrivileges true" {
	errno_profile close_range
	update_config '.process.noNewPrivileges = true'
	set_args /bin/echo hello
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "seccomp order: no fd of the runtime crosses execve when close_range is denied" {
	errno_profile close_range
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/ls /proc/self/fd
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	# 0-2 and the fd ls opened on /proc/self/fd
	[ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "seccomp order: create with an errno-default profile and a user, then start" {
	errno_profile close_range
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10]}'
	set_args /bin/sh -c 'id -u > /tmp/id; id -G >> /tmp/id'
	create_detached
	husk start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	[ "$(cat "$BUNDLE/rootfs/tmp/id" | tr '\n' ' ')" = "1000 1000 10 " ]
}

# start_hook_under_filter NNP: a startContainer hook tries mkdir, which the
# container's profile denies with EACCES (13).
start_hook_under_filter() {
	update_config ".process.noNewPrivileges = $1
		| .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": $ARCHES,
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}
		| .hooks.startContainer = [{\"path\": \"/bin/sysc\", \"args\": [\"sysc\", \"mkdir\", \"/from-hook\"]}]"
	set_args /bin/true
	create_detached
	husk start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	[ ! -e "$BUNDLE/rootfs/from-hook" ]
}

@test "seccomp order: startContainer hooks run under the container's filter (noNewPrivileges true)" {
	start_hook_under_filter true
}

@test "seccomp order: startContainer hooks run under the container's filter (noNewPrivileges false)" {
	start_hook_under_filter false
}

# names_up_to N EXCLUDED...: the syscalls numbered up to N, but these.
names_up_to() {
	local max=$1 ex=(-e '^$') n
	shift
	for n in "$@"; do ex+=(-e "^$n\$"); done
	awk -v max="$max" '$1 == "#define" && $2 ~ /^__NR_/ && $3 + 0 <= max { sub(/^__NR_/, "", $2); print $2 }' \
		/usr/include/x86_64-linux-gnu/asm/unistd_64.h | grep -v "${ex[@]}" | jq -R . | jq -sc .
}

# errno_profile_up_to N EXCLUDED...: default EPERM; allowed: syscalls up to N.
errno_profile_up_to() {
	local names
	names=$(names_up_to "$@")
	[ "$(echo "$names" | jq length)" -gt 300 ] || skip "no kernel syscall table in /usr/include"
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ERRNO\",
		\"architectures\": $ARCHES, \"syscalls\": [{\"names\": $names, \"action\": \"SCMP_ACT_ALLOW\"}]}"
}

@test "seccomp ENOSYS: a syscall above every one the profile names fails with ENOSYS" {
	# the profile knows syscalls up to 434; faccessat2 (439) is newer
	errno_profile_up_to 434
	set_args /bin/sysc nr 439
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "errno 38" ]
}

@test "seccomp ENOSYS: a syscall below the highest named one gets the default action" {
	# mkdirat (258) is left out of a profile that names up to 434
	errno_profile_up_to 434 mkdir mkdirat
	set_args /bin/sysc mkdir /x
	husk_stdout run "$CID"
	[ "$output" = "errno 1" ]
}

@test "seccomp ENOSYS: not with a default action that allows" {
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": $ARCHES,
		\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"
	# 439 is allowed: faccessat2(0, NULL, 0, 0) fails on its own arguments
	set_args /bin/sysc nr 439
	husk_stdout run "$CID"
	[ "$output" = "errno 14" ]
}

@test "seccomp ENOSYS: defaultErrnoRet below the highest named syscall, ENOSYS above" {
	errno_profile_up_to 434 mkdir mkdirat
	update_config '.linux.seccomp.defaultErrnoRet = 18'
	set_args /bin/sh -c '/bin/sysc mkdir /x; /bin/sysc nr 439'
	husk_stdout run "$CID"
	[ "$(echo $output)" = "errno 18 errno 38" ]
}

@test "seccomp ENOSYS: clone3 unnamed by a profile that names newer syscalls fails with ENOSYS" {
	is_husk || skip "husk's rule: runc 1.1 returns the default errno here"
	# names up to 439 without clone3 (435): glibc must fall back to clone
	errno_profile_up_to 439 clone3
	set_args /bin/sysc nr 435
	husk_stdout run "$CID"
	[ "$output" = "errno 38" ]
	# named with its own action, the profile's word holds
	update_config '.linux.seccomp.syscalls += [{"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]'
	husk_stdout run "$CID"
	[ "$output" = "errno 1" ]
}

@test "seccomp order: noNewPrivileges false, a profile without the identity change's syscalls" {
	is_husk || skip "runc loads the filter before its own setgroups/setresuid and sync writes"
	# none of these is the container's: husk calls them, before the filter
	errno_profile close_range setgroups setresgid setresuid umask sendmsg sendto openat write
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10]}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	create_detached
	husk start "$CID"
	[ "$status" -eq 0 ]
}

@test "seccomp order: noNewPrivileges false, the configured capabilities hold under the filter" {
	errno_profile close_range
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_NET_RAW", "CAP_CHOWN"], "effective": ["CAP_NET_RAW"],
			"permitted": ["CAP_NET_RAW"], "inheritable": ["CAP_NET_RAW"], "ambient": ["CAP_NET_RAW"]}'
	set_args /bin/grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	# CAP_NET_RAW is bit 13, CAP_CHOWN bit 0
	[ "$(echo $output)" = "CapInh: 0000000000002000 CapPrm: 0000000000002000 CapEff: 0000000000002000 CapBnd: 0000000000002001 CapAmb: 0000000000002000" ]
}

@test "seccomp order: in a user namespace, noNewPrivileges false, a non-root user" {
	requires userns
	use_userns 100000 100000 65536
	errno_profile close_range
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/sh -c 'id -u; grep Seccomp: /proc/self/status'
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "1000 Seccomp: 2" ]
}
