#!/usr/bin/env bats
# Images from OCI image layouts: layers unpacked once per digest into the
# store, whiteouts honoured, overlayfs with a writable layer per container,
# and a layer that escapes refused with nothing left behind.

load ../helpers
load pod_helpers

setup() {
	setup_pod_env
	LAYOUT=$BATS_TEST_TMPDIR/layout
	mkdir -p "$LAYOUT/blobs/sha256"
	echo '{"imageLayoutVersion": "1.0.0"}' >"$LAYOUT/oci-layout"
}

teardown() {
	teardown_pod_env
}

# add_blob FILE: prints "sha256:<hex> <size>" and stores the blob.
add_blob() {
	local hex size
	hex=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	cp "$1" "$LAYOUT/blobs/sha256/$hex"
	echo "sha256:$hex $size"
}

# make_layout TAG LAYER.tar...: config (Entrypoint, Env, WorkingDir, and
# User from $IMAGE_USER) and a manifest over the given layers, tagged TAG in
# index.json.
make_layout() {
	local tag=$1 layers="[]" d s l
	shift
	for l in "$@"; do
		read -r d s < <(add_blob "$l")
		layers=$(jq --arg d "$d" --argjson s "$s" '. + [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": $d, "size": $s}]' <<<"$layers")
	done
	jq -n --arg user "${IMAGE_USER:-}" '{"architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["echo image-cmd; sleep 1000"], "Env": ["IMAGE_VAR=from-image", "PATH=/bin:/usr/bin"], "WorkingDir": "/work"}, "rootfs": {"type": "layers", "diff_ids": []}} | if $user != "" then .config.User = $user else . end' >"$BATS_TEST_TMPDIR/config.json"
	read -r d s < <(add_blob "$BATS_TEST_TMPDIR/config.json")
	jq -n --arg d "$d" --argjson s "$s" --argjson layers "$layers" '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": $d, "size": $s}, "layers": $layers}' >"$BATS_TEST_TMPDIR/manifest.json"
	read -r d s < <(add_blob "$BATS_TEST_TMPDIR/manifest.json")
	jq -n --arg d "$d" --argjson s "$s" --arg tag "$tag" '{"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": $d, "size": $s, "annotations": {"org.opencontainers.image.ref.name": $tag}}]}' >"$LAYOUT/index.json"
}

make_layers() {
	local l1=$BATS_TEST_TMPDIR/l1 l2=$BATS_TEST_TMPDIR/l2
	mkdir -p "$l1/work" "$l1/etc/app" "$l2/etc/app" "$l2/work"
	cp -a "$POD_ROOTFS"/. "$l1"/
	echo gone >"$l1/etc/deleted"
	echo old >"$l1/etc/app/old"
	echo layer1 >"$l1/work/which"
	: >"$l2/etc/.wh.deleted"
	: >"$l2/etc/app/.wh..wh..opq"
	echo new >"$l2/etc/app/new"
	echo layer2 >"$l2/work/which"
	tar -C "$l1" -czf "$BATS_TEST_TMPDIR/l1.tar.gz" .
	tar -C "$l2" -cf "$BATS_TEST_TMPDIR/l2.tar" .
	L1=$BATS_TEST_TMPDIR/l1.tar.gz
	L2=$BATS_TEST_TMPDIR/l2.tar
}

@test "pod: an OCI layout image runs with its config, layers and whiteouts" {
	make_layers
	make_layout v1 "$L1" "$L2"
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "oci"},
 "spec": {"containers": [{"name": "a", "image": "$LAYOUT:v1"},
                         {"name": "b", "image": "$LAYOUT:v1", "args": ["echo b-args; sleep 1000"]}]}}
EOF_POD
	pod_up
	pod exec "$SID-a-0" sh -c 'pwd; echo $IMAGE_VAR; cat which; ls /etc/app; ls /etc/deleted'
	[ "${lines[0]}" = /work ]
	[ "${lines[1]}" = from-image ]
	[ "${lines[2]}" = layer2 ]
	[ "${lines[3]}" = new ]
	[ "${#lines[@]}" -eq 4 ]
	retry 20 0.1 grep -q image-cmd "$PODS/$SID/containers/$SID-a-0/container.log"
	retry 20 0.1 grep -q b-args "$PODS/$SID/containers/$SID-b-0/container.log"
	# Each container writes to its own upper layer; the store is shared.
	pod exec "$SID-a-0" sh -c 'echo mine > /work/which'
	pod exec "$SID-b-0" cat /work/which
	[ "$output" = layer2 ]
	[ "$(ls "$STORE/layers" | grep -vc '^\.')" -eq 2 ]
}

@test "pod: a layer with a path that escapes is refused and leaves nothing behind" {
	mkdir -p "$BATS_TEST_TMPDIR/evil"
	echo x >"$BATS_TEST_TMPDIR/evil/escape-$TOKEN"
	tar -C "$BATS_TEST_TMPDIR/evil" -cf "$BATS_TEST_TMPDIR/evil.tar" -P \
		--transform="s,^escape,../../../escape," "escape-$TOKEN" 2>/dev/null
	make_layout bad "$BATS_TEST_TMPDIR/evil.tar"
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "evil"},
 "spec": {"containers": [{"name": "a", "image": "$LAYOUT:bad", "command": ["true"]}]}}
EOF_POD
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"escapes the layer"* ]]
	[ -z "$(find / -xdev -name "escape-$TOKEN" -not -path "$BATS_TEST_TMPDIR/evil/*" 2>/dev/null | head -1)" ]
	[ -z "$(ls -A "$STORE/layers")" ]
	check_pod_debris
}

@test "pod: an unknown tag is an error" {
	make_layers
	make_layout v1 "$L1"
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "notag"},
 "spec": {"containers": [{"name": "a", "image": "$LAYOUT:v2"}]}}
EOF_POD
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"no manifest for tag v2"* ]]
	check_pod_debris
}

@test "pod: a blob that does not match its digest is refused" {
	make_layers
	make_layout v1 "$L2"
	blob=$(jq -r '.manifests[0].digest' "$LAYOUT/index.json")
	layer=$(jq -r '.layers[0].digest' "$LAYOUT/blobs/sha256/${blob#sha256:}")
	echo tampered >>"$LAYOUT/blobs/sha256/${layer#sha256:}"
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "tampered"},
 "spec": {"containers": [{"name": "a", "image": "$LAYOUT:v1", "command": ["true"]}]}}
EOF_POD
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"does not match its digest"* ]]
	[ -z "$(ls -A "$STORE/layers")" ]
	check_pod_debris
}

@test "pod: an image User given by name is looked up in the image's passwd and group" {
	make_layers
	local l3=$BATS_TEST_TMPDIR/l3
	mkdir -p "$l3/etc"
	printf 'root:x:0:0::/root:/bin/sh\napp:x:1234:2345::/:/bin/sh\n' >"$l3/etc/passwd"
	printf 'root:x:0:\nstaff:x:3456:\n' >"$l3/etc/group"
	tar -C "$l3" -cf "$BATS_TEST_TMPDIR/l3.tar" .
	# A uid without a passwd entry runs with gid 0, as docker does.
	for case in "app 1234 2345" "app:staff 1234 3456" "1234 1234 2345" "app:77 1234 77" \
		"4321 4321 0"; do
		read -r user uid gid <<<"$case"
		IMAGE_USER=$user make_layout v1 "$L1" "$L2" "$BATS_TEST_TMPDIR/l3.tar"
		write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "user"},
 "spec": {"containers": [{"name": "a", "image": "$LAYOUT:v1"}]}}
EOF_POD
		pod_up
		pod exec "$SID-a-0" sh -c 'echo $(id -u) $(id -g)'
		[ "$output" = "$uid $gid" ]
		pod rm "$SID"
		[ "$status" -eq 0 ]
	done
	# An unknown name is an error that names it and leaves nothing behind
	# (checked at the end).
	IMAGE_USER=nobody-here make_layout v1 "$L1" "$L2" "$BATS_TEST_TMPDIR/l3.tar"
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"user \`nobody-here\`: no such user"* ]]
	IMAGE_USER=app:nogroup make_layout v1 "$L1" "$L2" "$BATS_TEST_TMPDIR/l3.tar"
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"group \`nogroup\`: no such group"* ]]
	# The host's /etc/passwd is never read through a symlink in the image.
	rm "$l3/etc/passwd"
	ln -s ../../../../../../etc/passwd "$l3/etc/passwd"
	tar -C "$l3" -cf "$BATS_TEST_TMPDIR/l3.tar" .
	IMAGE_USER=daemon make_layout v1 "$L1" "$L2" "$BATS_TEST_TMPDIR/l3.tar"
	pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"user \`daemon\`: no such user"* ]]
	# None of the refused pods left anything (teardown would remove them).
	check_pod_debris
}

# husk-pod runs once per pod: the image code that needs GnuTLS, libarchive
# and libcurl is a module it loads only when an image needs it
# (sandbox/image/image_transfer.h).
@test "pod: husk-pod loads the image module only for images that need it" {
	run ldd "$HUSK_POD_BIN"
	[ "$status" -eq 0 ]
	[[ "$output" != *libcurl* && "$output" != *libarchive* && "$output" != *libgnutls* ]]
	make_layers
	make_layout v1 "$L1"
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "nomodule"},
 "spec": {"containers": [{"name": "a", "image": "$LAYOUT:v1", "command": ["true"]}]}}
EOF_POD
	HUSK_IMAGE_MODULE=$BATS_TEST_TMPDIR/missing.so pod up "$POD_FILE"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"cannot load the image module"*"missing.so"* ]]
	[ -z "$(ls -A "$STORE/layers" 2>/dev/null)" ]
	check_pod_debris
	# a directory image needs no module
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "dir"},
 "spec": {"containers": [{"name": "a", "image": "$POD_ROOTFS", "command": ["sleep", "1000"]}]}}
EOF_POD
	HUSK_IMAGE_MODULE=$BATS_TEST_TMPDIR/missing.so pod_up
	pod exec "$SID-a-0" true
	[ "$status" -eq 0 ]
}
