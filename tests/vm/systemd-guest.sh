#!/bin/bash
# Runs inside the guest of tests/vm/run-systemd.sh, as a systemd service
# (systemd is pid 1, cgroup v2): the --systemd-cgroup scenarios against
# $HUSK (husk or runc).  Writes "@@ ok ...", "@@ not-ok ...", "@@ # ..." lines
# and "@@ DONE" last.
set -u
build=${1:?build dir}
say() { echo "@@ $*"; }
check() { # description command...
	local d=$1
	shift
	if "$@"; then say "ok $d"; else say "not-ok $d"; fi
}
say "# $(uname -r), systemd $(systemctl --version | head -n 1), runtime $HUSK"
check "systemd is pid 1" test "$(cat /proc/1/comm)" = systemd
check "cgroup v2 at /sys/fs/cgroup" test "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs
check "systemd answers on D-Bus" timeout 60 busctl --system call org.freedesktop.systemd1 \
	/org/freedesktop/systemd1 org.freedesktop.DBus.Peer Ping
check "a transient scope can be made (systemd-run --scope)" \
	timeout 60 systemd-run --quiet --scope --unit=husk-vm-probe -p Delegate=yes true

# --systemd-cgroup: a container in a transient scope with its limits as unit
# properties and in the cgroup files, and nothing left after delete.
if ! "$HUSK" features 2>/dev/null | grep -q '"systemd": true'; then
	say "skip --systemd-cgroup scenarios: $HUSK features says systemd is not supported"
else
	b=$(mktemp -d /tmp/bundle.XXXXXX)
	mkdir -p "$b/rootfs/bin" "$b/rootfs"/{proc,sys,dev,tmp}
	cp "$(command -v busybox)" "$b/rootfs/bin/busybox"
	for a in sh cat sleep; do ln -s busybox "$b/rootfs/bin/$a"; done
	cat >"$b/config.json" <<'JSON'
{
  "ociVersion": "1.2.0",
  "process": {"user": {"uid": 0, "gid": 0}, "args": ["/bin/sleep", "600"],
    "env": ["PATH=/bin"], "cwd": "/"},
  "root": {"path": "rootfs"},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}
  ],
  "linux": {
    "resources": {"memory": {"limit": 33554432}, "pids": {"limit": 20}, "cpu": {"shares": 1024}},
    "cgroupsPath": "husk-vm.slice:husk:c1",
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]
  }
}
JSON
	rt() { "$HUSK" --root /run/husk-vm --systemd-cgroup "$@"; }
	unit=husk-c1.scope
	# A nested slice: systemd puts husk-vm.slice in husk.slice.
	cg=/sys/fs/cgroup/husk.slice/husk-vm.slice/$unit
	check "run -d --systemd-cgroup" rt run -d -b "$b" c1
	say "# $(systemctl show -p ActiveState -p Slice -p Delegate -p MemoryMax -p TasksMax -p CPUWeight $unit | tr '\n' ' ')"
	check "the unit's ControlGroup is husk.slice/husk-vm.slice/$unit" \
		test "$(systemctl show -P ControlGroup $unit)" = "${cg#/sys/fs/cgroup}"
	check "the scope is active" test "$(systemctl show -P ActiveState $unit)" = active
	check "the scope is in husk-vm.slice" test "$(systemctl show -P Slice $unit)" = husk-vm.slice
	check "Delegate=yes" test "$(systemctl show -P Delegate $unit)" = yes
	check "MemoryMax is the memory limit" test "$(systemctl show -P MemoryMax $unit)" = 33554432
	check "TasksMax is the pids limit" test "$(systemctl show -P TasksMax $unit)" = 20
	# cpu.shares 1024 as runc maps it: 1 + ((1024 - 2) * 9999) / 262142.
	check "CPUWeight is the shares converted" test "$(systemctl show -P CPUWeight $unit)" = 39
	check "memory.max in the unit's cgroup" test "$(cat $cg/memory.max 2>&1)" = 33554432
	check "pids.max in the unit's cgroup" test "$(cat $cg/pids.max 2>&1)" = 20
	check "the init is in the unit's cgroup" grep -qx "0::${cg#/sys/fs/cgroup}" /proc/"$(rt state c1 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')"/cgroup
	check "update --memory" rt update --memory 67108864 c1
	check "update: MemoryMax follows" test "$(systemctl show -P MemoryMax $unit)" = 67108864
	check "update: memory.max follows" test "$(cat $cg/memory.max 2>&1)" = 67108864
	check "pause" rt pause c1
	check "paused: cgroup.freeze is 1" test "$(cat $cg/cgroup.freeze 2>&1)" = 1
	check "resume" rt resume c1
	check "kill" rt kill c1 KILL
	for _ in $(seq 50); do rt state c1 2>/dev/null | grep -q '"stopped"' && break; sleep 0.2; done
	check "delete" rt delete -f c1
	check "delete leaves no unit" test -z "$(systemctl list-units --all --no-legend $unit)"
	check "delete leaves no cgroup" test ! -d $cg
	rm -rf "$b"
fi
say "DONE"
sync
# The unit's SuccessAction does not always get there under TCG: power off
# here (the host only needs the lines above, already on the 9p share).
echo o >/proc/sysrq-trigger
