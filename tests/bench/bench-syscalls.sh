#!/bin/bash
# Syscalls of one `run` of /bin/true and of one `exec /bin/true` into a
# running container, for husk, crun and runc: `strace -f -c` over the whole
# process tree (the runtime, its re-exec, the container's init and the
# process until it exits), in the benchmarks' cgroup view.  The counts are
# deterministic, so they can be taken on a loaded machine.  With -v, the
# calls of each runtime by name, most first.
#
#   tests/bench/bench-syscalls.sh [-v] [-o OUT.json]     (as root)
#   HUSK=path/to/husk tests/bench/bench-syscalls.sh
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

OUT=$REPO_ROOT/tests/.tmp/bench-syscalls.json
VERBOSE=
args=()
for a in "$@"; do
	if [ "$a" = -v ]; then VERBOSE=1; else args+=("$a"); fi
done
parse_bench_options o: "${args[@]+"${args[@]}"}"

enter_v1_only_namespace "$0" "$@"
command -v strace >/dev/null || { echo "strace is not installed" >&2; exit 1; }
find_runtimes
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-sc.XXXXXX)

cleanup() {
	local rt
	for rt in "${RUNTIMES[@]}"; do
		"${rt#*=}" --root "$WORK/${rt%%=*}/root" delete --force "sc-sleep-${rt%%=*}-$$" \
			>/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# count OUT CMD...: the total of `strace -f -c` of CMD
count() {
	local out=$1
	shift
	strace -f -c -o "$out" "$@" </dev/null >/dev/null 2>&1 || true
	awk '$NF == "total" { print $4 }' "$out"
}

json="[]"
printf '%-16s %8s %8s\n' runtime run exec
for rt in "${RUNTIMES[@]}"; do
	name=${rt%%=*} bin=${rt#*=} root=$WORK/${rt%%=*}/root
	make_bundle "$WORK/$name/true" '["/bin/true"]'
	make_bundle "$WORK/$name/sleep" '["/bin/sleep", "100000"]'
	"$bin" --root "$root" run -d --bundle "$WORK/$name/sleep" "sc-sleep-$name-$$" \
		</dev/null >/dev/null 2>&1
	# one untimed round first: the state root and caches exist afterwards
	count "$WORK/warm.$name" "$bin" --root "$root" run --bundle "$WORK/$name/true" \
		"sc-warm-$name-$$" >/dev/null
	run=$(count "$WORK/run.$name" "$bin" --root "$root" run --bundle "$WORK/$name/true" \
		"sc-run-$name-$$")
	exec=$(count "$WORK/exec.$name" "$bin" --root "$root" exec "sc-sleep-$name-$$" /bin/true)
	printf '%-16s %8s %8s\n' "$name" "$run" "$exec"
	json=$(jq -c --arg n "$name" --arg r "$run" --arg e "$exec" \
		'. + [{runtime: $n, run: ($r | tonumber? // null), exec: ($e | tonumber? // null)}]' <<<"$json")
done
if [ -n "$VERBOSE" ]; then
	for rt in "${RUNTIMES[@]}"; do
		name=${rt%%=*}
		for what in run exec; do
			printf '\n%s %s:\n' "$name" "$what"
			awk 'NR > 2 && $NF != "total" && $1 !~ /^-/ { print $4, $NF }' \
				"$WORK/$what.$name" | sort -rn | head -25
		done
	done
fi
jq -n --argjson r "$json" '{benchmark: "syscalls per run and exec", cgroups: "v1 only (private mount namespace)", results: $r}' >"$OUT"
echo "JSON: $OUT"
