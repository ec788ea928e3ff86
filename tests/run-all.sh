#!/bin/bash
# The single entry point of husk's tests:
#   1. build (meson + ninja), a release build and an ASan+UBSan build,
#   2. the unit suite (meson test) in both,
#   3. every *.bats under tests/integration (recursively, so new suites need
#      no edit here) against build/runtime/cli/husk, TAP output,
#   4. the lifecycle suites again against the ASan build, and huskd's API
#      and pod suites with the ASan build of huskd, then every other
#      integration directory once with husk, huskd and the holder of the
#      ASan build,
#   5. tests/vm/run-cgroup-v2.sh and tests/vm/run-systemd.sh when present,
# then counts and prints as its LAST line "N passed, N failed, N skipped".
# Exits non-zero on any failure.
#
# Environment: BUILD (default build), ASAN_BUILD (default build-asan),
# SKIP_ASAN=1, SKIP_VM=1, BATS_FILTER (a regex passed to bats -f).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
LOGDIR=${LOGDIR:-$REPO/tests/.tmp/logs}
mkdir -p "$LOGDIR"
rm -f "$LOGDIR"/*.tap "$LOGDIR"/*.log

passed=0 failed=0 skipped=0
section() { printf '\n=== %s ===\n' "$*"; }

# count_tap FILE: adds a TAP stream's results to the totals.
count_tap() {
	local ok notok skip
	skip=$(grep -cE '^ok .*# [sS][kK][iI][pP]' "$1")
	ok=$(grep -cE '^ok ' "$1")
	notok=$(grep -cE '^not ok ' "$1")
	passed=$((passed + ok - skip))
	failed=$((failed + notok))
	skipped=$((skipped + skip))
	echo "--- $(basename "$1"): $((ok - skip)) passed, $notok failed, $skip skipped"
}

# step NAME CMD...: a build step counts as one test.
step() {
	local name=$1
	shift
	if "$@" >"$LOGDIR/$name.log" 2>&1; then
		echo "ok - $name" | tee "$LOGDIR/$name.tap"
	else
		tail -40 "$LOGDIR/$name.log"
		echo "not ok - $name (log: $LOGDIR/$name.log)" | tee "$LOGDIR/$name.tap"
		return 1
	fi
}

build() { # build DIR [MESON-ARGS...]
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" || return 1
	fi
	ninja -C "$dir"
}

# meson's own summary ("Ok: N", "Fail: N", ...) turned into TAP lines.
unit_tests() {
	local dir=$1 tap=$2
	meson test -C "$dir" --suite unit --print-errorlogs >"$LOGDIR/unit-$(basename "$dir").log" 2>&1
	local rc=$?
	# Result lines only (meson repeats failures under "Summary of Failures").
	awk '/^Summary of Failures/ { exit } /^ *[0-9]+\/[0-9]+ / { print }' \
		"$LOGDIR/unit-$(basename "$dir").log" |
		sed -E 's/^ *[0-9]+\/[0-9]+ +//' | while read -r line; do
		case $line in
		*" OK "* | *" EXPECTEDFAIL "*) echo "ok - unit($dir): $line" ;;
		*" SKIP "*) echo "ok - unit($dir): $line # skip" ;;
		*) echo "not ok - unit($dir): $line" ;;
		esac
	done >"$tap"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$tap"; then
		echo "not ok - unit($dir): meson test failed (rc=$rc)" >>"$tap"
	fi
	cat "$tap"
}

run_bats() { # run_bats TAP-FILE HUSK-BINARY FILES...
	local tap=$1 husk=$2
	shift 2
	local filter=()
	[ -n "${BATS_FILTER:-}" ] && filter=(-f "$BATS_FILTER")
	# --timing: each test's duration in the log, for keeping CI within its time
	HUSK=$husk bats --tap --timing "${filter[@]}" "$@" 2>&1 | tee "$tap"
}

# Everything runs from one function, parsed whole before it starts: editing
# this file while a run is in progress cannot derail that run.
# vm_section NAME TITLE COMMAND...: one guest suite as NAME.tap; a run that
# exits non-zero without a failed check is a failure of its own.
vm_section() {
	local name=$1 title=$2 rc
	shift 2
	section "$title"
	if "$@" 2>&1 | tee "$LOGDIR/$name.log"; then rc=0; else rc=1; fi
	grep -E '^(not )?ok ' "$LOGDIR/$name.log" >"$LOGDIR/$name.tap"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$LOGDIR/$name.tap"; then
		echo "not ok - ${*: -1} exited non-zero ($title)" >>"$LOGDIR/$name.tap"
	fi
}

main() {
	SECONDS=0
	section "build ($BUILD)"
	step build build "$BUILD"
	# warnings are errors in every buildtype; the benchmarks use this one
	step build-release build build-release -Dbuildtype=release
	if [ -z "${SKIP_ASAN:-}" ]; then
		section "build ($ASAN_BUILD, address+undefined)"
		step build-asan build "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false
	fi

	section "unit tests"
	[ -f "$BUILD/build.ninja" ] && unit_tests "$BUILD" "$LOGDIR/unit.tap"
	if [ -z "${SKIP_ASAN:-}" ] && [ -f "$ASAN_BUILD/build.ninja" ]; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			unit_tests "$ASAN_BUILD" "$LOGDIR/unit-asan.tap"
	fi

	HUSK_BIN=$REPO/$BUILD/runtime/cli/husk
	# the daemon, client and pod tool of the same build, never a sanitizer one
	export HUSKD=$REPO/$BUILD/sandbox/huskd/huskd HUSKCTL=$REPO/$BUILD/sandbox/huskctl/huskctl
	export HUSK_POD=$REPO/$BUILD/sandbox/podctl/husk-pod
	mapfile -t all_bats < <(find tests/integration -name '*.bats' ! -path '*/.*' | sort)
	if [ -x "$HUSK_BIN" ]; then
		section "integration (${#all_bats[@]} files, HUSK=$HUSK_BIN)"
		run_bats "$LOGDIR/integration.tap" "$HUSK_BIN" "${all_bats[@]}"
	else
		echo "not ok - integration: $HUSK_BIN was not built" | tee "$LOGDIR/integration.tap"
	fi

	# The release binary is what users install and the benchmarks time, and
	# only it has the sealed re-exec before glibc's start (seal_entry.c):
	# that path, the CVE-2019-5736 suite, exec and run once more.
	local release_bin=$REPO/build-release/runtime/cli/husk
	if [ -x "$release_bin" ]; then
		section "release binary (HUSK=$release_bin)"
		run_bats "$LOGDIR/release.tap" "$release_bin" tests/integration/seal-entry.bats \
			tests/integration/isolation/cve.bats tests/integration/exec-one-stage.bats \
			tests/integration/run.bats
		sed -i 's/^\(\(not \)\?ok [0-9]* \)/\1[release] /' "$LOGDIR/release.tap"
	fi

	# The tools suites (podman, containerd) and critest again with runc as the
	# runtime, from the same script: a scenario failing only with husk is husk's.
	if [ -x /usr/sbin/runc ] && [ -d tests/integration/tools ]; then
		section "tools suites with runc, for reference"
		mapfile -t tools < <(find tests/integration/tools tests/integration/conformance/critest.bats -name '*.bats' | sort)
		run_bats "$LOGDIR/tools-runc.tap" /usr/sbin/runc "${tools[@]}"
		sed -i 's/^\(\(not \)\?ok [0-9]* \)/\1[runc] /' "$LOGDIR/tools-runc.tap"
	fi

	# libFuzzer targets (clang, ASan+UBSan), FUZZ_SECONDS each (default 20,
	# one per core at a time), one TAP line per target.  They are CPU-bound
	# and the ASan passes below mostly wait on containers and clients: the
	# fuzzers run beside them at the lowest priority (nice 19), on the
	# cycles the tests leave idle, and are reported after them.
	local fuzz_pid=
	if [ -z "${SKIP_FUZZ:-}" ] && [ -x tests/fuzz/run-fuzzers.sh ]; then
		nice -n 19 tests/fuzz/run-fuzzers.sh "${FUZZ_SECONDS:-20}" >"$LOGDIR/fuzz.tap" 2>&1 &
		fuzz_pid=$!
	fi

	ASAN_BIN=$REPO/$ASAN_BUILD/runtime/cli/husk
	if [ -z "${SKIP_ASAN:-}" ]; then
		# The lifecycle suites (top-level files) again under ASan+UBSan; valgrind
		# cannot run an ASan binary.
		mapfile -t lifecycle < <(find tests/integration -maxdepth 1 -name '*.bats' ! -name '.*' ! -name valgrind.bats | sort)
		if [ -x "$ASAN_BIN" ]; then
			section "integration under ASan+UBSan (HUSK=$ASAN_BIN)"
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86 \
				UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
				run_bats "$LOGDIR/integration-asan.tap" "$ASAN_BIN" "${lifecycle[@]}"
		else
			echo "not ok - integration-asan: $ASAN_BIN was not built" | tee "$LOGDIR/integration-asan.tap"
		fi
		# huskd's API and pod suites with huskd itself under ASan+UBSan (its
		# reports land in each test's huskd.log, which teardown checks)
		if [ -x "$REPO/$ASAN_BUILD/sandbox/huskd/huskd" ]; then
			section "huskd under ASan+UBSan"
			HUSKD=$REPO/$ASAN_BUILD/sandbox/huskd/huskd \
				ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
				UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
				run_bats "$LOGDIR/huskd-asan.tap" "$HUSK_BIN" \
				tests/integration/huskd/api.bats tests/integration/huskd/pods.bats
			sed -i 's/^\(\(not \)\?ok [0-9]* \)/\1[huskd-asan] /' "$LOGDIR/huskd-asan.tap"
		fi
		# Every other integration directory once under ASan+UBSan (the
		# *-1.20.bats twins, the same requests from an older kubectl, only in
		# the plain pass), with husk,
		# huskd, husk-pod and the pod holder all of the ASan tree.  Reports of
		# processes no helper captures (husk under podman or containerd,
		# huskd, the holder) go to log_path files: each teardown checks them
		# (helpers.bash check_sanitizer_reports); any left over fail here.
		# Left to the plain pass for CI's time: critest against huskd (its
		# CRI paths run under ASan in cri/*.bats) and kubectl explain (the
		# schema is served by every kubectl suite here).
		mapfile -t subdirs < <(find tests/integration -mindepth 2 -name '*.bats' ! -path '*/.*' \
			! -path tests/integration/huskd/api.bats ! -path tests/integration/huskd/pods.bats \
			! -name '*-1.20.bats' ! -name critest-huskd.bats ! -name kubectl-explain.bats | sort)
		if [ -x "$ASAN_BIN" ] && [ -x "$REPO/$ASAN_BUILD/sandbox/huskd/huskd" ]; then
			section "integration subdirectories under ASan+UBSan (${#subdirs[@]} files)"
			local san=$LOGDIR/sanitizer a=$REPO/$ASAN_BUILD
			rm -rf "$san" && mkdir -p "$san"
			HUSK_SANITIZER_LOG_DIR=$san HUSKD=$a/sandbox/huskd/huskd HUSKCTL=$a/sandbox/huskctl/huskctl \
				HUSK_POD=$a/sandbox/podctl/husk-pod \
				ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86:log_path=$san/asan \
				UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$san/ubsan \
				run_bats "$LOGDIR/subdirs-asan.tap" "$ASAN_BIN" "${subdirs[@]}"
			sed -i 's/^\(\(not \)\?ok [0-9]* \)/\1[asan] /' "$LOGDIR/subdirs-asan.tap"
			for f in "$san"/*; do
				[ -f "$f" ] && [[ "$f" != *.seen ]] || continue
				echo "not ok - [asan] a sanitizer report no test claimed: $f"
				sed 's/^/# /' "$f" | head -40
			done | tee -a "$LOGDIR/subdirs-asan.tap"
		fi
	fi

	if [ -n "$fuzz_pid" ]; then
		section "fuzzers (tests/fuzz/run-fuzzers.sh ${FUZZ_SECONDS:-20}, beside the ASan passes)"
		wait "$fuzz_pid" || true
		cat "$LOGDIR/fuzz.tap"
	fi

	if [ -z "${SKIP_VM:-}" ]; then
		vm_section vm "cgroup v2 (tests/vm/run-cgroup-v2.sh)" tests/vm/run-cgroup-v2.sh
		# (420 s: huskd's and containerd's pods, tests/vm/systemd-guest-{pods,containerd}.sh, add ~60 s)
		vm_section vm-systemd "systemd (tests/vm/run-systemd.sh)" env VM_TIMEOUT=420 tests/vm/run-systemd.sh
		# The hybrid boot: --systemd-cgroup on v1 controllers, as on this host.
		vm_section vm-systemd-v1 "systemd, hybrid (tests/vm/run-systemd.sh, VM_CGROUP=hybrid)" \
			env VM_TIMEOUT=300 VM_TOOLS=0 VM_CGROUP=hybrid VM_GUEST=tests/vm/systemd-guest-v1.sh \
			tests/vm/run-systemd.sh
	fi

	section "summary (${SECONDS}s, logs in $LOGDIR)"
	for tap in "$LOGDIR"/*.tap; do
		count_tap "$tap"
	done
	grep -h '^not ok' "$LOGDIR"/*.tap | sed 's/^/  /'
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}

main "$@"
exit
