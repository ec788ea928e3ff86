#!/bin/bash
# Runs inside the guest of tests/vm/run-systemd.sh, as a systemd service
# (systemd is pid 1, cgroup v2): the --systemd-cgroup scenarios against
# $HUSK (husk or runc).  Writes "@@ ok ...", "@@ not-ok ...", "@@ # ..." lines
# and "@@ DONE" last.
set -u
build=${1:?build dir}
src=$(cd "$(dirname "$0")/../.." && pwd)
say() { echo "@@ $*"; }
check() { # description command...
	local d=$1
	shift
	if "$@"; then say "ok $d"; else say "not-ok $d"; return 1; fi
}
# wait_for SECONDS command...: until the command succeeds, at most SECONDS.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.2; done
}
no_unit() { test -z "$(systemctl list-units --all --no-legend "$1")"; }
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
	for a in sh cat sleep echo true tail; do ln -s busybox "$b/rootfs/bin/$a"; done
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
    "resources": {"memory": {"limit": 33554432}, "pids": {"limit": 20},
      "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0"},
      "devices": [{"allow": false, "access": "rwm"}]},
    "cgroupsPath": "husk-vm.slice:husk:c1",
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]
  }
}
JSON
	rt() { timeout 60 "$HUSK" --root /run/husk-vm --systemd-cgroup "$@"; }
	prop() { systemctl show -P "$1" "$unit"; }
	unit=husk-c1.scope
	# A nested slice: systemd puts husk-vm.slice in husk.slice.
	cg=/sys/fs/cgroup/husk.slice/husk-vm.slice/$unit
	t0=$SECONDS
	check "run -d --systemd-cgroup" rt run -d -b "$b" c1
	say "# $(systemctl show -p ActiveState -p Slice -p Delegate -p MemoryMax -p TasksMax -p CPUWeight \
		-p CPUQuotaPerSecUSec -p AllowedCPUs -p DevicePolicy $unit | tr '\n' ' ')"
	check "the unit's ControlGroup is husk.slice/husk-vm.slice/$unit" \
		test "$(prop ControlGroup)" = "${cg#/sys/fs/cgroup}"
	check "the scope is active" test "$(prop ActiveState)" = active
	check "the scope is in husk-vm.slice" test "$(prop Slice)" = husk-vm.slice
	check "Delegate=yes" test "$(prop Delegate)" = yes
	check "MemoryMax is the memory limit" test "$(prop MemoryMax)" = 33554432
	check "TasksMax is the pids limit" test "$(prop TasksMax)" = 20
	# cpu.shares 1024 as runc maps it: 1 + ((1024 - 2) * 9999) / 262142.
	check "CPUWeight is the shares converted" test "$(prop CPUWeight)" = 39
	check "CPUQuotaPerSecUSec is quota/period" test "$(prop CPUQuotaPerSecUSec)" = 500ms
	check "AllowedCPUs is cpu.cpus" test "$(prop AllowedCPUs)" = 0
	check "DevicePolicy=strict" test "$(prop DevicePolicy)" = strict
	check "memory.max in the unit's cgroup" test "$(cat $cg/memory.max 2>&1)" = 33554432
	check "pids.max in the unit's cgroup" test "$(cat $cg/pids.max 2>&1)" = 20
	check "cpu.max in the unit's cgroup" test "$(cat $cg/cpu.max 2>&1)" = "50000 100000"
	check "cpuset.cpus in the unit's cgroup" test "$(cat $cg/cpuset.cpus 2>&1)" = 0
	pid=$(rt state c1 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
	check "the init is in the unit's cgroup" grep -qx "0::${cg#/sys/fs/cgroup}" /proc/"$pid"/cgroup
	check "exec runs in the unit's cgroup" test "$(rt exec c1 cat /proc/self/cgroup)" = "0::${cg#/sys/fs/cgroup}"
	check "ps lists the init" sh -c "timeout 30 '$HUSK' --root /run/husk-vm --systemd-cgroup ps c1 | grep -qw '$pid'"
	check "events --stats reads the unit's cgroup" sh -c "timeout 30 '$HUSK' --root /run/husk-vm --systemd-cgroup events --stats c1 | grep -q '\"memory\"'"
	# The same unit twice: husk refuses with systemd's answer (a delete of
	# one would stop the other's processes); runc 1.1 joins the existing
	# scope with a "not empty" warning.  Either way the first is untouched.
	cp -r "$b" "$b.2"
	# (into a file: a leftover init of a failed run would hold a pipe open)
	rt run -d -b "$b.2" c2 >"$b.out" 2>&1 </dev/null
	out=$(cat "$b.out")
	say "# second container in the same unit: ${out:-started}"
	case "$HUSK" in *husk*)
		check "a second container in the same unit fails" test "$(rt state c2 >/dev/null 2>&1; echo $?)" != 0
		check "its error is systemd's text" eval 'echo "$out" | grep -q "UnitExists"'
		;;
	esac
	check "the first unit still active" test "$(prop ActiveState)" = active
	rt delete -f c2 >/dev/null 2>&1
	check "update --memory" rt update --memory 67108864 c1
	check "update: MemoryMax follows" test "$(prop MemoryMax)" = 67108864
	check "update: memory.max follows" test "$(cat $cg/memory.max 2>&1)" = 67108864
	check "update --pids-limit" rt update --pids-limit 30 c1
	check "update: TasksMax follows" test "$(prop TasksMax)" = 30
	check "pause" rt pause c1
	check "paused: cgroup.freeze is 1" test "$(cat $cg/cgroup.freeze 2>&1)" = 1
	check "resume" rt resume c1
	check "kill --all" rt kill --all c1 KILL
	for _ in $(seq 50); do rt state c1 2>/dev/null | grep -q '"stopped"' && break; sleep 0.2; done
	check "delete" rt delete -f c1
	check "delete leaves no unit" test -z "$(systemctl list-units --all --no-legend $unit)"
	check "delete leaves no cgroup" test ! -d $cg
	# delete -f of a running container, default cgroupsPath (":<runtime>:<id>")
	jq 'del(.linux.cgroupsPath)' "$b/config.json" >"$b/c.json" && mv "$b/c.json" "$b/config.json"
	check "run -d with no cgroupsPath" rt run -d -b "$b" c3
	u3=$(systemctl list-units --all --no-legend --plain '*-c3.scope' | awk '{print $1}')
	check "the unit is <runtime>-c3.scope in system.slice" eval 'case "$u3" in husk-c3.scope|runc-c3.scope|crun-c3.scope) systemctl show -P Slice "$u3" | grep -qx system.slice ;; *) false ;; esac'
	check "delete -f of a running container" rt delete -f c3
	check "nothing of it is left (list-units --all)" test -z "$(systemctl list-units --all --no-legend '*-c3.scope')"
	# An OOM kill fails the scope: delete still leaves no unit (reset).
	jq '.process.args = ["/bin/tail", "/dev/zero"] | .linux.cgroupsPath = "husk-vm.slice:husk:c4"' \
		"$b/config.json" >"$b/c.json" && mv "$b/c.json" "$b/config.json"
	check "run -d of a container that runs out of memory" rt run -d -b "$b" c4
	for _ in $(seq 100); do rt state c4 2>/dev/null | grep -q '"stopped"' && break; sleep 0.2; done
	say "# after the OOM kill: $(systemctl show -p ActiveState -p Result husk-c4.scope | tr '\n' ' ')"
	check "the OOM-killed container is stopped" eval 'rt state c4 | grep -q "\"stopped\""'
	# its scope went with its last process: kill --all and ps of the
	# stopped container find nothing to do (runc: the same)
	check "kill --all of the stopped container whose scope is gone" rt kill --all c4 KILL
	check "ps of it lists nothing" eval 'test "$(rt ps c4 | wc -l)" -le 1'
	check "delete of the OOM-killed container" rt delete c4
	check "no unit left after the OOM kill" test -z "$(systemctl list-units --all --no-legend husk-c4.scope)"
	say "# runtime scenarios: $((SECONDS - t0)) s"
	rm -rf "$b.2" "$b.out"
	# VM_PODS=0 leaves huskd's and containerd's pods out
	if [ "${VM_PODS:-1}" = 1 ]; then
		. "$src/tests/vm/systemd-guest-pods.sh"
		. "$src/tests/vm/systemd-guest-containerd.sh"
	else
		say "skip huskd and containerd pods: VM_PODS=0"
	fi
	if [ "${VM_TOOLS:-1}" = 1 ]; then
		. "$(dirname "$0")/systemd-guest-tools.sh"
	else
		say "skip podman and docker: VM_TOOLS=0"
	fi
	rm -rf "$b"
fi
say "DONE"
sync
# The unit's SuccessAction does not always get there under TCG: power off
# here (the host only needs the lines above, already on the 9p share).
echo o >/proc/sysrq-trigger
