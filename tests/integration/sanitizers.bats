#!/usr/bin/env bats
# The helpers fail a test on a sanitizer report, wherever it shows: in the
# runtime's output (a status check alone passes when ASan aborts it), or in
# the log_path files the ASan pass of tests/run-all.sh collects from every
# process (huskd, the pod holder, husk run by podman or containerd).
# Independent of $HUSK: a fake runtime stands for an aborting ASan build.

load helpers

setup() {
	ROOT=$BATS_TEST_TMPDIR/root
	FAKE=$BATS_TEST_TMPDIR/fake-husk
	cat >"$FAKE" <<-'SH'
	#!/bin/sh
	echo "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010" >&2
	echo "SUMMARY: AddressSanitizer: heap-use-after-free oci/spec.c:10:3 in x" >&2
	exit 86
	SH
	chmod +x "$FAKE"
}

@test "an ASan report in the runtime's stderr fails husk and husk_stdout" {
	HUSK=$FAKE run husk delete nothing
	[ "$status" -ne 0 ]
	[[ "$output" == *"a sanitizer reported an error"* ]]
	HUSK=$FAKE run husk_stdout state nothing
	[ "$status" -ne 0 ]
	[[ "$output" == *"a sanitizer reported an error"* ]]
}

@test "a UBSan report fails, ordinary errors do not" {
	printf '#!/bin/sh\necho "runtime/state.c:41:9: runtime error: signed integer overflow" >&2\nexit 1\n' >"$FAKE"
	HUSK=$FAKE run husk state nothing
	[ "$status" -ne 0 ]
	printf '#!/bin/sh\necho "container does not exist: runtime error: none" >&2\nexit 1\n' >"$FAKE"
	HUSK=$FAKE run husk state nothing
	[ "$status" -eq 0 ]
}

@test "reports in \$HUSK_SANITIZER_LOG_DIR fail the test once" {
	export HUSK_SANITIZER_LOG_DIR=$BATS_TEST_TMPDIR/sanitizer
	mkdir -p "$HUSK_SANITIZER_LOG_DIR"
	run check_sanitizer_reports
	[ "$status" -eq 0 ]
	echo "==77==ERROR: LeakSanitizer: detected memory leaks" >"$HUSK_SANITIZER_LOG_DIR/asan.77"
	run check_sanitizer_reports
	[ "$status" -ne 0 ]
	[[ "$output" == *"asan.77"*"LeakSanitizer"* ]]
	[ -f "$HUSK_SANITIZER_LOG_DIR/asan.77.seen" ]
	run check_sanitizer_reports
	[ "$status" -eq 0 ]
}
