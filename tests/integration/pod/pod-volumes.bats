#!/usr/bin/env bats
# hostPath volumes and their type checks.

load ../helpers
load pod_helpers

setup() {
	setup_pod_env
	HOSTDIR=$BATS_TEST_TMPDIR/host
	mkdir -p "$HOSTDIR/dir"
	echo host-file >"$HOSTDIR/file"
}

teardown() {
	teardown_pod_env
}

hostpath_pod() { # PATH TYPE
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "hp"},
 "spec": {"volumes": [{"name": "h", "hostPath": {"path": "$1", "type": "$2"}}],
  "containers": [{"name": "main", "image": "@ROOTFS@", "command": ["sleep", "1000"],
    "volumeMounts": [{"name": "h", "mountPath": "/h"}]}]}}
EOF_POD
}

@test "pod: hostPath Directory and File are bind-mounted, writes reach the host" {
	hostpath_pod "$HOSTDIR/dir" Directory
	pod_up
	pod exec "$SID-main-0" sh -c 'echo from-pod > /h/x'
	[ "$(cat "$HOSTDIR/dir/x")" = from-pod ]
	pod rm "$SID"
	# The pod owns the mount, not the host's data.
	[ "$(cat "$HOSTDIR/dir/x")" = from-pod ]

	hostpath_pod "$HOSTDIR/file" File
	pod_up
	pod exec "$SID-main-0" cat /h
	[ "$output" = host-file ]
}

@test "pod: hostPath DirectoryOrCreate and FileOrCreate create what is missing" {
	hostpath_pod "$HOSTDIR/new/dir" DirectoryOrCreate
	pod_up
	[ -d "$HOSTDIR/new/dir" ]
	hostpath_pod "$HOSTDIR/newfile" FileOrCreate
	pod_up
	[ -f "$HOSTDIR/newfile" ]
}

@test "pod: hostPath type mismatches are refused and leave nothing behind" {
	for spec in "$HOSTDIR/file Directory" "$HOSTDIR/dir File" "$HOSTDIR/file Socket" \
		"$HOSTDIR/file CharDevice" "$HOSTDIR/file BlockDevice" "$HOSTDIR/missing Directory"; do
		set -- $spec
		hostpath_pod "$1" "$2"
		pod up "$POD_FILE"
		[ "$status" -ne 0 ] || fail "$2 accepted $1"
		[[ "$stderr" == *"spec.volumes[0] \`h\`"* ]]
		check_pod_debris
	done
	hostpath_pod /dev/null CharDevice
	pod_up
}
