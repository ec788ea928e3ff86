#!/usr/bin/env bats
# The OCI runtime-spec validation programs of opencontainers/runtime-tools
# (260e151, built from ../shared/conformance by conformance.bash) against
# $HUSK.  One test per program that must pass (issue 11), then one that
# runs the rest and prints the table of all of them with the reason each
# one left fails here.
#
# Each program runs as root in the unpacked runtime-tools dir with
# RUNTIME= a wrapper that adds a --root of its own and TMPDIR= a dir of its
# own (its bundles), under a timeout.  runtime-tools never passes --root,
# so the wrapper is what isolates it from other runs on the host; after the
# program every container left in that root is deleted by id, and what the
# runtime could not delete, or mounts left under the program's dir, fail
# its test.
#
# Runtime-agnostic: with HUSK=runc or HUSK=crun a required program that
# this runtime is known to fail here is skipped with the reason.  crun 1.8
# refuses this machine's hybrid cgroup layout, so the wrapper runs it in a
# mount namespace whose /sys/fs/cgroup holds only the v1 hierarchies.
#
#   RT_TIMEOUT  seconds per program (default 120; the slowest take ~15 s)
#   RT_BUDGET   seconds for the whole file (default 1200): once spent, the
#               programs not run yet fail at once instead of running

load ../helpers
load ../tools/tools_helpers
load conformance

# Must pass with husk.  crun 1.8.1 passes all of them here but
# process_capabilities_fail, which husk fails too since it follows
# runtime-spec 1.1 there (below).
REQUIRED=(
	config_updates_without_affect create default delete_only_create_resources
	delete_resources hooks_stdin hostname kill kill_no_effect killsig
	linux_cgroups_cpus linux_cgroups_devices linux_cgroups_pids
	linux_cgroups_relative_cpus linux_cgroups_relative_devices
	linux_cgroups_relative_pids linux_devices linux_masked_paths
	linux_mount_label linux_ns_itype linux_ns_nopath linux_ns_path
	linux_ns_path_type linux_readonly_paths linux_rootfs_propagation
	linux_seccomp linux_sysctl linux_uid_mappings mounts poststart_fail
	poststop poststop_fail prestart_fail process process_capabilities_fail
	process_oom_score_adj process_rlimits_fail process_user
	root_readonly_true state
)

# Why the other programs fail here, with crun 1.8.1 and runc 1.1.5 too:
# this machine, or a bug of the program itself.
declare -gA KNOWN=(
	[delete]="program: expects delete of a created (not stopped) container to fail; runc, crun and husk delete it, as their clients rely on"
	[hooks]="program: waits for a string its own hook never prints (\"Hooks MUST be called in the listed order\")"
	[linux_cgroups_blkio]="machine: no blkio weight files (no BFQ/CFQ) on this kernel"
	[linux_cgroups_relative_blkio]="machine: no blkio weight files (no BFQ/CFQ) on this kernel"
	[linux_cgroups_hugetlb]="machine: no hugetlb cgroup hierarchy"
	[linux_cgroups_relative_hugetlb]="machine: no hugetlb cgroup hierarchy"
	[linux_cgroups_memory]="machine: the kernel ignores kmem limits (memory.kmem.limit_in_bytes reads back unlimited)"
	[linux_cgroups_relative_memory]="machine: the kernel ignores kmem limits (memory.kmem.limit_in_bytes reads back unlimited)"
	[linux_cgroups_network]="machine: no net_cls/net_prio cgroup hierarchy"
	[linux_cgroups_relative_network]="machine: no net_cls/net_prio cgroup hierarchy"
	[linux_process_apparmor_profile]="machine: no AppArmor (crun and runc refuse the profile; husk ignores it when AppArmor is off)"
	[misc_props]="program: runs /runtimetest without copying it into the bundle, and expects ociVersion \"invalid\" to be accepted"
	[pidfile]="program: counts as a failure the error the spec requires (kill of a container that has stopped)"
	[poststart]="program: races, reading the hook's output before the hook can have written it"
	[prestart]="program: expects prestart hooks not to have run after create, but the spec runs them during create"
	[process_capabilities]="machine: asks for every capability and CAP_SYS_RESOURCE is not in this machine's bounding set (capset EPERM)"
	[process_rlimits]="program: compares RLIMIT_NOFILE with the soft limit Go raised in the program itself"
	[start]="program: expects create to accept a config without process (then start to fail); runtimes refuse it at create"
)

# Required programs another runtime fails here (measured with runc 1.1.5
# and crun 1.8.1), so that the suite passes with them where they pass.
declare -gA OTHER_FAILS=(
	[runc:hooks_stdin]="runc 1.1 gives prestart the status \"creating\" and poststart \"created\""
	[runc:linux_cgroups_devices]="runc 1.1 writes its own default device rules after the config's"
	[runc:linux_cgroups_relative_devices]="runc 1.1 writes its own default device rules after the config's"
	[runc:linux_mount_label]="runc passes the SELinux context= mount option to a kernel without SELinux (EINVAL)"
	[runc:linux_rootfs_propagation]="runc 1.1 cannot bind a rootfs whose parent mount is unbindable (EINVAL)"
	[runc:linux_seccomp]="runc 1.1 checks the cwd after loading the program's errno-by-default profile (EPERM)"
	[runc:poststart_fail]="runc 1.1 runs poststart hooks during create and fails create with them"
	[runc:poststop_fail]="runc 1.1 fails delete when a poststop hook fails"
	[runc:process_capabilities_fail]="runc only warns about an unknown capability (runtime-spec 1.1: a warning)"
	[husk:process_capabilities_fail]="husk only warns about an unknown capability, as runtime-spec 1.1 requires (\"MUST be logged as a warning\", runtimes \"SHOULD NOT fail\") and runc and crun do; the program tests the older rule"
	[crun:process_capabilities_fail]="crun only warns about an unknown capability (runtime-spec 1.1: a warning)"
	[crun:linux_ns_itype]="on a hybrid host the wrapper runs crun in a mount namespace of its own (the v1-only view), which the container then inherits"
)

# What crun 1.8.1 (in a v1-only cgroup view) and runc 1.1.5 fail on this
# machine (2026-12, with the same verdicts as below), for the table.
CRUN_FAILS=" delete hooks linux_cgroups_blkio linux_cgroups_hugetlb linux_cgroups_memory
	linux_cgroups_network linux_cgroups_relative_blkio linux_cgroups_relative_hugetlb
	linux_cgroups_relative_memory linux_cgroups_relative_network linux_process_apparmor_profile
	misc_props pidfile prestart process_capabilities process_capabilities_fail process_rlimits start "
RUNC_FAILS=" delete hooks hooks_stdin linux_cgroups_blkio linux_cgroups_devices linux_cgroups_hugetlb
	linux_cgroups_memory linux_cgroups_network linux_cgroups_relative_blkio
	linux_cgroups_relative_devices linux_cgroups_relative_hugetlb linux_cgroups_relative_memory
	linux_cgroups_relative_network linux_mount_label linux_process_apparmor_profile
	linux_rootfs_propagation linux_seccomp misc_props pidfile poststart poststart_fail
	poststop_fail prestart process_capabilities process_capabilities_fail process_rlimits start "

# measured_here PROG LIST: "pass" or "fail" for the table
measured_here() {
	[[ "${2//[$'\t\n']/ }" == *" $1 "* ]] && echo fail || echo pass
}

# Programs that race by design: run up to 3 times before calling them failed.
declare -gA RACY=(
	[killsig]="signals sh right after start, before sh can have set its trap, and a pid-1 shell drops a signal it has no handler for: under load runc and crun lose half their runs too"
)

# Programs whose containers mount into the host's mount namespace: what
# they leave there is theirs, not debris (runc and crun leave it too).
declare -gA MOUNTS_STAY=(
	[linux_ns_itype]="no mount namespace: /proc, /dev, /sys of the container are mounted in the runtime's own namespace (config-linux.md: unlisted namespaces are inherited) and nobody unmounts them"
)

setup_file() {
	requires_root_file || return 0
	local rc=0
	conformance_build || rc=$?
	[ "$rc" -eq 2 ] && return 1 # in CI: the suites must build
	[ "$rc" -eq 0 ] || return 0 # SKIP_REASON says why
	export RT_DIR=$BATS_FILE_TMPDIR/rt RT_DEADLINE=$(($(date +%s) + ${RT_BUDGET:-1200}))
	mkdir -p "$RT_DIR"
	# the root of a user namespace (linux_uid_mappings, linux_ns_nopath)
	# must reach the bundles through bats' private tmpdirs
	local d=$RT_DIR
	while [ "$d" != / ]; do chmod a+x "$d"; d=$(dirname "$d"); done
	write_wrapper "$RT_DIR/runtime"
}

setup() {
	skip_without_prerequisites
}

requires_root_file() {
	[ "$(id -u)" -eq 0 ] && return 0
	export SKIP_REASON="the validation programs run as root"
	return 1
}

runtime_name() {
	case $(basename "$HUSK") in
	husk*) echo husk ;;
	runc*) echo runc ;;
	crun*) echo crun ;;
	*) basename "$HUSK" ;;
	esac
}

# write_wrapper FILE: the RUNTIME the programs call.  RT_ROOT (set per
# program) is its private state root.
write_wrapper() {
	local v1_only=
	# crun 1.8 refuses a hybrid host: give it a view with only the v1 hierarchies
	if [ "$(runtime_name)" = crun ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		v1_only=1
	fi
	# shellcheck disable=SC2016 # expanded by the wrapper, not here
	cat >"$1" <<-EOF
		#!/bin/sh
		# the runtime under test, with a state root of this program's own
		set -- "$HUSK" ${HUSK_GLOBAL_FLAGS:-} --root "\$RT_ROOT" "\$@"
		${v1_only:+exec unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec "\$0" "\$@"' "\$@"}
		exec "\$@"
	EOF
	chmod +x "$1"
}

__runtime() {
	RT_ROOT=$1 "$RT_DIR/runtime" "${@:2}"
}

# verdict DIR: "pass", or "fail: why", from the program's exit status and
# TAP.  A program that plans N tests passes when all N are ok; one that
# plans none (the lifecycle programs: "1..0") passes when it printed no
# diagnostic; the *_fail programs print no TAP at all and say it with
# their exit status.
verdict() {
	local d=$1 rc plan oks
	rc=$(cat "$d/rc")
	[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && { echo "fail: timed out after ${RT_TIMEOUT:-120}s"; return; }
	[ "$rc" -eq 0 ] || { echo "fail: exit status $rc"; return; }
	if grep -q '^not ok' "$d/tap"; then
		echo "fail: $(grep -c '^not ok' "$d/tap") not ok"
		return
	fi
	plan=$(grep -m1 -oE '^1\.\.[0-9]+' "$d/tap" | cut -c4-)
	oks=$(grep -c '^ok' "$d/tap" || true)
	if [ "${plan:-0}" -gt 0 ]; then
		[ "$oks" -eq "$plan" ] && echo pass || echo "fail: $oks of $plan ok"
		return
	fi
	if grep -q '^  ---' "$d/tap"; then
		echo "fail: $(grep -m1 '"error"' "$d/tap" | sed 's/^ *"error": *"//; s/\\n.*//; s/",\?$//' | cut -c1-100)"
		return
	fi
	echo pass
}

# cleanup_program DIR: deletes by id every container the program left in
# its root; sets $DEBRIS to what could not be removed.
cleanup_program() {
	local d=$1 id left=() mounts
	DEBRIS=
	for id in $(__runtime "$d/root" list -q 2>/dev/null); do
		left+=("$id")
		__runtime "$d/root" delete -f "$id" >>"$d/cleanup.log" 2>&1
	done
	[ ${#left[@]} -eq 0 ] || echo "left ${#left[@]} container(s), deleted: ${left[*]}" >>"$d/cleanup.log"
	id=$(__runtime "$d/root" list -q 2>/dev/null | tr '\n' ' ')
	[ -z "$id" ] || DEBRIS="containers that delete -f cannot remove: $id"
	mounts=$(grep -cF "$d/" /proc/self/mountinfo || true)
	if [ "$mounts" -gt 0 ]; then
		if [ -n "${MOUNTS_STAY[$(basename "$d")]:-}" ]; then
			echo "unmounted $mounts mount(s) the container made in the host's namespace" >>"$d/cleanup.log"
		else
			DEBRIS="${DEBRIS:+$DEBRIS; }$mounts mount(s) left under $d"
		fi
		umount_under "$d/"
	fi
	# cgroups.RelCgroupPath is testdir/cgrouptest/container: runtimes (runc
	# and crun too) remove the container's cgroup, not the parents it needed
	# and a container cgroup still there after delete is the runtime's leak
	local c cg left_cg=()
	for c in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		for cg in "$c/testdir/cgrouptest/container" "$c/cgrouptest"; do
			[ -d "$cg" ] || continue
			left_cg+=("${cg#/sys/fs/cgroup/}")
			rmdir "$cg" 2>/dev/null || true
		done
		rmdir "$c/testdir/cgrouptest" "$c/testdir" 2>/dev/null || true
	done
	[ ${#left_cg[@]} -eq 0 ] || DEBRIS="${DEBRIS:+$DEBRIS; }cgroups left after delete: ${left_cg[*]//\/\//\/}"
	rm -rf "$d/tmp"
}

# run_program PROG: one run in a fresh $PROG_DIR; the verdict in a file.
run_program() {
	rm -rf "$PROG_DIR"
	mkdir -p "$PROG_DIR/tmp" "$PROG_DIR/root"
	local rc=0 start=$SECONDS
	(cd "$RUNTIME_TOOLS" && TMPDIR=$PROG_DIR/tmp RT_ROOT=$PROG_DIR/root RUNTIME=$RT_DIR/runtime \
		timeout -k 10 "${RT_TIMEOUT:-120}" "validation/$1/$1.t" \
		>"$PROG_DIR/tap" 2>"$PROG_DIR/err" </dev/null) || rc=$?
	echo "$rc" >"$PROG_DIR/rc"
	echo $((SECONDS - start)) >"$PROG_DIR/seconds"
	cleanup_program "$PROG_DIR"
	echo "$DEBRIS" >"$PROG_DIR/debris"
	verdict "$PROG_DIR" >"$PROG_DIR/verdict"
}

# validate PROG: runs it once per file (later calls reuse the result);
# sets $VERDICT, $DEBRIS and $PROG_DIR.
validate() {
	local p=$1
	PROG_DIR=$RT_DIR/$p
	if [ ! -f "$PROG_DIR/verdict" ]; then
		[ -x "$RUNTIME_TOOLS/validation/$p/$p.t" ] || fail "no validation program $p in $RUNTIME_TOOLS"
		if [ "$(date +%s)" -ge "$RT_DEADLINE" ]; then
			mkdir -p "$PROG_DIR"
			echo "fail: not run, the budget of ${RT_BUDGET:-1200}s (RT_BUDGET) is spent" >"$PROG_DIR/verdict"
			echo 0 >"$PROG_DIR/seconds"
			: >"$PROG_DIR/debris"
			: >"$PROG_DIR/tap"
			: >"$PROG_DIR/err"
			echo 0 >"$PROG_DIR/rc"
		fi
	fi
	if [ ! -f "$PROG_DIR/verdict" ]; then
		local attempt runs=1 first='' debris=''
		[ -z "${RACY[$p]:-}" ] || runs=3
		for ((attempt = 1; attempt <= runs; attempt++)); do
			run_program "$p"
			debris=${debris:-$(cat "$PROG_DIR/debris")}
			[ "$(cat "$PROG_DIR/verdict")" != pass ] || break
			first=${first:-$(cat "$PROG_DIR/verdict")}
		done
		echo "$debris" >"$PROG_DIR/debris"
		if [ -n "$first" ] && [ "$(cat "$PROG_DIR/verdict")" = pass ]; then
			echo "pass (run $attempt of $runs, racy; the first: $first)" >"$PROG_DIR/verdict"
		fi
	fi
	VERDICT=$(cat "$PROG_DIR/verdict")
	DEBRIS=$(cat "$PROG_DIR/debris")
}

# show_failure: the failed points of the TAP with their diagnostics, and
# what the program printed on stderr.
show_failure() {
	echo "--- $(basename "$PROG_DIR"): $VERDICT (exit $(cat "$PROG_DIR/rc"), $(cat "$PROG_DIR/seconds")s; full TAP: $PROG_DIR/tap)"
	if grep -qE '^1\.\.[1-9]' "$PROG_DIR/tap"; then
		awk '/^not ok/ { show = 1; print; next } /^ok/ { show = 0; next }
		     show { print; if ($0 ~ /^  \.\.\.$/) show = 0 }' "$PROG_DIR/tap" | head -80
	else
		head -60 "$PROG_DIR/tap"
	fi
	echo "--- stderr:"
	head -40 "$PROG_DIR/err"
	[ ! -s "$PROG_DIR/cleanup.log" ] || { echo "--- cleanup:"; head -20 "$PROG_DIR/cleanup.log"; }
}

required() {
	validate "$1"
	if [ -n "$DEBRIS" ]; then
		show_failure >&2
		fail "$1 left debris: $DEBRIS"
	fi
	[[ "$VERDICT" != pass* ]] || return 0
	local other=${OTHER_FAILS[$(runtime_name):$1]:-}
	[ -z "$other" ] || skip "$(runtime_name) fails $1 here: $other"
	show_failure >&2
	fail "$1: $VERDICT"
}

@test "runtime-tools: config_updates_without_affect" { required config_updates_without_affect; }
@test "runtime-tools: create" { required create; }
@test "runtime-tools: default" { required default; }
@test "runtime-tools: delete_only_create_resources" { required delete_only_create_resources; }
@test "runtime-tools: delete_resources" { required delete_resources; }
@test "runtime-tools: hooks_stdin" { required hooks_stdin; }
@test "runtime-tools: hostname" { required hostname; }
@test "runtime-tools: kill" { required kill; }
@test "runtime-tools: kill_no_effect" { required kill_no_effect; }
@test "runtime-tools: killsig" { required killsig; }
@test "runtime-tools: linux_cgroups_cpus" { required linux_cgroups_cpus; }
@test "runtime-tools: linux_cgroups_devices" { required linux_cgroups_devices; }
@test "runtime-tools: linux_cgroups_pids" { required linux_cgroups_pids; }
@test "runtime-tools: linux_cgroups_relative_cpus" { required linux_cgroups_relative_cpus; }
@test "runtime-tools: linux_cgroups_relative_devices" { required linux_cgroups_relative_devices; }
@test "runtime-tools: linux_cgroups_relative_pids" { required linux_cgroups_relative_pids; }
@test "runtime-tools: linux_devices" { required linux_devices; }
@test "runtime-tools: linux_masked_paths" { required linux_masked_paths; }
@test "runtime-tools: linux_mount_label" { required linux_mount_label; }
@test "runtime-tools: linux_ns_itype" { required linux_ns_itype; }
@test "runtime-tools: linux_ns_nopath" { required linux_ns_nopath; }
@test "runtime-tools: linux_ns_path" { required linux_ns_path; }
@test "runtime-tools: linux_ns_path_type" { required linux_ns_path_type; }
@test "runtime-tools: linux_readonly_paths" { required linux_readonly_paths; }
@test "runtime-tools: linux_rootfs_propagation" { required linux_rootfs_propagation; }
@test "runtime-tools: linux_seccomp" { required linux_seccomp; }
@test "runtime-tools: linux_sysctl" { required linux_sysctl; }
@test "runtime-tools: linux_uid_mappings" { required linux_uid_mappings; }
@test "runtime-tools: mounts" { required mounts; }
@test "runtime-tools: poststart_fail" { required poststart_fail; }
@test "runtime-tools: poststop" { required poststop; }
@test "runtime-tools: poststop_fail" { required poststop_fail; }
@test "runtime-tools: prestart_fail" { required prestart_fail; }
@test "runtime-tools: process" { required process; }
@test "runtime-tools: process_capabilities_fail" { required process_capabilities_fail; }
@test "runtime-tools: process_oom_score_adj" { required process_oom_score_adj; }
@test "runtime-tools: process_rlimits_fail" { required process_rlimits_fail; }
@test "runtime-tools: process_user" { required process_user; }
@test "runtime-tools: root_readonly_true" { required root_readonly_true; }
@test "runtime-tools: state" { required state; }

# Every program, the required ones from the tests above: the whole table,
# as TAP comments.  Fails only for a program that is neither required nor
# explained above (a new one in runtime-tools), or one that left debris.
@test "runtime-tools: every validation program, the table" {
	local p n=0 passed=0 req note unexplained=() debris=()
	local -A is_required=()
	for p in "${REQUIRED[@]}"; do is_required[$p]=1; done
	{
		printf '# %-32s %-8s %-5s %-5s %-4s %s\n' program required crun runc time "result ($(runtime_name))"
		for p in "$RUNTIME_TOOLS"/validation/*/; do
			p=$(basename "$p")
			[ -x "$RUNTIME_TOOLS/validation/$p/$p.t" ] || continue
			validate "$p"
			n=$((n + 1))
			req=-
			[ -z "${is_required[$p]:-}" ] || req=yes
			note=
			if [[ "$VERDICT" == pass* ]]; then
				passed=$((passed + 1))
			elif [ "$req" = yes ]; then
				note=${OTHER_FAILS[$(runtime_name):$p]:-REQUIRED}
			elif [ -n "${KNOWN[$p]:-}" ]; then
				note=${KNOWN[$p]}
			else
				unexplained+=("$p")
				note="not explained: classify it in runtime-tools.bats"
			fi
			[ -z "$DEBRIS" ] || { debris+=("$p"); note="${note:+$note; }debris: $DEBRIS"; }
			printf '# %-32s %-8s %-5s %-5s %3ss %s%s\n' "$p" "$req" "$(measured_here "$p" "$CRUN_FAILS")" \
				"$(measured_here "$p" "$RUNC_FAILS")" "$(cat "$PROG_DIR/seconds")" "$VERDICT" "${note:+ ($note)}"
		done
		echo "# $(runtime_name): $passed of $n programs pass"
	} >&3
	[ "$n" -gt 0 ] || fail "no validation programs in $RUNTIME_TOOLS/validation"
	[ ${#unexplained[@]} -eq 0 ] || fail "failing and not explained: ${unexplained[*]}"
	[ ${#debris[@]} -eq 0 ] || fail "left debris: ${debris[*]}"
}
