#!/bin/bash
# The cgroup v2 test: this host is cgroup v1 (hybrid), so boot Debian's
# kernel under qemu (TCG: KVM guests hang here) with cgroup_no_v1=all, mount
# cgroup2 at /sys/fs/cgroup in a busybox initramfs, and run the cgroup tests
# there (and `husk run` with memory/pids limits when husk is built).
#
#   tests/vm/run-cgroup-v2.sh [BUILD_DIR]     (default: build)
#
# Prints TAP lines ("ok N - ...", "not ok N - ...") and a plan; exits non-zero
# when a check fails, the guest never finishes, or the time runs out.
# Environment: VM_KERNEL (default: newest /boot/vmlinuz-*), VM_TIMEOUT
# seconds (default 300), VM_KEEP=1 keeps the work dir for a look.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${BUILD_DIR:-$src/build}}
build=$(cd "$build" && pwd)
. "$src/tests/vm/vm-common.sh"
vm_check_tools

tests=()
for t in test-cgroup-live test-cgroup-values; do
	[ -x "$build/tests/unit/$t" ] || bail "$build/tests/unit/$t not built (ninja -C $build tests/unit/$t)"
	tests+=("$build/tests/unit/$t")
done
husk=""
[ -x "$build/runtime/cli/husk" ] && husk="$build/runtime/cli/husk"
[ -z "$husk" ] && [ -x "$build/husk" ] && husk="$build/husk"

work=$(mktemp -d /tmp/husk-vm.XXXXXX)
if [ "${VM_KEEP:-0}" = 1 ]; then echo "# work dir: $work"; else trap 'rm -rf "$work"' EXIT; fi
root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,etc,tests,bundle/rootfs/bin}
cp "$busybox" "$root/bin/busybox"

for t in "${tests[@]}"; do copy_with_libs "$t" "$root/tests/"; done
# A RAM disk gives the io controller a block device to throttle (brd has no
# dependencies; compressed modules are unpacked for busybox insmod).
brd=$(module_file brd)
case "$brd" in
*.ko) cp "$brd" "$root/brd.ko" ;;
*.ko.xz) xz -dc "$brd" >"$root/brd.ko" ;;
*.ko.zst) zstd -qdc "$brd" >"$root/brd.ko" ;;
esac
if [ -n "$husk" ]; then
	copy_with_libs "$husk" "$root/bin/husk"
	cp "$busybox" "$root/bundle/rootfs/bin/busybox"
	for a in sh cat; do ln -s busybox "$root/bundle/rootfs/bin/$a"; done
	mkdir -p "$root/bundle/rootfs"/{proc,sys,dev,tmp}
	cat >"$root/bundle/config.json" <<'EOF'
{
  "ociVersion": "1.2.0",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["/bin/sh", "-c", "p=$(sed s/^0::// /proc/self/cgroup); [ \"$p\" = / ] && p=; echo mem=$(cat /sys/fs/cgroup$p/memory.max) pids=$(cat /sys/fs/cgroup$p/pids.max) cg=$(cat /proc/self/cgroup)"],
    "env": ["PATH=/bin"],
    "cwd": "/"
  },
  "root": {"path": "rootfs"},
  "hostname": "vm",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  "linux": {
    "resources": {
      "devices": [{"allow": false, "access": "rwm"}],
      "memory": {"limit": 33554432},
      "pids": {"limit": 20}
    },
    "cgroupsPath": "/husk-vm/c1",
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "cgroup"}]
  }
}
EOF
fi

# Every line meant for the host starts with "@@ "; the rest is the kernel's.
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
# pivot_root(2) refuses the initramfs (rootfs) as the old root, and
# containers pivot: move everything to a tmpfs first.
if [ ! -e /.on-tmpfs ]; then
	/bin/busybox mkdir /newroot
	/bin/busybox mount -t tmpfs -o size=768m tmpfs /newroot
	for f in /*; do [ "$f" = /newroot ] || /bin/busybox cp -a "$f" /newroot/; done
	/bin/busybox touch /newroot/.on-tmpfs
	exec /bin/busybox switch_root /newroot /init
fi
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
echo 1 > /proc/sys/kernel/printk 2>/dev/null
say() { echo "@@ $*"; }
[ -f /brd.ko ] && insmod /brd.ko rd_nr=1 rd_size=4096 && say "# ram disk: $(cat /sys/block/ram0/dev)"
echo
if mount -t cgroup2 cgroup2 /sys/fs/cgroup && grep -q "^cgroup2 /sys/fs/cgroup cgroup2 " /proc/mounts; then
	say "ok cgroup2 mounted at /sys/fs/cgroup (controllers: $(cat /sys/fs/cgroup/cgroup.controllers))"
else
	say "not-ok cgroup2 mount at /sys/fs/cgroup"
fi
mkdir -p /tmp/v1
if mount -t cgroup -o memory cgroup /tmp/v1 2>/dev/null; then
	say "not-ok cgroup v1 is still available (cgroup_no_v1=all ignored)"
	umount /tmp/v1
else
	say "ok no cgroup v1 controllers (cgroup_no_v1=all)"
fi
for t in /tests/test-*; do
	name=${t##*/test-}
	"$t" >/tmp/out 2>&1
	rc=$?
	sed "s/^/@@ T $name: /" /tmp/out
	say "exit $name $rc"
done
if [ -x /bin/husk ]; then
	cd /bundle
	out=$(husk --root /run/husk run vm-c1 2>&1)
	rc=$?
	echo "$out" | sed 's/^/@@ # husk: /'
	case "$out" in
	*"mem=33554432 pids=20"*) say "ok husk run: the container's cgroup has memory.max 33554432 and pids.max 20" ;;
	*) say "not-ok husk run (exit $rc): memory.max/pids.max not seen inside" ;;
	esac
	# With a cgroup namespace the container's cgroup is its "/", as in runc.
	case "$out" in
	*"cg=0::/") say "ok husk run: /proc/self/cgroup is 0::/ in the container's cgroup namespace" ;;
	*) say "not-ok husk run: /proc/self/cgroup inside is not 0::/ (cgroup namespace made before the cgroup was entered?)" ;;
	esac
	if [ -d /sys/fs/cgroup/husk-vm/c1 ]; then
		say "not-ok husk run left /sys/fs/cgroup/husk-vm/c1 behind"
	else
		say "ok husk run removed its cgroup"
	fi
	rmdir /sys/fs/cgroup/husk-vm 2>/dev/null
fi
say "DONE"
sync
poweroff -f
EOF
chmod +x "$root/init"
vm_pack_initramfs

echo "# kernel: $kernel; build: $build${husk:+; husk: $husk}"
vm_boot "console=ttyS0 cgroup_no_v1=all panic=-1 quiet loglevel=1"
vm_report "$work/console.txt"
vm_finish
