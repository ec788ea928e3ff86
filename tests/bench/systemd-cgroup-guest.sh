#!/bin/bash
# The guest side of bench-systemd-cgroup.sh: $BENCH_N times `run` of
# /bin/true and `create` + `delete` per runtime, each with
# --systemd-cgroup and its own scope, as "@@ " lines.
set -u
say() { echo "@@ $*"; }
n=${BENCH_N:-10}
b=$(mktemp -d /tmp/bench.XXXXXX)
mkdir -p "$b/rootfs/bin" "$b/rootfs"/{proc,sys,dev}
cp "$(command -v busybox)" "$b/rootfs/bin/busybox"
ln -s busybox "$b/rootfs/bin/true"
cat >"$b/config.json" <<'JSON'
{"ociVersion": "1.2.0",
 "process": {"user": {"uid": 0, "gid": 0}, "args": ["/bin/true"], "env": ["PATH=/bin"], "cwd": "/"},
 "root": {"path": "rootfs"},
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
 "linux": {"resources": {"memory": {"limit": 67108864}, "pids": {"limit": 50}},
   "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]}}
JSON
ms() { echo $(($(date +%s%N) / 1000000)); }
declare -A run_ms create_ms
for rt in "$HUSK" /usr/bin/runc /usr/bin/crun; do
	[ -x "$rt" ] || rt=/usr/sbin/${rt##*/}
	[ -x "$rt" ] || { say "skip ${rt##*/}: not installed"; continue; }
	name=${rt##*/}
	R() { timeout 60 "$rt" --root /run/bench-$name --systemd-cgroup "$@"; }
	R run -b "$b" warm-$name >/dev/null 2>&1; R delete -f warm-$name >/dev/null 2>&1
	t=$(ms)
	for i in $(seq "$n"); do R run -b "$b" r$i >/dev/null 2>&1 || say "# $name run r$i failed"; R delete -f r$i >/dev/null 2>&1; done
	run_ms[$name]=$(( ($(ms) - t) / n ))
	t=$(ms)
	for i in $(seq "$n"); do R create -b "$b" c$i >/dev/null 2>&1 || say "# $name create c$i failed"; R delete -f c$i >/dev/null 2>&1; done
	create_ms[$name]=$(( ($(ms) - t) / n ))
	say "# $name: run+delete ${run_ms[$name]} ms, create+delete ${create_ms[$name]} ms (TCG)"
	left=$(systemctl list-units --all --no-legend "*.scope" | grep -c -- "-[rc][0-9]*\.scope" || true)
	say "# $name: units left: $left"
done
h=${HUSK##*/}
for other in runc crun; do
	[ -n "${run_ms[$other]:-}" ] && [ -n "${run_ms[$h]:-}" ] || continue
	say "# ratio $h/$other: run $(awk "BEGIN{printf \"%.2f\", ${run_ms[$h]}/${run_ms[$other]}}"), create $(awk "BEGIN{printf \"%.2f\", ${create_ms[$h]}/${create_ms[$other]}}")"
done
say "ok benchmark finished"
say DONE
sync
echo o >/proc/sysrq-trigger
