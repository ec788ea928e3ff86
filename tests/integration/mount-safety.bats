#!/usr/bin/env bats
# What the runtime writes and mounts must stay inside the container: a
# sysctl key cannot name a host sysctl, husk mounts proc/sysfs/devtmpfs
# only on real directories of the rootfs, and masked paths never follow a
# symlink out of it (CVE-2019-19921, CVE-2023-27561, CVE-2023-28642).

load helpers

setup() { setup_bundle; }
teardown() {
	if [ -n "${RESTORE_SYSCTL:-}" ]; then echo "$RESTORE_VALUE" >"$RESTORE_SYSCTL"; fi
	teardown_bundle
}

# The key starts with "net", so a check on its first word lets it through;
# resolved under /proc/sys it names kernel/printk_ratelimit, the host's.
@test "sysctl: a key with a \"..\" component cannot write a host sysctl" {
	local file=/proc/sys/kernel/printk_ratelimit before
	before=$(cat "$file")
	RESTORE_SYSCTL=$file RESTORE_VALUE=$before
	update_config ".linux.sysctl = {\"net/../kernel/printk_ratelimit\": \"$((before + 7))\"}"
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[ "$(cat "$file")" = "$before" ]
	if is_husk; then
		[[ "$output" == *'"net/../kernel/printk_ratelimit" is not a sysctl name'* ]]
	fi
}

@test "sysctl: empty and absolute components are refused" {
	requires husk # runc cleans them away (path.Join) and writes the sysctl
	local key
	for key in "/net/ipv4/ip_forward" "net..ipv4.ip_forward" "net/ipv4//ip_forward" "net/./ipv4/ip_forward"; do
		update_config ".linux.sysctl = {\"$key\": \"1\"}"
		set_args /bin/true
		husk run "$CID"
		[ "$status" -ne 0 ]
	done
}

@test "sysctl: a slash key keeps the dots of its components (eth0.100)" {
	update_config '.linux.sysctl = {"net/ipv4/conf/lo/forwarding": "1", "net.ipv4.ip_forward": "1"}'
	set_args /bin/cat /proc/sys/net/ipv4/conf/lo/forwarding /proc/sys/net/ipv4/ip_forward
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1 ]
}

# rootfs_symlink PATH TARGET: PATH of the rootfs replaced by a symlink.
rootfs_symlink() {
	rm -rf "${BUNDLE:?}/rootfs$1"
	ln -s "$2" "$BUNDLE/rootfs$1"
}

@test "proc: a /proc that is a symlink in the image is refused" {
	mkdir -p "$BUNDLE/rootfs/elsewhere"
	rootfs_symlink /proc /elsewhere
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[ -z "$(ls -A "$BUNDLE/rootfs/elsewhere")" ]
	[[ "$output" == *"ordinary directory"* ]]
}

@test "sysfs: a /sys that is a symlink in the image is refused" {
	mkdir -p "$BUNDLE/rootfs/elsewhere"
	rootfs_symlink /sys /elsewhere
	update_config '.mounts |= map(select(.type != "cgroup"))'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"ordinary directory"* ]]
}

@test "devices: a /dev that is a symlink in the image is not filled" {
	requires husk # runc fills the symlink's target (securejoin)
	mkdir -p "$BUNDLE/rootfs/elsewhere"
	rootfs_symlink /dev /elsewhere
	update_config '.mounts |= map(select(.destination | startswith("/dev") | not))'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'"/dev" in the rootfs must be an ordinary directory, not a symlink'* ]]
	[ ! -e "$BUNDLE/rootfs/elsewhere/null" ]
}

@test "maskedPaths: a masked path that is a symlink is refused, its target not masked" {
	requires husk # runc 1.1 masks what the symlink names
	echo secret >"$BUNDLE/rootfs/etc/kept"
	ln -s /etc "$BUNDLE/rootfs/masked-link"
	update_config '.linux.maskedPaths = ["/masked-link"]'
	set_args /bin/cat /etc/kept
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'"/masked-link" is a symlink'* ]]
}
