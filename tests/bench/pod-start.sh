#!/bin/bash
# Time to create a pod and start its first container, and the memory each
# pod costs beside its containers (the monitor processes: husk's holder and
# the pod PID 1; podman's conmon and infra container), for:
#   husk-pod with the husk runtime, husk-pod with runc, podman + runc.
#
#   tests/bench/pod-start.sh [PODS]        (default 10; root)
#
# husk-pod's holder forks the runtime binary for `create` (see
# sandbox/pod/pod_runtime.c): the first lines compare that with libhusk
# called in-process; the husk and runc rows compare the runtime binaries
# behind the same holder.
# Times are read from $EPOCHREALTIME (no fork: a `$(date)` on each side
# cost 2-3 ms per sample, a tenth of what is measured).
# podman runs with --infra=false if the infra container cannot start: that
# row then has one process less per pod than a real podman pod.  podman is
# given lower rlimits (runc cannot raise them without CAP_SYS_RESOURCE).
set -euo pipefail

N=${1:-10}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
source "$REPO/tests/bench/bench-lib.bash"
# build-release's, else build's: never a sanitizer build's (its holder
# alone is 5 MB)
POD_BIN=${HUSK_POD:-$(newest_bin sandbox/podctl/husk-pod)}
HUSK_BIN=${HUSK:-$(newest_bin runtime/cli/husk)}
WORK=$(mktemp -d /tmp/husk-bench-XXXXXX)
PM_DIR=$WORK/podman
ROOTFS=$WORK/rootfs
trap 'cleanup' EXIT

# Pods are removed with the runtime that made them, and the work dir only
# when nothing is mounted in it any more.
cleanup() {
	local root
	for root in "$WORK"/pods-*; do
		[ -d "$root" ] && [ -f "$root.runtime" ] || continue
		for id in $(ls "$root" | grep -v lock); do
			"$POD_BIN" --root "$root" --runtime "$(cat "$root.runtime")" --runtime-root "$root.rt" \
				--cgroup-parent /husk-bench rm "$id" >/dev/null 2>&1 || true
		done
	done
	# The pod cgroups are gone with their pods; their parent is ours.
	rmdir /sys/fs/cgroup/*/husk-bench /sys/fs/cgroup/husk-bench 2>/dev/null || true
	if [ -d "$PM_DIR" ]; then
		pm pod rm -a -f -t 0 >/dev/null 2>&1 || true
		pm rmi -a -f >/dev/null 2>&1 || true
		# overlay storage keeps its mounts until podman unmounts them
		pm system reset -f >/dev/null 2>&1 || true
		# podman on this hybrid host leaves an empty cgroup2 directory per
		# container under libpod_parent: ours go, anyone else's stay
		local cg
		for cg in /sys/fs/cgroup/unified/libpod_parent/*/; do
			[ -d "$cg" ] && ! grep -qxF "$(basename "$cg")" "$WORK/libpod-cgroups.before" &&
				rmdir "$cg" 2>/dev/null
		done
		rmdir /sys/fs/cgroup/unified/libpod_parent 2>/dev/null
		{ grep -F "$PM_DIR" /proc/self/mountinfo || true; } | awk '{print $5}' | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null || true; done
	fi
	if grep -qF "$WORK" /proc/self/mountinfo; then
		echo "pod-start.sh: mounts left under $WORK, not removing it" >&2
	else
		rm -rf "$WORK"
	fi
}


rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

"$REPO/tests/fixtures/make-rootfs.sh" "$ROOTFS" >/dev/null
cat >"$WORK/pod.json" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "bench"},
 "spec": {"containers": [{"name": "main", "image": "$ROOTFS", "command": ["sleep", "1000"]}]}}
EOF_POD

# bench_husk KEY LABEL RUNTIME: prints "LABEL avg_ms kB_per_pod"
bench_husk() {
	local name=$2 runtime=$3 root=$WORK/pods-$1 total=0 mem=0 t0 t1 id
	echo "$runtime" >"$root.runtime"
	# The kernel frees the cgroups of the row before for seconds after
	# their rmdir (kworkers holding cgroup_mutex): a row started then ran
	# at twice its time here (31 against 15 ms).  Let it settle first.
	sleep 5
	# one pod first, not counted: it makes the cgroup parents and warms
	# the page cache, as podman's probe pod does for podman
	"$POD_BIN" --root "$root" --runtime "$runtime" --runtime-root "$root.rt" \
		--cgroup-parent /husk-bench up "$WORK/pod.json" >/dev/null
	for i in $(seq 1 "$N"); do
		t0=${EPOCHREALTIME/./}
		"$POD_BIN" --root "$root" --runtime "$runtime" --runtime-root "$root.rt" \
			--cgroup-parent /husk-bench up "$WORK/pod.json" >/dev/null
		t1=${EPOCHREALTIME/./}
		total=$((total + 10#$t1 - 10#$t0))
		[ -z "${POD_START_VERBOSE:-}" ] || echo "  $name: $(((10#$t1 - 10#$t0) / 100))00 us" >&2
	done
	total=$((total / 1000))
	local pods=0
	for id in $(ls "$root" | grep -v lock); do
		mem=$((mem + $(rss_kb "$(cat "$root/$id/holder.pid")")))
		[ ! -f "$root/$id/pid1.pid" ] || mem=$((mem + $(rss_kb "$(cat "$root/$id/pid1.pid")")))
		pods=$((pods + 1))
	done
	printf '%-28s %10s %14s\n' "$name" "$((total / N))" "$((mem / pods))"
	for id in $(ls "$root" | grep -v lock); do
		"$POD_BIN" --root "$root" --runtime "$runtime" --runtime-root "$root.rt" \
			--cgroup-parent /husk-bench rm "$id" >/dev/null
	done
}

# podman with a storage of its own under $WORK (never the system's images
# and containers), so its conmons are told apart by their paths.
pm() {
	CONTAINERS_CONF=$PM_DIR/containers.conf podman --root "$PM_DIR/storage" \
		--runroot "$PM_DIR/run" --tmpdir "$PM_DIR/tmp" "$@"
}

# The conmons of our podman storage and the infra PID 1 (catatonit) each runs.
pm_monitors() {
	local p
	for p in $(pgrep -x conmon || true); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$PM_DIR/" || continue
		echo "$p"
		pgrep -P "$p" -x catatonit || true
	done
}

bench_podman() {
	command -v podman >/dev/null || { printf '%-28s %10s\n' "podman" "(not installed)"; return; }
	local total=0 mem=0 t0 t1 infra=true
	mkdir -p "$PM_DIR"
	ls /sys/fs/cgroup/unified/libpod_parent 2>/dev/null >"$WORK/libpod-cgroups.before" || true
	# Without CAP_SYS_RESOURCE runc may not raise the rlimits podman asks for
	# (nofile 1048576): ask for less.
	printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "%s/events.log"\n' "$PM_DIR" >"$PM_DIR/containers.conf"
	tar -C "$ROOTFS" -c . | pm import -q - localhost/husk-bench >/dev/null
	pm pod create --name husk-bench-probe >/dev/null
	pm pod start husk-bench-probe >/dev/null 2>&1 || infra=false
	pm pod rm -f -t 0 husk-bench-probe >/dev/null 2>&1
	for i in $(seq 1 "$N"); do
		t0=${EPOCHREALTIME/./}
		pm pod create --infra="$infra" --name "husk-bench-$i" >/dev/null
		if ! pm run -d --pod "husk-bench-$i" localhost/husk-bench sleep 1000 >/dev/null 2>"$WORK/podman.err"; then
			printf '%-28s %10s\n' "podman+runc" "failed: $(tail -1 "$WORK/podman.err")"
			return 0
		fi
		t1=${EPOCHREALTIME/./}
		total=$((total + 10#$t1 - 10#$t0))
	done
	total=$((total / 1000))
	for p in $(pm_monitors); do mem=$((mem + $(rss_kb "$p"))); done
	printf '%-28s %10s %14s\n' "podman+runc (infra=$infra)" "$((total / N))" "$((mem / N))"
}

# The holder execs the runtime binary; this is what that costs against
# libhusk called in-process (husk-pod links both).
bench_create() {
	local bundle=$WORK/bundle
	mkdir -p "$bundle"
	cp -a "$ROOTFS" "$bundle/rootfs"
	(cd "$bundle" && "$HUSK_BIN" spec &&
		jq '.process.args = ["sleep", "1000"] | .process.terminal = false' config.json >c.json &&
		mv c.json config.json)
	"$POD_BIN" bench-create "$HUSK_BIN" "$bundle" "$WORK/bench-root" "$N" </dev/null
}

bench_create
echo
echo "$N pods each; time = pod create + first container started; memory = monitor RSS per pod"
printf '%-28s %10s %14s\n' "" "ms/pod" "kB/pod"
bench_husk husk "husk-pod + husk" "$HUSK_BIN"
bench_husk runc "husk-pod + runc" "$(command -v runc)"
bench_podman
