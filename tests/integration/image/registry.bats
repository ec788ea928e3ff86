#!/usr/bin/env bats
# Images from registries (sandbox/image/registry.h): a real docker-registry
# on 127.0.0.1 started here, images pushed with skopeo from OCI layouts
# built offline, pulled by husk-pod and by huskd's pods (kubectl).  husk
# only: runc has no images.

load ../helpers
load ../pod/pod_helpers
load registry_helpers

setup_file() {
	registry_setup_file
	push_layout "$BATS_FILE_TMPDIR/oci:latest" test/app:1.0
}

teardown_file() {
	stop_pidfile "$BATS_FILE_TMPDIR/reg/registry.pid"
}

setup() { setup_pod_env; }
teardown() {
	local f
	for f in "$BATS_TEST_TMPDIR"/*/*.pid "$BATS_TEST_TMPDIR"/*.pid; do
		[ -e "$f" ] && stop_pidfile "$f"
	done
	teardown_pod_env
}

# what a failed pull may leave: complete blobs only
no_partial_image() {
	[ -z "$(ls -A "$STORE/refs" 2>/dev/null)" ] || fail "a reference was recorded"
	[ -z "$(ls -A "$STORE/layers" 2>/dev/null | grep -v '^\.tmp' )" ] || fail "a layer was unpacked"
	[ -z "$(find "$STORE" -name '.tmp-*')" ] || fail "temporary files left"
}

@test "registry: pull by tag and digest, status, list, a second pull downloads nothing, rmi" {
	pod pull "$REG/test/app:1.0"
	[ "$status" -eq 0 ]
	read -r name repo_digest id secs bytes <<<"$output"
	[ "$name" = "$REG/test/app:1.0" ]
	[[ "$repo_digest" == "$REG/test/app@sha256:"* ]]
	[[ "$id" == sha256:* ]]
	[ "$bytes" -gt 100000 ]
	pod pull "$REG/test/app:1.0"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | cut -f5)" = 0 ]
	pod pull "$repo_digest"
	[ "$status" -eq 0 ]
	pod image-status "$REG/test/app:1.0"
	[ "$status" -eq 0 ]
	[[ "$output" == *"id=$id"* ]]
	[[ "$output" == *"tag=$REG/test/app:1.0"* ]]
	pod images
	[[ "$output" == *"$id"* ]]
	pod rmi "$REG/test/app:1.0"
	[ "$status" -eq 0 ]
	pod image-status "$REG/test/app:1.0"
	[ "$status" -ne 0 ]
}

@test "registry: short names are docker.io's, mirrored; unknown image and bad reference" {
	cat >"$BATS_TEST_TMPDIR/registries.yaml" <<-EOF
		mirrors:
		  docker.io:
		    endpoint:
		      - "http://$REG"
	EOF
	pod pull --registry-config "$BATS_TEST_TMPDIR/registries.yaml" busybox
	[ "$status" -eq 0 ]
	[[ "$output" == docker.io/library/busybox:latest$'\t'docker.io/library/busybox@sha256:* ]]
	pod pull --registry-config "$BATS_TEST_TMPDIR/registries.yaml" nosuch/image:1
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"HTTP 404"* ]]
	# unqualified-search registries: the first that has it
	cat >"$BATS_TEST_TMPDIR/search.yaml" <<-EOF
		unqualified-search-registries: ["127.0.0.1:1", "$REG"]
	EOF
	pod pull --registry-config "$BATS_TEST_TMPDIR/search.yaml" test/app:1.0
	[ "$status" -eq 0 ]
	[[ "$output" == "$REG/test/app:1.0"$'\t'* ]]
	pod image-status test/app:1.0
	[ "$status" -eq 0 ]
	pod pull 'Bad/Name'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"invalid repository name"* ]]
}

@test "registry: htpasswd basic auth, credentials from --creds and from the config" {
	start_registry "$BATS_TEST_TMPDIR/auth" htpasswd
	[ -s "$BATS_TEST_TMPDIR/auth/htpasswd" ] || skip "python3 crypt cannot make a bcrypt hash"
	# skopeo pushes with the credentials
	push_layout "$BATS_FILE_TMPDIR/oci:latest" private/app:1 --dest-creds alice:secret
	pod pull "$REG/private/app:1"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"wants basic auth and no credentials"* ]]
	pod pull --creds alice:wrong "$REG/private/app:1"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"HTTP 401"* ]]
	pod pull --creds alice:secret "$REG/private/app:1"
	[ "$status" -eq 0 ]
	cat >"$BATS_TEST_TMPDIR/registries.yaml" <<-EOF
		configs:
		  "$REG":
		    auth: {username: alice, password: secret}
	EOF
	pod rmi "$REG/private/app:1"
	pod pull --registry-config "$BATS_TEST_TMPDIR/registries.yaml" "$REG/private/app:1"
	[ "$status" -eq 0 ]
}

@test "registry: token auth (WWW-Authenticate: Bearer) through a token server" {
	python3 -c 'import cryptography' 2>/dev/null || skip "python3-cryptography is missing"
	start_token_server "$BATS_TEST_TMPDIR/token"
	start_registry "$BATS_TEST_TMPDIR/treg" token
	curl -s -D - -o /dev/null "http://$REG/v2/" | grep -qi 'www-authenticate: bearer' ||
		fail "the registry does not ask for a token"
	push_layout "$BATS_FILE_TMPDIR/oci:latest" tok/app:1 --dest-creds alice:secret
	pod pull --creds alice:wrong "$REG/tok/app:1"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"token from"*"HTTP 401"* ]]
	pod pull --creds alice:secret "$REG/tok/app:1"
	[ "$status" -eq 0 ]
}

@test "registry: a multi-arch index resolves to linux/amd64" {
	local oci=$BATS_TEST_TMPDIR/multi
	build_image_layout "$oci" amd64 '{"Cmd":["sh"]}'
	python3 - "$oci" <<-'EOF'
		import hashlib, json, os, sys
		out = sys.argv[1]
		blobs = os.path.join(out, "blobs", "sha256")
		def put(obj):
		    data = json.dumps(obj, sort_keys=True).encode()
		    d = hashlib.sha256(data).hexdigest()
		    open(os.path.join(blobs, d), "wb").write(data)
		    return {"digest": "sha256:" + d, "size": len(data)}
		index = json.load(open(os.path.join(out, "index.json")))
		amd = index["manifests"][0]
		man = json.load(open(os.path.join(blobs, amd["digest"][7:])))
		# an arm64 image: its own config, the same layer
		cfg = {"architecture": "arm64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}, "config": {}}
		arm = dict(man, config=dict(man["config"], **put(cfg)))
		mt = "application/vnd.oci.image.manifest.v1+json"
		entries = [dict(put(arm), mediaType=mt, platform={"os": "linux", "architecture": "arm64", "variant": "v8"}),
		           dict(digest=amd["digest"], size=amd["size"], mediaType=mt, platform={"os": "linux", "architecture": "amd64"}),
		           dict(put(arm), mediaType=mt, platform={"os": "windows", "architecture": "amd64", "os.features": ["win32k"]})]
		idx = dict(put({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}),
		           mediaType="application/vnd.oci.image.index.v1+json", annotations={"org.opencontainers.image.ref.name": "multi"})
		json.dump({"schemaVersion": 2, "manifests": [idx]}, open(os.path.join(out, "index.json"), "w"))
		print(man["config"]["digest"])
	EOF
	local amd_config
	amd_config=$(jq -r '.config.digest' "$oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$oci/blobs/sha256/$(jq -r '.manifests[0].digest[7:]' "$oci/index.json")" | cut -c8-)" 2>/dev/null) || true
	push_layout "$oci:multi" test/multi:1 --all
	pod pull "$REG/test/multi:1"
	[ "$status" -eq 0 ]
	local id
	id=$(echo "$output" | cut -f3)
	local want
	want=$(jq -r '.manifests[1].digest[7:]' "$oci/blobs/sha256/$(jq -r '.manifests[0].digest[7:]' "$oci/index.json")")
	[ "$id" = "$(jq -r .config.digest "$oci/blobs/sha256/$want")" ]
	# imageID is the index's digest, as containerd reports it
	[[ "$(echo "$output" | cut -f2)" == *"@$(jq -r '.manifests[0].digest' "$oci/index.json")" ]]
}

@test "registry: a corrupted blob is refused and nothing is kept" {
	start_registry "$BATS_TEST_TMPDIR/bad"
	push_layout "$BATS_FILE_TMPDIR/oci:latest" bad/app:1
	local layer data
	layer=$(jq -r '.layers[0].digest[7:]' "$BATS_FILE_TMPDIR/oci/blobs/sha256/$(jq -r '.manifests[0].digest[7:]' "$BATS_FILE_TMPDIR/oci/index.json")")
	data=$BATS_TEST_TMPDIR/bad/storage/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data
	[ -f "$data" ] || fail "no blob at $data"
	# same size, one byte changed
	printf 'X' | dd of="$data" bs=1 seek=1000 conv=notrunc 2>/dev/null
	pod pull "$REG/bad/app:1"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"does not match its digest"* ]]
	no_partial_image
	[ ! -e "$STORE/blobs/sha256/$layer" ]
}

@test "registry: a connection cut mid-layer is retried; cut every time, the pull fails clean" {
	start_cutting_proxy "$BATS_TEST_TMPDIR" once
	pod pull "$PROXY/test/app:1.0"
	[ "$status" -eq 0 ]
	grep -q blobs "$BATS_TEST_TMPDIR/proxy.log"
	stop_pidfile "$BATS_TEST_TMPDIR/proxy.pid"
	rm -rf "$STORE"
	start_cutting_proxy "$BATS_TEST_TMPDIR" always
	pod pull "$PROXY/test/app:1.0"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"after 4 attempts"* ]]
	no_partial_image
}

@test "registry: concurrent pulls of one image download each blob once" {
	local i
	for i in 1 2 3; do
		"$HUSK_POD_BIN" "${POD_FLAGS[@]}" pull "$REG/test/app:1.0" >"$BATS_TEST_TMPDIR/p$i" 2>&1 &
	done
	wait
	local total=0
	for i in 1 2 3; do
		grep -q "sha256:" "$BATS_TEST_TMPDIR/p$i" || fail "pull $i: $(cat "$BATS_TEST_TMPDIR/p$i")"
		total=$((total + $(cut -f5 "$BATS_TEST_TMPDIR/p$i")))
	done
	local size
	size=$(stat -c %s "$BATS_FILE_TMPDIR/busybox.tar.gz")
	# the layer came once (the first pull); the others found it
	[ "$total" -eq "$size" ]
}
