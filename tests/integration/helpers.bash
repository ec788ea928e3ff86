# Shared helpers of husk's bats suites (after runc's tests/integration/
# helpers.bash).  Every suite runs against any runc-compatible binary:
#
#   HUSK=/usr/sbin/runc bats tests/integration/run.bats
#   HUSK=build/runtime/cli/husk bats -r tests/integration
#
# A test file does:
#   load helpers                        (../helpers from a subfolder)
#   setup()    { setup_bundle; }
#   teardown() { teardown_bundle; }
# and in a test:
#   update_config '.process.args = ["/bin/echo", "hi"]'
#   husk run "$CID"
#   [ "$status" -eq 0 ]; [[ "$output" == *hi* ]]
#
# Each test gets its own state root ($ROOT), bundle ($BUNDLE) and a unique
# token in its container id ($CID) and cgroup path, so the leak check only
# looks at what this test made even when others run containers on the host.

bats_require_minimum_version 1.5.0

INTEGRATION_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$INTEGRATION_ROOT/../.." && pwd)
TESTS_TMP=${HUSK_TESTS_TMP:-$REPO_ROOT/tests/.tmp}
ROOTFS_CACHE=$TESTS_TMP/rootfs

HUSK=${HUSK:-$REPO_ROOT/build/runtime/cli/husk}
if [[ "$HUSK" != */* ]]; then
	HUSK=$(command -v "$HUSK" || echo "$HUSK")
fi
HUSK=$(readlink -f "$HUSK" 2>/dev/null || echo "$HUSK")

# True when the binary under test is husk (not runc/crun): exact message
# assertions for husk live in `if is_husk; then ... fi` branches.
is_husk() {
	[[ "$(basename "$HUSK")" == husk* ]]
}

is_runc() {
	[[ "$(basename "$HUSK")" == runc* ]]
}

# ---------------------------------------------------------------------------
# Fixtures: the static helpers and the cached busybox rootfs.

# Newest husk-checker/husk-recvtty built by meson in any build dir of the
# repo that is not older than its sources; otherwise built here with gcc.
find_test_binary() {
	local name=$1 src newest="" b
	src=$(ls -t "$REPO_ROOT"/tests/checker/*.[ch] | head -1)
	for b in "$REPO_ROOT"/build*/tests/checker/"$name"; do
		[ -x "$b" ] && [ "$b" -nt "$src" ] || continue
		if [ -z "$newest" ] || [ "$b" -nt "$newest" ]; then newest=$b; fi
	done
	if [ -n "$newest" ]; then
		echo "$newest"
		return
	fi
	local out=$TESTS_TMP/bin/$name
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		mkdir -p "$TESTS_TMP/bin"
		local cflags=(-std=gnu11 -D_GNU_SOURCE -O2 -I"$REPO_ROOT/oci" -static)
		if [ "$name" = husk-checker ]; then
			gcc "${cflags[@]}" -o "$out.new" "$REPO_ROOT"/tests/checker/{checker,identity,system,json}.c \
				-l:libyajl_s.a -l:libcap.a || return 1
		else
			gcc "${cflags[@]}" -o "$out.new" "$REPO_ROOT/tests/checker/recvtty.c" || return 1
		fi
		mv "$out.new" "$out"
	fi
	echo "$out"
}

# Builds tests/.tmp/rootfs once (under a lock, bats may run files in
# parallel) and again whenever the checker or the script changed.
ensure_rootfs() {
	# Checked once per bats run: later tests of the run trust the first.
	local checked="${BATS_RUN_TMPDIR:-/nonexistent}/.husk-rootfs-checked"
	if [ -e "$checked" ] && [ -f "$ROOTFS_CACHE/.stamp" ]; then
		return 0
	fi
	mkdir -p "$TESTS_TMP"
	(
		flock 9
		local checker recvtty
		checker=$(find_test_binary husk-checker) || exit 1
		recvtty=$(find_test_binary husk-recvtty) || exit 1
		if [ ! -f "$ROOTFS_CACHE/.stamp" ] ||
			[ "$checker" -nt "$ROOTFS_CACHE/.stamp" ] ||
			[ "$REPO_ROOT/tests/fixtures/make-rootfs.sh" -nt "$ROOTFS_CACHE/.stamp" ] ||
			! cmp -s "$checker" "$ROOTFS_CACHE/bin/husk-checker"; then
			rm -rf "$ROOTFS_CACHE"
			"$REPO_ROOT/tests/fixtures/make-rootfs.sh" "$ROOTFS_CACHE" "$checker" || exit 1
			touch "$ROOTFS_CACHE/.stamp"
		fi
		ln -sfn "$recvtty" "$TESTS_TMP/husk-recvtty"
	) 9>"$TESTS_TMP/.lock" || return 1
	[ -z "${BATS_RUN_TMPDIR:-}" ] || touch "$checked"
}

RECVTTY="$TESTS_TMP/husk-recvtty"

# ---------------------------------------------------------------------------
# Bundles and configs.

# Makes a fresh bundle: $BUNDLE/rootfs copied from the cache, config.json
# from the template (args = husk-checker), a per-test state root $ROOT and a
# unique $CID.  cd's into the bundle like runc's tests do.
setup_bundle() {
	requires root
	ensure_rootfs || fail "cannot build the test rootfs"
	TOKEN="hsk$$x${BATS_TEST_NUMBER:-0}x$RANDOM"
	CID="ct-$TOKEN"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	ROOT="$BATS_TEST_TMPDIR/state"
	mkdir -p "$BUNDLE" "$ROOT"
	# Shared lock: another bats run may be rebuilding the cache right now.
	flock -s "$TESTS_TMP/.lock" cp -a "$ROOTFS_CACHE" "$BUNDLE/rootfs"
	# No cgroupsPath: the runtime derives it from the id, which carries the
	# token; tests that need a fixed path set one containing $TOKEN.
	jq --arg token "$TOKEN" '.process.env += ["HUSK_TEST_TOKEN=" + $token]' \
		"$REPO_ROOT/tests/fixtures/config.json" >"$BUNDLE/config.json"
	cd "$BUNDLE" || return 1
	snapshot_debris "$BATS_TEST_TMPDIR/before"
}

teardown_bundle() {
	cd "$BATS_TEST_TMPDIR" 2>/dev/null || cd /
	[ -n "${ROOT:-}" ] || return 0
	force_delete_all
	check_no_debris
	check_sanitizer_reports
}

# update_config '<jq filter>' [bundle]: edits config.json in place.
update_config() {
	local file="${2:-$BUNDLE}/config.json"
	jq "$1" "$file" >"$file.new" || fail "update_config: bad jq filter: $1"
	mv "$file.new" "$file"
}

# A container's pty through husk-recvtty (tests setting $SOCK, $TTY_OUT and
# killing $RECV_PID in teardown).
# start_recvtty [INPUT]: listens on $SOCK, output into $TTY_OUT.
start_recvtty() {
	"$RECVTTY" "$SOCK" "$@" >"$TTY_OUT" 2>&1 &
	RECV_PID=$!
	retry 50 0.1 test -S "$SOCK"
}

# wait_recvtty: the relay ends when the container's last tty fd closes.
wait_recvtty() {
	local rc=0 i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$RECV_PID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$RECV_PID" || rc=$?
	RECV_PID=
	echo "recvtty output:" >&2
	cat "$TTY_OUT" >&2
	return $rc
}

# use_userns UID_BASE GID_BASE SIZE: the container gets a new user
# namespace mapping its ids 0..SIZE-1 to the host's from UID_BASE and
# GID_BASE.  The mapped root must reach the rootfs through the test's
# tmpdirs, and mounting cgroupfs needs privileges a userns root lacks on v1.
use_userns() {
	local d=$BUNDLE
	while [ "$d" != / ]; do chmod a+x "$d"; d=$(dirname "$d"); done
	update_config ".linux.namespaces += [{\"type\": \"user\"}]
		| .linux.uidMappings = [{\"containerID\": 0, \"hostID\": $1, \"size\": $3}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $2, \"size\": $3}]
		| .mounts |= map(select(.type != \"cgroup\"))"
}

# Sets process.args from the arguments: set_args /bin/echo hi
set_args() {
	local args
	args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	update_config ".process.args = $args"
}

# ---------------------------------------------------------------------------
# Running the runtime.

# A hung runtime must fail its test, not stall the whole run.
__husk() {
	# shellcheck disable=SC2086
	timeout -k 5 "${HUSK_TIMEOUT:-60}" "$HUSK" ${HUSK_GLOBAL_FLAGS:-} --root "$ROOT" "$@"
}

# husk ARGS...: runs the runtime like bats' `run` (sets $status, $output,
# $lines) and logs the command, status and output, which bats shows only
# when the test fails.  Output goes through a file, not a pipe: a detached
# or created container keeps its stdio open, and a pipe would never end.
husk() {
	local out="$BATS_TEST_TMPDIR/.husk.out"
	status=0
	__husk "$@" </dev/null >"$out" 2>&1 || status=$?
	output=$(cat "$out")
	mapfile -t lines <<<"$output"
	echo "$ $(basename "$HUSK") --root $ROOT $* (status=$status):" >&2
	echo "$output" >&2
	check_sanitizer_reports "$out"
}

# Like husk but $output holds only stdout ($stderr the rest), for JSON.
husk_stdout() {
	local out="$BATS_TEST_TMPDIR/.husk.out" err="$BATS_TEST_TMPDIR/.husk.err"
	status=0
	__husk "$@" </dev/null >"$out" 2>"$err" || status=$?
	output=$(cat "$out")
	stderr=$(cat "$err")
	mapfile -t lines <<<"$output"
	echo "$ $(basename "$HUSK") --root $ROOT $* (status=$status):" >&2
	echo "$output" >&2
	echo "stderr: $stderr" >&2
	check_sanitizer_reports "$err"
}

# The status word of a container ("" when the runtime does not know it).
container_status() {
	__husk state "$1" 2>/dev/null | jq -r .status
}

container_pid() {
	__husk state "$1" 2>/dev/null | jq -r .pid
}

# wait_for_status ID STATUS [TRIES]: polls every 0.1s.
wait_for_status() {
	local i
	for ((i = 0; i < ${3:-50}; i++)); do
		[ "$(container_status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1 never reached status $2 (is: $(container_status "$1"))" >&2
	return 1
}

# process_dead PID: the process has exited. A zombie counts: reaping it is
# its parent's business (pid 1 or a subreaper, on its own schedule), not husk's.
process_dead() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[[ "${stat%% *}" == [ZX] ]]
}

# retry N DELAY CMD...: runs CMD until it succeeds, at most N times.
retry() {
	local n=$1 delay=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep "$delay"
	done
	echo "retry: '$*' still failing after $n tries" >&2
	return 1
}

# Runs husk-checker in a container and leaves its JSON in $output.
run_checker() {
	set_args /bin/husk-checker "$@"
	husk_stdout run "$CID"
	[ "$status" -eq 0 ] || fail "husk-checker failed (status $status)"
	echo "$output" | jq . >/dev/null || fail "husk-checker printed no JSON"
}

# jq_ok FILTER: asserts the JSON in $output satisfies FILTER.
jq_ok() {
	if ! echo "$output" | jq -e "$1" >/dev/null; then
		echo "jq filter failed: $1" >&2
		return 1
	fi
}

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# check_sanitizer_reports [FILE...]: an ASan/LSan/UBSan report in the files
# (a runtime's captured output), or in what sanitizer builds wrote under
# $HUSK_SANITIZER_LOG_DIR (ASAN_OPTIONS/UBSAN_OPTIONS log_path, set by
# tests/run-all.sh), fails the test: a `[ "$status" -ne 0 ]` check alone
# passes when ASan aborts the runtime.  Reports found are printed and set
# aside (*.seen), so each fails only the test that made it.
SANITIZER_REPORT_RE='ERROR: (Address|Leak|Memory|Thread)Sanitizer|[^ :]+:[0-9]+:[0-9]+: runtime error: '
check_sanitizer_reports() {
	local f found=0
	for f in "$@"; do
		if [ -f "$f" ] && grep -qE "$SANITIZER_REPORT_RE" "$f"; then
			echo "SANITIZER REPORT in the output:" >&2
			cat "$f" >&2
			found=1
		fi
	done
	for f in "${HUSK_SANITIZER_LOG_DIR:-/nonexistent}"/*; do
		[ -f "$f" ] && [[ "$f" != *.seen ]] || continue
		echo "SANITIZER REPORT ($f):" >&2
		cat "$f" >&2
		mv "$f" "$f.seen"
		found=1
	done
	[ "$found" -eq 0 ] || fail "a sanitizer reported an error"
}

# ---------------------------------------------------------------------------
# requires FEATURE...: skips the test with the reason when one is missing.

requires() {
	local f
	for f in "$@"; do
		case $f in
		root)
			[ "$(id -u)" -eq 0 ] || skip "needs root"
			;;
		husk)
			is_husk || skip "husk-only test (HUSK=$HUSK)"
			;;
		cgroups_v1)
			[ -d /sys/fs/cgroup/memory ] || skip "needs cgroup v1"
			;;
		cgroups_v2)
			[ -f /sys/fs/cgroup/cgroup.controllers ] || skip "needs unified cgroup v2"
			;;
		cgroups_hybrid)
			[ -d /sys/fs/cgroup/unified ] || skip "needs hybrid cgroups"
			;;
		userns)
			[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] ||
				skip "user namespaces disabled"
			;;
		timens)
			[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
			;;
		netns)
			command -v ip >/dev/null || skip "needs iproute2"
			;;
		valgrind)
			command -v valgrind >/dev/null || skip "needs valgrind"
			;;
		*)
			fail "requires: unknown feature $f"
			;;
		esac
	done
}

# ---------------------------------------------------------------------------
# Leak check: what this test made must be gone after teardown.

# Every container of the test has HUSK_TEST_TOKEN=$TOKEN in its environment
# and the token in its id and cgroup path; runtime helpers name the bundle
# or the state root on their command line.
test_processes() {
	local f pid
	# One grep over all of /proc: the host may run hundreds of processes.
	{
		grep -lsa "HUSK_TEST_TOKEN=$TOKEN" /proc/[0-9]*/environ
		grep -lsaF -e "$BUNDLE" -e "$ROOT" /proc/[0-9]*/cmdline
	} 2>/dev/null | sort -u | while read -r f; do
		pid=${f#/proc/}
		pid=${pid%%/*}
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		[ -d "/proc/$pid" ] || continue
		echo "$pid $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
	done
}

snapshot_debris() {
	local dir=$1
	mkdir -p "$dir"
	awk '{print $5, $4}' /proc/self/mountinfo | sort >"$dir/mounts"
	find /sys/fs/cgroup -type d 2>/dev/null | sort >"$dir/cgroups"
	test_processes | sort >"$dir/processes"
	(cd "$ROOT" && find . -mindepth 1 | sort) >"$dir/state"
}

# check_no_debris: compares now with the snapshot setup_bundle took.
# Mounts and cgroups are filtered to this test's paths and token, since
# other containers may come and go on the host meanwhile.
check_no_debris() {
	local after="$BATS_TEST_TMPDIR/after" before="$BATS_TEST_TMPDIR/before" bad=0
	snapshot_debris "$after"
	local new_mounts new_cgroups
	new_mounts=$(comm -13 "$before/mounts" "$after/mounts" |
		grep -F -e "$BATS_TEST_TMPDIR" -e "$TOKEN" || true)
	new_cgroups=$(comm -13 "$before/cgroups" "$after/cgroups" | grep -F "$TOKEN" || true)
	if [ -n "$new_mounts" ]; then
		echo "DEBRIS: mounts left behind:" >&2
		echo "$new_mounts" >&2
		bad=1
	fi
	if [ -n "$new_cgroups" ]; then
		echo "DEBRIS: cgroups left behind:" >&2
		echo "$new_cgroups" >&2
		bad=1
	fi
	if [ -s "$after/processes" ]; then
		echo "DEBRIS: processes left behind:" >&2
		cat "$after/processes" >&2
		bad=1
	fi
	if ! cmp -s "$before/state" "$after/state"; then
		echo "DEBRIS: state root $ROOT changed:" >&2
		comm -13 "$before/state" "$after/state" >&2
		bad=1
	fi
	if [ "$bad" -ne 0 ]; then
		cleanup_debris "$after"
		return 1
	fi
}

# Removes what a failed test left so the machine stays clean: kills the
# test's processes, unmounts its mounts (deepest first), removes cgroups.
cleanup_debris() {
	local pid
	test_processes | while read -r pid _; do kill -9 "$pid" 2>/dev/null; done
	sleep 0.2
	grep -F -e "$BATS_TEST_TMPDIR" -e "$TOKEN" /proc/self/mountinfo |
		awk '{print $5}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	find /sys/fs/cgroup -depth -type d -path "*$TOKEN*" -exec rmdir {} \; 2>/dev/null
	return 0
}

# Deletes every container under $ROOT with --force (and falls back to
# killing the test's processes if the runtime cannot).
force_delete_all() {
	local ids id
	ids=$( (
		__husk list -q 2>/dev/null
		ls "$ROOT" 2>/dev/null
	) | sort -u)
	for id in $ids; do
		[ -d "$ROOT/$id" ] || continue
		__husk delete --force "$id" >/dev/null 2>&1 || __husk delete --force "$id" >/dev/null 2>&1
	done
	# runc keeps the state dir until delete succeeds; let teardown report it.
	return 0
}
