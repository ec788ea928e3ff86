#!/bin/bash
# `podman run --rm IMAGE true` latency with husk, crun and runc as podman's
# OCI runtime (--runtime PATH), interleaved (h c r h c r ...) so drift hits
# all runtimes alike.  Everything else is the same for the three: one
# private podman storage (--root/--runroot/--tmpdir under a temp dir), the
# test rootfs `podman import`ed as the image, --network none, the cgroupfs
# manager under a cgroup parent of our own, and rlimits this machine can
# grant without CAP_SYS_RESOURCE.  Like the other benchmarks it runs in a
# private mount namespace with only the v1 cgroup hierarchies (crun 1.8
# refuses the hybrid layout).  Prints median, p90 and the ratio to crun,
# and writes the results as JSON.
#
#   tests/bench/bench-podman.sh [-n ITERATIONS] [-o OUT.json]     (as root)
#   HUSK=path/to/husk tests/bench/bench-podman.sh
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

ITERATIONS=30
OUT=$REPO_ROOT/tests/.tmp/bench-podman.json
parse_bench_options n:o: "$@"

command -v podman >/dev/null || { echo "bench-podman.sh: podman is not installed" >&2; exit 1; }
command -v conmon >/dev/null || { echo "bench-podman.sh: conmon is not installed" >&2; exit 1; }
enter_v1_only_namespace "$0" "$@"
find_runtimes
ensure_bench_rootfs
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/husk-bench-podman.XXXXXX)
IMAGE=localhost/husk-bench-podman:latest
# podman's cgroupfs manager puts the container and conmon under this.
CGPARENT=/husk-bench-podman-$$

# pm ARGS...: podman on the private storage and configuration.
pm() {
	CONTAINERS_CONF=$WORK/containers.conf podman --root "$WORK/storage" \
		--runroot "$WORK/run" --tmpdir "$WORK/tmp" --cgroup-manager cgroupfs "$@"
}

# The storage's overlay mounts live in this namespace; podman removes
# them with the storage, and whatever remains is unmounted here.
cleanup() {
	pm rm -a -f -t 0 >/dev/null 2>&1 || true
	pm rmi -a -f >/dev/null 2>&1 || true
	pm system reset -f >/dev/null 2>&1 || true
	awk -v w="$WORK" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" || true; done
	# conmon may still be exiting when the last `run --rm` returns.
	local d
	for d in /sys/fs/cgroup/*"$CGPARENT"; do
		[ -d "$d" ] || continue
		for _ in $(seq 50); do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null && break
			sleep 0.1
		done
		[ ! -d "$d" ] || echo "bench-podman.sh: cgroup $d left behind" >&2
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/tmp"
cat >"$WORK/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
CONF
tar -C "$ROOTFS" -c . | pm import -q - "$IMAGE" >/dev/null

RUN_FLAGS=(run --rm --network none --cgroup-parent "$CGPARENT"
	--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$IMAGE" true)

# One untimed run each: podman's first run sets its storage and state up.
for rt in "${RUNTIMES[@]}"; do
	pm --runtime "${rt#*=}" "${RUN_FLAGS[@]}" >/dev/null 2>"$WORK/warmup.err" ||
		{ echo "warm-up with ${rt%%=*} failed: $(tail -3 "$WORK/warmup.err")" >&2; }
done

for ((i = 0; i < ITERATIONS; i++)); do
	for rt in "${RUNTIMES[@]}"; do
		timed "${rt%%=*}" pm --runtime "${rt#*=}" "${RUN_FLAGS[@]}"
	done
done

report "podman run --rm IMAGE true" "$OUT"
echo "load: $(uptime | sed 's/.*load average: //')"
