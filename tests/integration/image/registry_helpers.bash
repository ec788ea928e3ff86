# Helpers of the registry suites: test images built offline (busybox-static
# in one gzip layer), a docker-registry on 127.0.0.1 (a free port, private
# config and storage) with no auth, htpasswd or token auth, images pushed
# with skopeo, a token server and a proxy that cuts connections (python3).
# Loaded after ../helpers and ../pod/pod_helpers.

REG_TOOLS=$INTEGRATION_ROOT/image

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# build_image_layout OUT TAG [CMD-JSON]: an OCI layout of busybox-static.
build_image_layout() {
	local out=$1 tag=$2 cfg=${3:-'{"Cmd":["sh"]}'} root=$BATS_FILE_TMPDIR/imgroot a
	if [ ! -f "$BATS_FILE_TMPDIR/busybox.tar.gz" ]; then
		rm -rf "$root" && mkdir -p "$root/bin" "$root/tmp" "$root/etc"
		cp /bin/busybox "$root/bin/busybox"
		for a in sh sleep echo cat ls id true; do ln -s busybox "$root/bin/$a"; done
		echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
		tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf - . |
			gzip -n >"$BATS_FILE_TMPDIR/busybox.tar.gz"
	fi
	python3 "$REPO_ROOT/tests/fixtures/critest-images/mkoci.py" "$out" "$tag" "$cfg" \
		"$BATS_FILE_TMPDIR/busybox.tar.gz" >/dev/null
}

# start_registry DIR [htpasswd|token]: $REG (127.0.0.1:PORT), pid in DIR/registry.pid.
start_registry() {
	local dir=$1 mode=${2:-} auth=''
	mkdir -p "$dir"
	REG_PORT=$(free_port)
	REG=127.0.0.1:$REG_PORT
	case $mode in
	htpasswd)
		python3 -c 'import crypt,sys; print("alice:" + crypt.crypt("secret", crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
			>"$dir/htpasswd" 2>/dev/null
		auth="auth:
  htpasswd:
    realm: husk-test
    path: $dir/htpasswd"
		;;
	token)
		auth="auth:
  token:
    realm: http://127.0.0.1:$TOKEN_PORT/token
    service: husk-test-registry
    issuer: husk-test-issuer
    rootcertbundle: $TOKEN_DIR/cert.pem"
		;;
	esac
	cat >"$dir/registry.yml" <<-EOF2
		version: 0.1
		log:
		  level: warn
		storage:
		  filesystem:
		    rootdirectory: $dir/storage
		http:
		  addr: $REG
	EOF2
	[ -z "$auth" ] || echo "$auth" >>"$dir/registry.yml"
	# 3>&-: a server must not hold bats' output open (bats waits for it)
	docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 3>&- &
	echo $! >"$dir/registry.pid"
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null "http://$REG/v2/" && return 0
		sleep 0.1
	done
	fail "the registry does not answer: $(tail -3 "$dir/registry.log")"
}

stop_pidfile() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	rm -f "$1"
}

# push_layout LAYOUT:TAG NAME:TAG [skopeo args]: into $REG (plain http).
# skopeo's blob-info cache goes to a private /var/lib (as critest-images.sh).
push_layout() {
	local src=$1 dst=$2
	shift 2
	mkdir -p "$BATS_FILE_TMPDIR/skopeo"
	unshare -m --propagation private bash -c '
		mount -t tmpfs -o mode=755 husk-skopeo /var/lib && mkdir -p /var/lib/containers/cache &&
		skopeo --insecure-policy --tmpdir "$1" copy -q --dest-tls-verify=false "${@:4}" "oci:$2" "docker://$3"
	' push "$BATS_FILE_TMPDIR/skopeo" "$src" "$REG/$dst" "$@" ||
		fail "skopeo could not push $src to $REG/$dst"
}

# start_token_server DIR: a key, its self-signed cert (the registry's
# rootcertbundle) and token-server.py on $TOKEN_PORT (pid in DIR/token.pid).
start_token_server() {
	TOKEN_DIR=$1
	mkdir -p "$TOKEN_DIR"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=husk-test-issuer \
		-keyout "$TOKEN_DIR/key.pem" -out "$TOKEN_DIR/cert.pem" 2>/dev/null || fail "openssl"
	TOKEN_PORT=$(free_port)
	python3 "$REG_TOOLS/token-server.py" "$TOKEN_PORT" "$TOKEN_DIR/key.pem" "$TOKEN_DIR/cert.pem" \
		alice secret >"$TOKEN_DIR/log" 2>&1 3>&- &
	echo $! >"$TOKEN_DIR/token.pid" # a .pid: the suites' teardown stops it
	local i
	for i in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$TOKEN_PORT/" && return 0
		sleep 0.1
	done
	fail "the token server does not answer: $(cat "$TOKEN_DIR/log")"
}

# start_cutting_proxy DIR MODE: $PROXY (127.0.0.1:PORT) in front of $REG
# that cuts blob downloads half way (MODE once: the first one; always).
start_cutting_proxy() {
	PROXY_PORT=$(free_port)
	PROXY=127.0.0.1:$PROXY_PORT
	python3 "$REG_TOOLS/cutting-proxy.py" "$PROXY_PORT" "$REG" "$2" >"$1/proxy.log" 2>&1 3>&- &
	echo $! >"$1/proxy.pid"
	local i
	for i in $(seq 50); do
		curl -s -o /dev/null "http://$PROXY/v2/" && return 0
		sleep 0.1
	done
	fail "the proxy does not answer"
}

# registry_setup_file: what both registry suites start from: a
# docker-registry on 127.0.0.1 ($REG, $REG_PORT) serving an image built
# offline as library/busybox:latest (its layout in $BATS_FILE_TMPDIR/oci).
registry_setup_file() {
	requires root
	command -v docker-registry >/dev/null || skip "docker-registry is not installed"
	command -v skopeo >/dev/null || skip "skopeo is not installed"
	export BATS_FILE_TMPDIR
	build_image_layout "$BATS_FILE_TMPDIR/oci" latest '{"Cmd":["sh"]}'
	start_registry "$BATS_FILE_TMPDIR/reg"
	export REG REG_PORT
	push_layout "$BATS_FILE_TMPDIR/oci:latest" library/busybox:latest
}
