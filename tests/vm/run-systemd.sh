#!/bin/bash
# The systemd test: this host has no systemd as pid 1, so boot Debian's
# kernel under qemu (TCG: KVM guests hang here) with the machine's own
# installed userspace as the guest's root -- the host's / exported read-only
# over virtio-9p under a tmpfs overlay, set up by a small busybox
# initramfs -- and /lib/systemd/systemd as pid 1 on cgroup v2.  systemd
# boots straight into husk-vm.target, whose one service runs
# tests/vm/systemd-guest.sh (the --systemd-cgroup scenarios) and powers the
# machine off.  The guest writes its "@@ " lines to a writable 9p share.
#
#   tests/vm/run-systemd.sh [BUILD_DIR]     (default: build)
#
# Prints TAP and a plan; exits non-zero when a check fails, the guest never
# finishes, or the time runs out.  Environment: VM_KERNEL (default: newest
# /boot/vmlinuz-*), VM_TIMEOUT seconds (default 300), VM_KEEP=1 keeps the
# work dir, HUSK (default BUILD_DIR/runtime/cli/husk; e.g. /usr/sbin/runc),
# VM_GUEST (the script the guest runs; default tests/vm/systemd-guest.sh),
# VM_TOOLS=0 leaves podman and Docker out (VM_TOOLS_BUDGET: their seconds),
# VM_PODS=0 huskd's and containerd's pods (--cgroup-driver systemd, SystemdCgroup),
# VM_CGROUP=hybrid (with VM_GUEST=tests/vm/systemd-guest-v1.sh) the v1 boot.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${BUILD_DIR:-$src/build}}
build=$(cd "$build" && pwd)
. "$src/tests/vm/vm-common.sh"
vm_check_tools
[ -x /lib/systemd/systemd ] || bail "/lib/systemd/systemd missing (apt-get install systemd)"
runtime=${HUSK:-$build/runtime/cli/husk}
[ -x "$runtime" ] || bail "$runtime not built (ninja -C $build)"
runtime=$(cd "$(dirname "$runtime")" && pwd)/$(basename "$runtime")
guest=${VM_GUEST:-$src/tests/vm/systemd-guest.sh}
[ -f "$guest" ] || bail "VM_GUEST: no $guest"
guest=$(cd "$(dirname "$guest")" && pwd)/$(basename "$guest")

work=$(mktemp -d /tmp/husk-vm-systemd.XXXXXX)
if [ "${VM_KEEP:-0}" = 1 ]; then echo "# work dir: $work"; else trap 'rm -rf "$work"' EXIT; fi
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,lower,upper,newroot} "$work/out"
cp "$busybox" "$root/bin/busybox"
# virtio-pci and 9p are modules in Debian's kernel, and so is overlayfs.
for m in virtio_pci 9pnet_virtio 9p overlay; do
	grep -q "/$m.ko" "/lib/modules/$kver/modules.builtin" 2>/dev/null && continue
	vm_add_module "$m" || bail "module $m is not in /lib/modules/$kver"
done

# containerd's image for the guest (systemd-guest-containerd.sh), made here:
# under TCG packing it takes the guest half a minute.
if [ "${VM_PODS:-1}" = 1 ]; then
	mkdir -p "$work/bb/bin"
	cp "$busybox" "$work/bb/bin/busybox"
	for a in sh cat sleep echo true; do ln -s busybox "$work/bb/bin/$a"; done
	"$src/tests/fixtures/make-oci-archive.sh" "$work/bb" "$work/out/vm-bb.tar" localhost/vm-bb:latest \
		'["sleep","2147483647"]' || bail "make-oci-archive.sh failed"
fi

# The guest's units, copied into the overlay's /etc by the initramfs.
mkdir -p "$root/units"
cat >"$root/units/husk-vm.target" <<'UNIT'
[Unit]
Description=husk systemd-cgroup tests
Requires=husk-vm.service basic.target
After=husk-vm.service
AllowIsolate=yes
UNIT
cat >"$root/units/husk-vm.service" <<UNIT
[Unit]
Description=husk systemd-cgroup tests
Requires=dbus.socket
After=basic.target dbus.socket

[Service]
Type=oneshot
Environment=HUSK=$runtime VM_TOOLS=${VM_TOOLS:-1} VM_PODS=${VM_PODS:-1} VM_TOOLS_BUDGET=${VM_TOOLS_BUDGET:-120} BENCH_N=${BENCH_N:-10}
ExecStart=/bin/bash $guest $build
StandardOutput=append:/vm-out/guest.log
StandardError=append:/vm-out/guest.log
TimeoutStartSec=infinity
SuccessAction=poweroff-force
FailureAction=poweroff-force
UNIT
# Units that would wait for hardware, the network or a login, or just cost
# boot time under TCG.
masked="getty@tty1.service serial-getty@ttyS0.service systemd-timesyncd.service
systemd-pstore.service docker.socket podman.socket systemd-networkd.service
networking.service systemd-logind.service apt-daily.timer apt-daily-upgrade.timer
man-db.timer e2scrub_all.timer fstrim.timer dpkg-db-backup.timer
podman-auto-update.timer systemd-journal-flush.service
systemd-update-utmp.service systemd-binfmt.service systemd-firstboot.service
systemd-random-seed.service systemd-hwdb-update.service
ldconfig.service systemd-machine-id-commit.service systemd-tmpfiles-setup.service
systemd-tmpfiles-clean.timer systemd-udevd.service systemd-udev-trigger.service
systemd-udev-settle.service"
echo "$masked" >"$root/units/masked"

cat >"$root/init" <<'EOF2'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo 1 > /proc/sys/kernel/printk
for m in $(cat /modules/order); do insmod /modules/$m.ko || echo "@@ not-ok insmod $m"; done
init=/lib/systemd/systemd
for w in $(cat /proc/cmdline); do case "$w" in init=*) init=${w#init=} ;; esac; done
opts=trans=virtio,version=9p2000.L,msize=262144
if ! mount -t 9p -o ro,cache=loose,$opts hostroot /lower; then
	echo "@@ not-ok mount the host's / over 9p"; poweroff -f
fi
mount -t tmpfs -o size=1g,mode=755 tmpfs /upper
mkdir /upper/u /upper/w
if ! mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot; then
	echo "@@ not-ok overlay of tmpfs on the 9p root"; poweroff -f
fi
mkdir -p /newroot/vm-out
mount -t 9p -o $opts vmout /newroot/vm-out
e=/newroot/etc/systemd/system
cp /units/husk-vm.* $e/
for u in $(cat /units/masked); do rm -f $e/$u; ln -s /dev/null $e/$u; done
# The target also as the default: systemd ignores systemd.unit= when it
# thinks it runs in a container, and the host's /.dockerenv says so.
rm -f $e/default.target /newroot/.dockerenv
ln -s husk-vm.target $e/default.target
echo "@@ # initramfs: 9p root and overlay ready, starting $init"
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot $init
EOF2
chmod +x "$root/init"
vm_pack_initramfs

# VM_CGROUP=hybrid boots systemd's hybrid layout (v1 controllers, cgroup2
# at /sys/fs/cgroup/unified), as on this CI host.
case "${VM_CGROUP:-v2}" in
v2) cgroup_args="systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all" ;;
hybrid) cgroup_args="systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=0" ;;
*) bail "VM_CGROUP: v2 or hybrid, not ${VM_CGROUP}" ;;
esac
echo "# kernel: $kernel; runtime: $runtime; cgroup: ${VM_CGROUP:-v2}"
start=$SECONDS
VM_MEMORY=${VM_MEMORY:-1536} vm_boot "console=ttyS0 panic=-1 quiet loglevel=1 init=/lib/systemd/systemd \
$cgroup_args systemd.unit=husk-vm.target \
systemd.show_status=0 systemd.log_level=warning systemd.firstboot=0" \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$work/out,mount_tag=vmout,security_model=none,multidevs=remap"
echo "# boot and tests: $((SECONDS - start)) s"
# The initramfs's failures come on the console (no pipe: vm_report counts).
grep -a '^@@ not-ok ' "$work/console.txt" >"$work/initramfs.txt" || true
vm_report "$work/initramfs.txt"
touch "$work/out/guest.log"
[ "${VM_VERBOSE:-0}" = 1 ] && sed 's/^/# guest: /' "$work/out/guest.log"
vm_report "$work/out/guest.log"
vm_finish
