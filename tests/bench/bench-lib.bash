# Shared parts of the benchmarks: the cgroup view every runtime gets, the
# runtimes to compare, bundles, and the statistics.
#
# crun 1.8 refuses the hybrid layout (cgroup2 at /sys/fs/cgroup/unified), so
# every benchmark runs all three runtimes, for fairness, in a private mount
# namespace whose /sys/fs/cgroup is a fresh tmpfs holding only the v1
# hierarchies.  Unmounting only .../unified is not enough: crun would then
# write into the host's tmpfs underneath.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/../.." && pwd)

# parse_bench_options OPTSTRING "$@": the benchmarks' options, each letter
# one variable whose default the caller has set: -n ITERATIONS, -o OUT (the
# JSON file), -p PODS.  OPTSTRING (getopts syntax, e.g. n:o:) says which a
# benchmark takes; anything else exits with status 2.
# shellcheck disable=SC2034 # the variables are the calling benchmark's
parse_bench_options() {
	local optstring=$1 opt OPTIND=1
	shift
	while getopts "$optstring" opt; do
		case $opt in
		n) ITERATIONS=$OPTARG ;;
		o) OUT=$OPTARG ;;
		p) PODS=$OPTARG ;;
		*) exit 2 ;;
		esac
	done
}

# enter_v1_only_namespace "$0" "$@": re-executes the calling script inside
# `unshare -m` and sets the cgroup view up there (idempotent: the inner
# run sees BENCH_IN_NS=1 and returns at once).
enter_v1_only_namespace() {
	if [ -n "${BENCH_IN_NS:-}" ]; then
		setup_v1_only_cgroups
		return
	fi
	BENCH_IN_NS=1 exec unshare -m -- "$@"
}

setup_v1_only_cgroups() {
	mount --make-rprivate /
	local saved ctrl
	saved=$(mktemp -d /tmp/husk-bench-cg.XXXXXX)
	# Save each v1 hierarchy by binding it aside before covering the tree.
	local ctrls=()
	mapfile -t ctrls < <(awk '$9 == "cgroup" && $5 ~ "^/sys/fs/cgroup/" {sub("^/sys/fs/cgroup/", "", $5); print $5}' /proc/self/mountinfo)
	for ctrl in "${ctrls[@]}"; do
		mkdir -p "$saved/$ctrl"
		mount --bind "/sys/fs/cgroup/$ctrl" "$saved/$ctrl"
	done
	mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup
	for ctrl in "${ctrls[@]}"; do
		mkdir -p "/sys/fs/cgroup/$ctrl"
		mount --move "$saved/$ctrl" "/sys/fs/cgroup/$ctrl"
	done
	rm -rf "$saved"
}

# The runtimes to compare, as NAME=PATH words; a missing one is dropped
# with a note.
find_runtimes() {
	local husk=${HUSK:-}
	# the release build when CI made one (what users run), else the newest
	if [ -z "$husk" ] && [ -x "$REPO_ROOT/build-release/runtime/cli/husk" ]; then
		husk=$REPO_ROOT/build-release/runtime/cli/husk
	fi
	if [ -z "$husk" ]; then
		husk=$(ls -t "$REPO_ROOT"/build/runtime/cli/husk "$REPO_ROOT"/build*/runtime/cli/husk 2>/dev/null | head -1)
	fi
	RUNTIMES=()
	[ -x "$husk" ] && RUNTIMES+=("husk=$(readlink -f "$husk")") || echo "note: husk not built, skipped" >&2
	# HUSK_BASELINE=path/to/older/husk: measured in the same interleaved run
	if [ -n "${HUSK_BASELINE:-}" ]; then
		RUNTIMES+=("husk-baseline=$(readlink -f "$HUSK_BASELINE")")
	fi
	local rt
	for rt in crun runc; do
		if command -v "$rt" >/dev/null; then
			RUNTIMES+=("$rt=$(command -v "$rt")")
		else
			echo "note: $rt not installed, skipped" >&2
		fi
	done
}

# make_bundle DIR ARGS-JSON: a busybox bundle running ARGS.
make_bundle() {
	local dir=$1 args=$2
	mkdir -p "$dir"
	cp -a "$ROOTFS" "$dir/rootfs"
	jq --argjson args "$args" '.process.args = $args | .process.terminal = false' \
		"$REPO_ROOT/tests/fixtures/config.json" >"$dir/config.json"
}

# Builds the cached busybox rootfs (no checker needed) once.
ensure_bench_rootfs() {
	ROOTFS=$REPO_ROOT/tests/.tmp/bench-rootfs
	if [ ! -x "$ROOTFS/bin/busybox" ]; then
		"$REPO_ROOT/tests/fixtures/make-rootfs.sh" "$ROOTFS" >/dev/null
	fi
}

# now_ns VAR: the wall clock in ns into VAR, read from $EPOCHREALTIME (bash
# 5: no fork).  A `t0=$(date +%s%N)` on each side of a timed command put a
# fork, exec and exit of date (1.3-1.5 ms here) into every sample, the same
# for every runtime, which pulled every ratio toward 1.
now_ns() {
	local _now=$EPOCHREALTIME
	printf -v "$1" '%s000' "${_now//[.,]/}"
}

# stats FILE: "median p90 mean min max" in ms of a file of ns samples.
stats() {
	sort -n "$1" | awk '
		{ v[NR] = $1 / 1e6; sum += v[NR] }
		END {
			if (NR == 0) { print "nan nan nan nan nan"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			p = int(NR * 0.9 + 0.999); if (p < 1) p = 1; if (p > NR) p = NR
			printf "%.2f %.2f %.2f %.2f %.2f\n", m, v[p], sum / NR, v[1], v[NR]
		}'
}

# report TITLE JSON-OUT: prints a table (median, p90, ratio of medians to
# crun) of $WORK/<name>.ns for every runtime, and writes the same as JSON.
report() {
	local title=$1 json_out=$2 name path base="" line
	declare -A med
	for rt in "${RUNTIMES[@]}"; do
		name=${rt%%=*}
		read -r med[$name] _ <<<"$(stats "$WORK/$name.ns")"
	done
	[ -n "${med[crun]:-}" ] && base=${med[crun]}
	printf '\n%s (%s iterations, interleaved)\n' "$title" "$ITERATIONS"
	printf '%-6s %10s %10s %10s %10s %10s %8s %12s\n' runtime median_ms p90_ms mean_ms min_ms max_ms fails ratio_to_crun
	local json="[]"
	for rt in "${RUNTIMES[@]}"; do
		name=${rt%%=*}
		path=${rt#*=}
		local m p mean mn mx ratio fails
		read -r m p mean mn mx <<<"$(stats "$WORK/$name.ns")"
		fails=$(cat "$WORK/$name.fail" 2>/dev/null || echo 0)
		ratio=nan
		[ -n "$base" ] && ratio=$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
		printf '%-6s %10s %10s %10s %10s %10s %8s %12s\n' "$name" "$m" "$p" "$mean" "$mn" "$mx" "$fails" "$ratio"
		json=$(jq -c --arg n "$name" --arg path "$path" --arg m "$m" --arg p "$p" \
			--arg mean "$mean" --arg mn "$mn" --arg mx "$mx" --arg r "$ratio" --arg f "$fails" \
			'. + [{runtime: $n, path: $path, median_ms: ($m | tonumber), p90_ms: ($p | tonumber),
				mean_ms: ($mean | tonumber), min_ms: ($mn | tonumber), max_ms: ($mx | tonumber),
				failures: ($f | tonumber), ratio_to_crun: (if $r == "nan" then null else ($r | tonumber) end)}]' <<<"$json")
	done
	jq -n --arg title "$title" --argjson n "$ITERATIONS" --argjson r "$json" \
		'{benchmark: $title, iterations: $n, cgroups: "v1 only (private mount namespace)", results: $r}' >"$json_out"
	echo "JSON: $json_out"
}

# timed NAME CMD...: appends the duration (ns) of CMD to $WORK/NAME.ns;
# failures are counted in $WORK/NAME.fail and the first one is shown.
timed() {
	local name=$1 t0 t1 rc=0
	shift
	now_ns t0
	"$@" >/dev/null 2>"$WORK/$name.err" || rc=$?
	now_ns t1
	if [ "$rc" -ne 0 ]; then
		local n
		n=$(($(cat "$WORK/$name.fail" 2>/dev/null || echo 0) + 1))
		echo "$n" >"$WORK/$name.fail"
		[ "$n" -eq 1 ] && { echo "$name failed (rc=$rc): $(head -3 "$WORK/$name.err")" >&2; }
		return 0
	fi
	echo $((t1 - t0)) >>"$WORK/$name.ns"
}

# --- shared by the huskd benchmarks --------------------------------------

# newest_bin REL: $REPO_ROOT/build-release/REL or build/REL if built, else the
# newest REL of any build dir except the sanitizer ones (their speed and
# memory are not ours).
newest_bin() {
	local b
	# shellcheck disable=SC2012 # newest first: ls -t is the simple way
	for b in "$REPO_ROOT/build-release/$1" "$REPO_ROOT/build/$1" $(ls -t "$REPO_ROOT"/build*/"$1" 2>/dev/null); do
		[[ "$b" == *asan* || "$b" == *fuzz* ]] && continue # sanitizer builds
		[ -x "$b" ] && [ -s "$b" ] && { echo "$b"; return; }
	done
}

# K ARGS...: curl on huskd's socket ($SOCK).
K() { curl -s --unix-socket "$SOCK" "$@"; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# wait_until SECONDS CMD...: polls CMD every 0.05 s.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# The huskd benchmarks' daemon, on private roots under $WORK (socket
# $SOCK, cgroup parent $CGPARENT) with pods on loopback only
# (--pod-network none: no bridge or firewall rule on the shared host).
# Needs HUSKD_BIN and RUNTIME; sets HUSKD_PID; extra huskd ARGS follow.
bench_huskd_start() {
	"$HUSKD_BIN" --socket "$SOCK" --state-dir "$WORK/state" --pod-root "$WORK/pods" \
		--runtime "$RUNTIME" --runtime-root "$WORK/rt" --image-store "$WORK/images" \
		--cgroup-parent "$CGPARENT" --pod-network none "$@" </dev/null >>"$WORK/huskd.log" 2>&1 &
	HUSKD_PID=$!
	wait_until 10 K -f http://huskd/healthz -o /dev/null ||
		{ cat "$WORK/huskd.log" >&2; echo "$(basename "$0"): huskd did not start" >&2; exit 1; }
}

# Stops huskd; sandboxes it left are removed with husk-pod on the same
# roots, then the cgroups, the mounts and $WORK go.  What cannot be
# removed is named on stderr.
bench_huskd_teardown() {
	local me pod_bin id d
	me=$(basename "$0")
	if [ -n "${HUSKD_PID:-}" ] && kill -0 "$HUSKD_PID" 2>/dev/null; then
		kill "$HUSKD_PID"
		wait "$HUSKD_PID" 2>/dev/null || true
	fi
	pod_bin=$(newest_bin sandbox/podctl/husk-pod)
	for d in "$WORK"/pods/*/; do
		[ -d "$d" ] || continue
		id=$(basename "$d")
		[ -x "$pod_bin" ] && "$pod_bin" --root "$WORK/pods" --runtime "$RUNTIME" \
			--runtime-root "$WORK/rt" --cgroup-parent "$CGPARENT" rm "$id" >/dev/null 2>&1 ||
			echo "$me: sandbox $id left behind" >&2
	done
	for d in /sys/fs/cgroup/*"$CGPARENT" /sys/fs/cgroup/*/*"$CGPARENT"; do
		[ -d "$d" ] && { find "$d" -depth -type d -exec rmdir {} + 2>/dev/null ||
			echo "$me: cgroup $d left behind" >&2; }
	done
	awk -v w="$WORK" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" || true; done
	rm -rf "$WORK"
}
