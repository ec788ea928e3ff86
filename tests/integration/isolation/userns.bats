#!/usr/bin/env bats
# User namespaces: uidMappings/gidMappings written from outside, ownership
# of /dev and of what the container creates; idmapped mounts.

load ../helpers
load common

setup() {
	setup_bundle
	requires userns
	use_userns 200000 300000 65536
}
teardown() { teardown_bundle; }

@test "userns: the process is root inside and the maps are the config's" {
	set_args /bin/sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo ${lines[2]})" = "0 200000 65536" ]
	[ "$(echo ${lines[3]})" = "0 300000 65536" ]
}

@test "userns: the user namespace differs from the host's" {
	run_checker namespaces
	[ "$(echo "$output" | jq .namespaces.user)" != "$(ns_of $$ user)" ]
}

@test "userns: /dev and its device nodes belong to the container's root" {
	set_args /bin/sh -c 'stat -c "%u:%g %n" /dev /dev/null /dev/pts /dev/shm'
	husk_stdout run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0:0 /dev" ]
	# /dev/null is a bind of the host node (owned by host root, so
	# "nobody" inside) or a node the runtime made: never an unmapped id
	! echo "$output" | grep -q '^4294967295'
}

@test "userns: files created in the rootfs are owned by the mapped host ids" {
	update_config '.process.capabilities.bounding += ["CAP_CHOWN"]
		| .process.capabilities.effective += ["CAP_CHOWN"]
		| .process.capabilities.permitted += ["CAP_CHOWN"]'
	set_args /bin/sh -c 'touch /tmp/made-inside; mkdir /tmp/dir-inside; chown 1000:1000 /tmp/dir-inside'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/made-inside")" = 200000:300000 ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/dir-inside")" = 201000:301000 ]
}

@test "userns: host root files look like the overflow id inside" {
	set_args /bin/stat -c %u /bin/busybox
	husk_stdout run "$CID"
	[ "$output" = "$(cat /proc/sys/kernel/overflowuid)" ]
}

@test "userns: a mapping outside the container's range leaves the id unmapped" {
	update_config '.process.user = {"uid": 70000, "gid": 0}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
}

@test "userns: an idmapped bind mount shows the mapped owners" {
	if is_runc; then
		skip "runc $("$HUSK" --version | awk 'NR==1{print $3}') predates idmapped mounts (runc 1.2)"
	fi
	local src="$BATS_TEST_TMPDIR/idsrc"
	mkdir "$src"
	touch "$src/f"
	chown 123:123 "$src/f"
	mkdir "$BUNDLE/rootfs/idm" # a userns root cannot create it in a host-owned rootfs
	# the mount shifts host id N to 200000+N (gid 300000+N), which the
	# container's user namespace shows as N again; without idmap the
	# file would look like the overflow id
	update_config ".mounts += [{\"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"$src\",
		\"options\": [\"bind\", \"idmap\"],
		\"uidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 65536}],
		\"gidMappings\": [{\"containerID\": 0, \"hostID\": 300000, \"size\": 65536}]}]"
	set_args /bin/stat -c %u:%g /idm/f
	husk run "$CID"
	if [[ "$output" == *idmap* ]] &&
		[[ "$output" == *"not supported"* || "$output" == *"Invalid argument"* ]]; then
		skip "the kernel or filesystem does not support idmapped mounts: $output"
	fi
	[ "$status" -eq 0 ]
	[ "$output" = "123:123" ]
}

@test "userns: an idmapped mount's bad mappings are named in the error" {
	is_husk || skip "husk's wording"
	mkdir "$BUNDLE/rootfs/idm"
	# overlapping ranges: the kernel refuses the uid_map write
	update_config ".mounts += [{\"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR\",
		\"options\": [\"bind\", \"idmap\"],
		\"uidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 10},
			{\"containerID\": 5, \"hostID\": 300000, \"size\": 10}],
		\"gidMappings\": [{\"containerID\": 0, \"hostID\": 300000, \"size\": 65536}]}]"
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'mount "/idm": uidMappings: write uid_map'* ]]
}

# runc's mount-source fds: the source is opened by the runtime with the
# host's credentials, so a directory above it that the container's root
# cannot traverse does not stop the bind.
@test "userns: a bind source under a directory the container's root cannot traverse" {
	local private="$BATS_TEST_TMPDIR/private"
	mkdir -p "$private/src"
	chmod 0700 "$private"
	chmod 0755 "$private/src"
	echo reachable >"$private/src/file"
	chmod 0644 "$private/src/file"
	echo host-file >"$private/single"
	chmod 0644 "$private/single"
	# mount points the image has: the container's root may not create them
	update_config '.mounts += [
		{"destination": "/home", "type": "bind", "source": "'"$private/src"'", "options": ["rbind", "ro"]},
		{"destination": "/etc/hostname", "type": "bind", "source": "'"$private/single"'", "options": ["bind"]}]'
	set_args /bin/sh -c 'cat /home/file /etc/hostname; touch /home/x 2>/dev/null || echo read-only'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = reachable ]
	[ "${lines[1]}" = host-file ]
	[ "${lines[2]}" = read-only ]
}
