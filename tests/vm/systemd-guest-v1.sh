#!/bin/bash
# The systemd guest in the hybrid layout (VM_CGROUP=hybrid
# VM_GUEST=tests/vm/systemd-guest-v1.sh tests/vm/run-systemd.sh): a
# container with --systemd-cgroup on cgroup v1, its limits as the v1
# properties (MemoryLimit, CPUShares, TasksMax) and in the v1 files, update,
# pause, and nothing left after delete.
set -u
say() { echo "@@ $*"; }
check() {
	local d=$1
	shift
	if "$@"; then say "ok $d"; else say "not-ok $d"; return 1; fi
}
say "# $(uname -r), systemd $(systemctl --version | head -n 1), runtime $HUSK"
check "v1 hierarchies at /sys/fs/cgroup (tmpfs)" test "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs
check "cgroup2 at /sys/fs/cgroup/unified" test "$(stat -f -c %T /sys/fs/cgroup/unified)" = cgroup2fs
b=$(mktemp -d /tmp/bundle.XXXXXX)
mkdir -p "$b/rootfs/bin" "$b/rootfs"/{proc,sys,dev,tmp}
cp "$(command -v busybox)" "$b/rootfs/bin/busybox"
for a in sh cat sleep; do ln -s busybox "$b/rootfs/bin/$a"; done
cat >"$b/config.json" <<'JSON'
{"ociVersion": "1.2.0",
 "process": {"user": {"uid": 0, "gid": 0}, "args": ["/bin/sleep", "600"], "env": ["PATH=/bin"], "cwd": "/"},
 "root": {"path": "rootfs"},
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
 "linux": {"resources": {"memory": {"limit": 33554432}, "pids": {"limit": 20}, "cpu": {"shares": 512}},
   "cgroupsPath": "husk-vm.slice:husk:v1",
   "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]}}
JSON
rt() { timeout 60 "$HUSK" --root /run/husk-vm --systemd-cgroup "$@"; }
unit=husk-v1.scope
inner=/husk.slice/husk-vm.slice/$unit
check "run -d --systemd-cgroup (v1)" rt run -d -b "$b" v1
say "# $(systemctl show -p ActiveState -p MemoryLimit -p TasksMax -p CPUShares -p Delegate $unit | tr '\n' ' ')"
check "the scope is active" test "$(systemctl show -P ActiveState $unit)" = active
check "MemoryLimit is the memory limit" test "$(systemctl show -P MemoryLimit $unit)" = 33554432
check "CPUShares is cpu.shares" test "$(systemctl show -P CPUShares $unit)" = 512
check "TasksMax is the pids limit" test "$(systemctl show -P TasksMax $unit)" = 20
check "memory.limit_in_bytes" test "$(cat /sys/fs/cgroup/memory$inner/memory.limit_in_bytes 2>&1)" = 33554432
check "cpu.shares" test "$(cat /sys/fs/cgroup/cpu,cpuacct$inner/cpu.shares 2>&1)" = 512
check "pids.max" test "$(cat /sys/fs/cgroup/pids$inner/pids.max 2>&1)" = 20
pid=$(rt state v1 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
check "the init is in the freezer hierarchy too (systemd leaves it to us)" \
	grep -q "freezer:$inner\$" /proc/"$pid"/cgroup
check "update --memory" rt update --memory 67108864 v1
check "update: MemoryLimit follows" test "$(systemctl show -P MemoryLimit $unit)" = 67108864
check "update: memory.limit_in_bytes follows" test "$(cat /sys/fs/cgroup/memory$inner/memory.limit_in_bytes 2>&1)" = 67108864
check "pause" rt pause v1
check "paused: freezer.state" test "$(cat /sys/fs/cgroup/freezer$inner/freezer.state 2>&1)" = FROZEN
check "resume" rt resume v1
check "delete -f" rt delete -f v1
check "no unit left" test -z "$(systemctl list-units --all --no-legend $unit)"
check "no memory cgroup left" test ! -d /sys/fs/cgroup/memory$inner
check "no freezer cgroup left" test ! -d /sys/fs/cgroup/freezer$inner
say DONE
sync
echo o >/proc/sysrq-trigger
