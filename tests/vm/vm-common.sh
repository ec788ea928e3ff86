# Pieces the qemu test runners share (sourced by run-cgroup-v2.sh and
# run-systemd.sh): TAP counting, the checks for kernel, qemu and busybox,
# copying a binary with its shared objects, kernel modules for an initramfs,
# packing the initramfs, booting it, and turning the console's "@@ " lines
# into TAP.  Callers set `root` (the initramfs tree) and `work` first.

timeout_s=${VM_TIMEOUT:-300}
kernel=${VM_KERNEL:-$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
kver=${kernel##*/vmlinuz-}
busybox=$(command -v busybox || true)

n=0
failed=0
tap() { # tap ok|"not ok" description
	n=$((n + 1))
	echo "$1 $n - $2"
	[ "$1" = ok ] || failed=$((failed + 1))
}
bail() {
	echo "Bail out! $*"
	exit 1
}

vm_check_tools() {
	[ -n "$kernel" ] && [ -r "$kernel" ] || bail "no readable kernel in /boot (apt-get install linux-image-amd64)"
	command -v qemu-system-x86_64 >/dev/null || bail "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
	command -v cpio >/dev/null || bail "cpio missing"
	# ldd fails on a static binary.
	[ -n "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || bail "a static busybox is needed (busybox-static)"
}

# A binary and the shared objects it needs, at the same paths under $root.
copy_with_libs() { # file dest
	cp "$1" "$2"
	# (a static binary has no list: ldd and grep fail, which is fine)
	{ ldd "$1" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
		[ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"; }
	done
}

# The file of module `name` in the kernel's modules, "" when it has none
# (built in, or not built).
module_file() {
	find "/lib/modules/$kver" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" 2>/dev/null | head -n 1
}

# Copies module `name` (uncompressed: busybox insmod does not unpack) and
# its dependencies, dependencies first, into $root/modules and appends
# their names to $root/modules/order.  Fails when the kernel lacks it.
vm_add_module() { # name
	local f dep
	grep -qx "$1" "$root/modules/order" 2>/dev/null && return 0
	f=$(module_file "$1")
	[ -n "$f" ] || return 1
	for dep in $(modinfo -F depends "$f" | tr , ' '); do vm_add_module "$dep" || return 1; done
	mkdir -p "$root/modules"
	case "$f" in
	*.ko) cp "$f" "$root/modules/$1.ko" ;;
	*.ko.xz) xz -dc "$f" >"$root/modules/$1.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$root/modules/$1.ko" ;;
	esac
	echo "$1" >>"$root/modules/order"
}

vm_pack_initramfs() {
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"
}

# Boots the kernel with $work/initrd.gz and the command line `append`;
# extra qemu arguments follow.  The console goes to $work/console.txt with
# firmware escapes cut off; sets qemu_rc.
vm_boot() { # append [qemu args...]
	local append=$1
	shift
	set +e
	timeout --foreground "$timeout_s" qemu-system-x86_64 -accel tcg -m "${VM_MEMORY:-1024}" -smp 2 \
		-nographic -no-reboot -monitor none -serial stdio \
		-kernel "$kernel" -initrd "$work/initrd.gz" \
		-append "$append" "$@" \
		</dev/null >"$work/console.log" 2>&1
	qemu_rc=$?
	set -e
	# Firmware escapes may share a line with the first message: cut them off.
	tr -d '\r' <"$work/console.log" | sed 's/^.*@@ /@@ /' >"$work/console.txt"
}

# Turns "@@ ..." lines of `file` into TAP (see run-cgroup-v2.sh for the
# forms); sets done_seen when "@@ DONE" was there.
done_seen=0
vm_report() { # file
	local line rest name body tname trc
	while IFS= read -r line; do
		case "$line" in
		"@@ ok "*) tap ok "${line#@@ ok }" ;;
		"@@ not-ok "*) tap "not ok" "${line#@@ not-ok }" ;;
		"@@ skip "*) n=$((n + 1)); echo "ok $n # skip ${line#@@ skip }" ;;
		"@@ T "*)
			rest=${line#@@ T }
			name=${rest%%: *}
			body=${rest#*: }
			case "$body" in
			"ok "*) tap ok "$name: ${body#ok [0-9]* - }" ;;
			"not ok "*) tap "not ok" "$name: ${body#not ok [0-9]* - }" ;;
			*) echo "# $name: $body" ;;
			esac
			;;
		"@@ exit "*)
			read -r tname trc <<<"${line#@@ exit }"
			if [ "$trc" = 0 ]; then tap ok "$tname: exits 0"; else tap "not ok" "$tname: exits $trc"; fi
			;;
		"@@ DONE") done_seen=1 ;;
		"@@ "*) echo "${line#@@ }" ;;
		esac
	done <"$1"
}

# The end of a run: a failure when the guest never said DONE, the plan,
# and the exit status.
vm_finish() {
	if [ "$done_seen" != 1 ]; then
		tap "not ok" "the guest finished (qemu exit $qemu_rc; timeout ${timeout_s}s)"
		echo "# last console lines:"
		tail -n 30 "$work/console.txt" | sed 's/^/#   /'
	fi
	echo "1..$n"
	[ "$failed" = 0 ] && [ "$done_seen" = 1 ]
}
