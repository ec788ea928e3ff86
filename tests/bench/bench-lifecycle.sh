#!/bin/bash
# The runtime's figures as the clients see them, husk vs crun vs runc in one
# interleaved run (h c r h c r ...), medians: `create` (with --pid-file, the
# process kept alive), `start`, `kill`, `delete` separately and create+start,
# `run` of /bin/true, `exec` of /bin/true, 10 × `run -d` at once (started
# by spawn-all, until all ten returned), then the peak RSS of a `run` (GNU
# time's %M) and its syscalls (strace -f -c, the runtime and the container's
# init until its execve).  Prints each figure with its ratios to crun and
# runc, and writes the same as JSON.
#
#   tests/bench/bench-lifecycle.sh [-n ITERATIONS] [-o OUT.json]     (as root)
#   HUSK=path/to/husk tests/bench/bench-lifecycle.sh
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

ITERATIONS=30
OUT=$REPO_ROOT/tests/.tmp/bench-lifecycle.json
parse_bench_options n:o: "$@"

enter_v1_only_namespace "$0" "$@"
find_runtimes
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-life.XXXXXX)
PARALLEL=10
SPAWN_ALL=${SPAWN_ALL:-$(newest_bin tests/bench/spawn-all)}
[ -x "$SPAWN_ALL" ] || { echo "bench-lifecycle.sh: build tests/bench/spawn-all first (ninja)" >&2; exit 1; }
FIGURES=(create start kill delete create+start run exec parallel)

cleanup() {
	local rt name id
	for rt in "${RUNTIMES[@]}"; do
		name=${rt%%=*}
		for id in $("${rt#*=}" --root "$WORK/$name/root" list -q 2>/dev/null); do
			"${rt#*=}" --root "$WORK/$name/root" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# sample FIGURE NAME CMD...: like timed (bench-lib.bash), into $WORK/FIGURE.NAME.ns
sample() {
	local fig=$1 name=$2
	shift 2
	timed "$fig.$name" "$@"
}

# wait_stopped RT ROOT ID: until `state` says stopped (5 s at most)
wait_stopped() {
	local i
	for ((i = 0; i < 500; i++)); do
		"$1" --root "$2" state "$3" 2>/dev/null | grep -q '"status": *"stopped"' && return 0
		sleep 0.01
	done
	return 1
}

lifecycle_round() {
	local rt=$1 i=$2 name=${1%%=*} bin=${1#*=}
	local root=$WORK/$name/root id="life-$name-$$-$i" t0 t1
	sample create "$name" "$bin" --root "$root" create --bundle "$WORK/$name/sleep" \
		--pid-file "$WORK/$name/pid" "$id" </dev/null
	sample start "$name" "$bin" --root "$root" start "$id"
	sample kill "$name" "$bin" --root "$root" kill "$id" KILL
	wait_stopped "$bin" "$root" "$id" || echo "$name: $id did not stop" >&2
	sample delete "$name" "$bin" --root "$root" delete "$id"
	# create+start: the last create and start samples of this round
	t0=$(tail -1 "$WORK/create.$name.ns" 2>/dev/null || echo 0)
	t1=$(tail -1 "$WORK/start.$name.ns" 2>/dev/null || echo 0)
	echo $((t0 + t1)) >>"$WORK/create+start.$name.ns"
	sample run "$name" "$bin" --root "$root" run --bundle "$WORK/$name/true" "run-$name-$$-$i" </dev/null
	sample exec "$name" "$bin" --root "$root" exec "exec-$name-$$" /bin/true </dev/null
}

# PARALLEL × run -d at once, started by spawn-all (no shell fork per copy
# in the figure); the clock stops when all have returned.
parallel_round() {
	local rt=$1 i=$2 name=${1%%=*} bin=${1#*=} j out ns
	local root=$WORK/$name/proot
	out=$("$SPAWN_ALL" "$PARALLEL" "$bin" --root "$root" run -d --bundle "$WORK/$name/sleep" \
		"par-$name-$$-$i-{}" 2>>"$WORK/parallel.$name.err") || true
	case $out in
	*" failed=0")
		ns=${out%% *}
		echo "${ns#elapsed_ns=}" >>"$WORK/parallel.$name.ns"
		;;
	*) echo "parallel $name round $i: ${out:-spawn-all failed} ($(head -2 "$WORK/parallel.$name.err"))" >&2 ;;
	esac
	for ((j = 0; j < PARALLEL; j++)); do
		"$bin" --root "$root" delete --force "par-$name-$$-$i-$j" >/dev/null 2>&1 || true
	done
}

for rt in "${RUNTIMES[@]}"; do
	name=${rt%%=*}
	make_bundle "$WORK/$name/sleep" '["/bin/sleep", "100000"]'
	make_bundle "$WORK/$name/true" '["/bin/true"]'
	"${rt#*=}" --root "$WORK/$name/root" run -d --bundle "$WORK/$name/sleep" \
		"exec-$name-$$" </dev/null >/dev/null 2>&1
done

for ((i = 0; i < ITERATIONS; i++)); do
	for rt in "${RUNTIMES[@]}"; do
		lifecycle_round "$rt" "$i"
	done
done
for ((i = 0; i < (ITERATIONS + 2) / 3; i++)); do
	for rt in "${RUNTIMES[@]}"; do
		parallel_round "$rt" "$i"
	done
done

# Peak RSS (kB, max of 5) and syscalls (median of 3) of one `run /bin/true`.
declare -A RSS SYSCALLS
for rt in "${RUNTIMES[@]}"; do
	name=${rt%%=*}
	best=0
	for ((i = 0; i < 5; i++)); do
		kb=$(/usr/bin/time -f %M "${rt#*=}" --root "$WORK/$name/root" run --bundle "$WORK/$name/true" \
			"rss-$name-$$-$i" </dev/null 2>&1 >/dev/null | tail -1)
		[ "$kb" -gt "$best" ] && best=$kb
	done
	RSS[$name]=$best
	counts=()
	for ((i = 0; i < 3; i++)); do
		strace -f -c -o "$WORK/strace.$name" "${rt#*=}" --root "$WORK/$name/root" run \
			--bundle "$WORK/$name/true" "sc-$name-$$-$i" </dev/null >/dev/null 2>&1 || true
		counts+=("$(awk '$NF == "total" { print $4 }' "$WORK/strace.$name")")
	done
	SYSCALLS[$name]=$(printf '%s\n' "${counts[@]}" | sort -n | sed -n 2p)
done

# ratio A B: A / B with two decimals, "nan" when either is missing
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "nan"; else printf "%.2f", a / b }'; }

printf '\nruntime lifecycle (%s iterations, %s x run -d at once, interleaved; load %s)\n' \
	"$ITERATIONS" "$PARALLEL" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s' figure
for rt in "${RUNTIMES[@]}"; do printf '%14s' "${rt%%=*}"; done
printf '%12s %12s\n' husk/crun husk/runc
json="[]"
emit() {
	local fig=$1 unit=$2
	shift 2
	local -A v=()
	local kv
	for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
	printf '%-18s' "$fig ($unit)"
	for rt in "${RUNTIMES[@]}"; do printf '%14s' "${v[${rt%%=*}]:-nan}"; done
	printf '%12s %12s\n' "$(ratio "${v[husk]:-}" "${v[crun]:-}")" "$(ratio "${v[husk]:-}" "${v[runc]:-}")"
	json=$(jq -c --arg f "$fig" --arg u "$unit" --arg hc "$(ratio "${v[husk]:-}" "${v[crun]:-}")" \
		--arg hr "$(ratio "${v[husk]:-}" "${v[runc]:-}")" --argjson vals "$(for k in "${!v[@]}"; do
			jq -n --arg k "$k" --arg val "${v[$k]}" '{($k): ($val | tonumber? // null)}'
		done | jq -s 'add // {}')" \
		'. + [{figure: $f, unit: $u, values: $vals,
			husk_to_crun: ($hc | tonumber? // null), husk_to_runc: ($hr | tonumber? // null)}]' <<<"$json")
}
for fig in "${FIGURES[@]}"; do
	args=()
	for rt in "${RUNTIMES[@]}"; do
		name=${rt%%=*}
		read -r m _ <<<"$(stats "$WORK/$fig.$name.ns" 2>/dev/null)"
		args+=("$name=$m")
	done
	emit "$fig" ms "${args[@]}"
done
args=()
for rt in "${RUNTIMES[@]}"; do args+=("${rt%%=*}=${RSS[${rt%%=*}]}"); done
emit "peak RSS" kB "${args[@]}"
args=()
for rt in "${RUNTIMES[@]}"; do args+=("${rt%%=*}=${SYSCALLS[${rt%%=*}]}"); done
emit syscalls/run n "${args[@]}"
jq -n --argjson n "$ITERATIONS" --argjson r "$json" --arg load "$(cat /proc/loadavg)" \
	'{benchmark: "runtime lifecycle", iterations: $n, load: $load,
	  cgroups: "v1 only (private mount namespace)", results: $r}' >"$OUT"
echo "JSON: $OUT"
