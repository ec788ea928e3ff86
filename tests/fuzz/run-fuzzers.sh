#!/bin/bash
# Builds the libFuzzer targets (clang, ASan+UBSan, every library
# instrumented) in $FUZZ_BUILD (default build-fuzz) and runs each for
# SECONDS (default 30) from its seed corpus in tests/fuzz/corpus/NAME
# (fuzz-config: tests/fixtures/specs).  New inputs go to a scratch corpus
# under tests/.tmp/fuzz, crashes and leaks to tests/.tmp/fuzz/NAME/: a
# crash or a leak is "not ok".  TAP, one line per target.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS]          (FUZZ_TARGETS="spdy yaml" for some)
# Longer runs: see tests/fuzz/README.md.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
SECS=${1:-30}
BUILD=${FUZZ_BUILD:-build-fuzz}
OUT=tests/.tmp/fuzz
TARGETS=${FUZZ_TARGETS:-config http-body selector-quantity spdy websocket yaml pod-spec holder-proto crilog image layer-tar cni-result hook-state secret image-ref www-authenticate token-json registry-config cri-grpc}

if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link >"$OUT.setup.log" 2>&1 ||
		{ mkdir -p "$OUT"; cat "$OUT.setup.log"; echo "not ok - fuzz: meson setup failed"; exit 1; }
fi
bins=()
# CI explores the same inputs on every run (a fixed seed): a finding is a
# change's, not chance's.  FUZZ_SEED=0 gives libFuzzer's random seed, for
# longer hunts (tests/fuzz/README.md).
SEED=${FUZZ_SEED:-1}

for t in $TARGETS; do
	[ "$t" = config ] && bins+=(tests/unit/oci/fuzz-config) || bins+=("tests/fuzz/fuzz-$t")
done
mkdir -p "$OUT"
if ! ninja -C "$BUILD" "${bins[@]}" >"$OUT/build.log" 2>&1; then
	tail -30 "$OUT/build.log"
	echo "not ok - fuzz: build failed (log: $OUT/build.log)"
	exit 1
fi

# One target per core at a time: each is single-threaded, so the section's
# wall time is SECONDS x targets / FUZZ_JOBS.
JOBS=${FUZZ_JOBS:-$(nproc)}

fuzz_one() { # fuzz_one TARGET: runs it, leaves its exit code in $OUT/TARGET/rc
	local t=$1 bin seeds dict=()
	if [ "$t" = config ]; then
		bin=$BUILD/tests/unit/oci/fuzz-config seeds=tests/fixtures/specs dict=(-dict=tests/fixtures/specs/fuzz.dict)
	else
		bin=$BUILD/tests/fuzz/fuzz-$t seeds=tests/fuzz/corpus/$t
	fi
	rm -rf "${OUT:?}/$t" && mkdir -p "$OUT/$t/corpus" "$OUT/$t/tmp"
	FUZZ_TMPDIR=$PWD/$OUT/$t/tmp ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" "$OUT/$t/corpus" "$seeds" "${dict[@]}" -seed="$SEED" -max_total_time="$SECS" -timeout=10 \
		-rss_limit_mb=1024 -artifact_prefix="$OUT/$t/" -print_final_stats=1 >"$OUT/$t/log" 2>&1
	echo $? >"$OUT/$t/rc"
}

report_one() { # report_one N TARGET: its TAP line; fails when the target did
	local n=$1 t=$2 rc runs
	rc=$(cat "$OUT/$t/rc" 2>/dev/null || echo 255)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t/log")
	if [ "$rc" -eq 0 ] && ! ls "$OUT/$t"/{crash,leak,timeout,oom}-* >/dev/null 2>&1; then
		echo "ok $n - fuzz-$t: ${runs:-?} runs in ${SECS}s, 0 crashes, 0 leaks"
	else
		echo "not ok $n - fuzz-$t (rc=$rc, artifacts and log in $OUT/$t/)"
		grep -m1 -E 'ERROR: |runtime error:' "$OUT/$t/log" | sed 's/^/# /'
		return 1
	fi
}

for t in $TARGETS; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	fuzz_one "$t" &
done
wait

n=0 failed=0
echo "1..$(wc -w <<<"$TARGETS")"
for t in $TARGETS; do
	n=$((n + 1))
	report_one "$n" "$t" || failed=$((failed + 1))
done
[ "$failed" -eq 0 ]
