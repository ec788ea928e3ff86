#!/bin/bash
# The CRI flow kubelet drives, through huskd's CRI socket and through
# containerd 1.6 + runc, in one interleaved run:
#   pod:   RunPodSandbox + CreateContainer + StartContainer + the
#          container's first output line in its CRI log (what kubelet's
#          pod start costs before probes), each step one crictl call;
#   grpc:  the same flow from one client with one connection to each
#          server, as kubelet keeps it (cri_flow.py, python3-grpcio): no
#          crictl process start and no new connection per call;
#   pull:  PullImage of a one-layer busybox image from a local
#          docker-registry (RemoveImage first; unpacking included on both).
#
#   tests/bench/bench-cri.sh [-n ROUNDS] [-o OUT.json]    (root; default 10)
#
# Both sides run the same crictl (cri-tools from ../shared/conformance)
# and the same images from the same registry on 127.0.0.1.  Pods share the
# host's network namespace (namespace_options.network NODE) so that CNI's
# cost, which is the plugins' and the same for both, stays out.  The
# `version` line is one crictl process + one trivial RPC: the client's
# share of each of the pod flow's 3 calls (so the ratio of the servers'
# own work is lower than the pod line's).  Prints medians, p90 and
# huskd/containerd ratios.
set -euo pipefail
. "$(dirname "$0")/bench-lib.bash"
# containerd_base_config, containerd_cri_runtime_config: the private
# containerd config the tools and critest suites use
. "$REPO_ROOT/tests/integration/tools/tools_helpers.bash"

ITERATIONS=10
OUT=
parse_bench_options n:o: "$@"

CRICTL=${CRICTL:-${HUSK_CONFORMANCE_BUILD:-$REPO_ROOT/tests/.tmp/conformance}/cri-tools/bin/crictl}
GRPC_PYTHON=
for py in python3 /usr/bin/python3; do # as containerd-cri.bats: a pyenv python3 may lack grpc
	"$py" -c 'import grpc' 2>/dev/null && GRPC_PYTHON=$py && break
done
[ -n "$GRPC_PYTHON" ] || { echo "bench-cri: python3-grpcio is not installed" >&2; exit 2; }
for c in "$CRICTL" containerd ctr containerd-shim-runc-v2 runc docker-registry skopeo python3 jq curl; do
	command -v "$c" >/dev/null || { echo "bench-cri: $c is not installed (or built: shared/conformance)" >&2; exit 2; }
done
HUSKD_BIN=$(newest_bin sandbox/huskd/huskd)
RUNTIME=${HUSK:-$(newest_bin runtime/cli/husk)}
[ -x "$HUSKD_BIN" ] && [ -x "$RUNTIME" ] || { echo "bench-cri: build husk and huskd first" >&2; exit 2; }

# (not under a 0700 dir: the image's users other than root reach the logs)
WORK=$(mktemp -d /tmp/husk-bench-cri.XXXXXX)
chmod 755 "$WORK"
CTD=$WORK/containerd
SOCK=$WORK/huskd.sock
CGPARENT=/husk-bench-cri
# containerd's pods get a cgroup_parent of their own (else /k8s.io/<id>)
CTD_CGPARENT=husk-bench-cri-ctrd
mkdir -p "$CTD" "$WORK/logs" "$WORK/registry"
trap teardown EXIT

teardown() {
	set +e
	local side id
	for side in huskd containerd; do
		[ -S "$(endpoint "$side")" ] || continue
		for id in $(cri "$side" pods -q 2>/dev/null); do
			cri "$side" stopp "$id" >/dev/null 2>&1
			cri "$side" rmp "$id" >/dev/null 2>&1
		done
	done
	if [ -f "$CTD/pid" ]; then
		kill "$(cat "$CTD/pid")" 2>/dev/null
		wait "$(cat "$CTD/pid")" 2>/dev/null
	fi
	[ -f "$WORK/registry.pid" ] && kill "$(cat "$WORK/registry.pid")" 2>/dev/null
	local d
	for d in /sys/fs/cgroup/*/"$CTD_CGPARENT" /sys/fs/cgroup/"$CTD_CGPARENT"; do
		[ -d "$d" ] && { find "$d" -depth -type d -exec rmdir {} + 2>/dev/null ||
			echo "bench-cri: cgroup $d left behind" >&2; }
	done
	bench_huskd_teardown
}

answers() { cri "$1" version >/dev/null 2>&1; }

endpoint() { [ "$1" = huskd ] && echo "$WORK/cri.sock" || echo "$CTD/containerd.sock"; }

cri() { # SIDE ARGS...
	local ep
	ep=$(endpoint "$1")
	shift
	timeout 60 "$CRICTL" --runtime-endpoint "unix://$ep" --image-endpoint "unix://$ep" \
		--timeout 30s "$@"
}

start_registry() {
	REG=127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$WORK/registry.yml" <<-EOF
		version: 0.1
		log:
		  level: error
		storage:
		  filesystem:
		    rootdirectory: $WORK/registry
		http:
		  addr: $REG
	EOF
	docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
	echo $! >"$WORK/registry.pid"
	wait_until 10 curl -fs "http://$REG/v2/" -o /dev/null ||
		{ echo "bench-cri: the registry does not answer" >&2; exit 1; }
}

# push_image NAME CONFIG-JSON: busybox-static in one gzip layer, as
# $REG/bench/NAME:1 (skopeo's blob cache in a private /var/lib).
push_image() {
	local name=$1 cfg=$2 root=$WORK/imgroot a
	if [ ! -f "$WORK/busybox.tar.gz" ]; then
		mkdir -p "$root/bin" "$root/tmp" "$root/etc"
		cp /bin/busybox "$root/bin/busybox"
		for a in sh sleep echo cat true; do ln -s busybox "$root/bin/$a"; done
		echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
		tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf - . |
			gzip -n >"$WORK/busybox.tar.gz"
	fi
	python3 "$REPO_ROOT/tests/fixtures/critest-images/mkoci.py" "$WORK/oci-$name" 1 "$cfg" \
		"$WORK/busybox.tar.gz" >/dev/null
	unshare -m --propagation private bash -c '
		mount -t tmpfs -o mode=755 husk-skopeo /var/lib && mkdir -p /var/lib/containers/cache &&
		skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$1:1" "docker://$2"
	' push "$WORK/oci-$name" "$REG/bench/$name:1"
}

start_containerd_cri() { # (not tools_helpers.bash's: its own config and checks)
	mkdir -p "$CTD/certs.d/$REG"
	printf 'server = "http://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' \
		"$REG" "$REG" >"$CTD/certs.d/$REG/hosts.toml"
	{
		containerd_base_config
		cat <<-TOML
		  sandbox_image = "$REG/bench/pause:1"
		  restrict_oom_score_adj = true
		  netns_mounts_under_state_dir = true
		TOML
		containerd_cri_runtime_config runc "$(command -v runc)" "$CTD/runc-root"
	} >"$CTD/config.toml"
	containerd --config "$CTD/config.toml" >"$CTD/containerd.log" 2>&1 &
	echo $! >"$CTD/pid"
	wait_until 10 answers containerd ||
		{ echo "bench-cri: containerd does not answer (log: $CTD/containerd.log)" >&2; exit 1; }
}

pod_config() { # SIDE ROUND
	local parent=
	[ "$1" = containerd ] && parent=/$CTD_CGPARENT
	jq -n --arg n "bench-$1-$2" --arg l "$WORK/logs/$1-$2" --arg p "$parent" '{metadata: {name: $n,
		namespace: "bench", uid: ($n + "-uid"), attempt: 1}, log_directory: $l,
		linux: ({security_context: {namespace_options: {network: 2}}}
			+ (if $p == "" then {} else {cgroup_parent: $p} end))}'
}

container_config() {
	jq -n --arg img "$REG/bench/busybox:1" '{metadata: {name: "c"}, image: {image: $img},
		command: ["sh", "-c", "echo ready; exec sleep 600"], log_path: "c.log", linux: {}}'
}

# one_pod SIDE ROUND: the timed flow; the pod is removed afterwards, untimed.
one_pod() {
	local side=$1 round=$2 t0 t1 pod ctr log=$WORK/logs/$1-$2/c.log
	pod_config "$side" "$round" >"$WORK/pod.json"
	now_ns t0
	pod=$(cri "$side" runp "$WORK/pod.json")
	ctr=$(cri "$side" create "$pod" "$WORK/ctr.json" "$WORK/pod.json")
	cri "$side" start "$ctr" >/dev/null
	until grep -q ' ready$' "$log" 2>/dev/null; do
		now_ns t1
		((t1 - t0 < 30000000000)) || { echo "bench-cri: $side: no output in $log" >&2; exit 1; }
		sleep 0.001
	done
	now_ns t1
	echo $((t1 - t0)) >>"$WORK/pod-$side.ns"
	cri "$side" stopp "$pod" >/dev/null
	cri "$side" rmp "$pod" >/dev/null
}

one_pull() { # SIDE
	local side=$1 t0 t1
	cri "$side" rmi "$REG/bench/busybox:1" >/dev/null 2>&1 || true
	now_ns t0
	cri "$side" pull "$REG/bench/busybox:1" >/dev/null
	now_ns t1
	echo $((t1 - t0)) >>"$WORK/pull-$side.ns"
}

one_version() { # SIDE
	local t0 t1
	now_ns t0
	cri "$1" version >/dev/null
	now_ns t1
	echo $((t1 - t0)) >>"$WORK/version-$1.ns"
}

start_registry
push_image busybox '{"Cmd":["sh"]}'
push_image pause '{"Entrypoint":["/bin/sleep","2147483647"]}'
RUNTIME=$(readlink -f "$RUNTIME")
bench_huskd_start --cri-socket "$WORK/cri.sock"
wait_until 10 answers huskd || { echo "bench-cri: huskd's CRI does not answer" >&2; exit 1; }
start_containerd_cri
container_config >"$WORK/ctr.json"
for side in huskd containerd; do
	cri "$side" pull "$REG/bench/busybox:1" >/dev/null
	one_pod "$side" warmup
	rm -f "$WORK/pod-$side.ns"
done
cri containerd pull "$REG/bench/pause:1" >/dev/null

for round in $(seq "$ITERATIONS"); do
	for side in huskd containerd; do
		one_version "$side"
		one_pod "$side" "$round"
	done
	# pulls last: a removed image must be back before the next round's pods
	for side in huskd containerd; do one_pull "$side"; done
done

# (after the crictl rounds: its own warm-up pods, the same image)
"$GRPC_PYTHON" "$REPO_ROOT/tests/bench/cri_flow.py" "$ITERATIONS" "$WORK" "$REG/bench/busybox:1" \
	huskd="$WORK/cri.sock" containerd="$CTD/containerd.sock:/$CTD_CGPARENT"

printf '%-22s %12s %12s %10s %10s  %s\n' figure "huskd ms" "ctrd+runc ms" "huskd p90" "ctrd p90" ratio
for fig in version pod grpc pull; do
	read -r hm hp _ < <(stats "$WORK/$fig-huskd.ns")
	read -r cm cp _ < <(stats "$WORK/$fig-containerd.ns")
	ratio=$(awk -v a="$hm" -v b="$cm" 'BEGIN { printf "%.2f", a / b }')
	printf '%-22s %12s %12s %10s %10s  %s\n' "$fig" "$hm" "$cm" "$hp" "$cp" "$ratio"
	[ -z "$OUT" ] || echo "{\"figure\":\"$fig\",\"huskd_ms\":$hm,\"containerd_ms\":$cm,\"ratio\":$ratio}" >>"$OUT"
done
echo "($ITERATIONS rounds, interleaved; runtime behind huskd: $RUNTIME; containerd $(containerd --version | awk '{print $3}') + runc $(runc --version | awk 'NR==1 {print $3}'))"
