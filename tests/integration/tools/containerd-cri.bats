#!/usr/bin/env bats
# husk as a Kubernetes RuntimeClass handler: containerd's CRI plugin, driven
# through the CRI API the way a kubelet drives it (RunPodSandbox with a
# runtime handler, CreateContainer, ExecSync, ...), with the handler `husk`
# configured as the runc shim with BinaryName = $HUSK.  Passes with
# HUSK=runc too.
#
# containerd runs privately for this file (own root, state, socket, CNI
# config: a bridge $BRIDGE on $SUBNET).  The client is cri_client.py (no
# crictl in Debian); there is no registry, so the one image, whose Cmd
# sleeps as a "pause" sandbox must, is imported into the k8s.io namespace.

load ../helpers
load tools_helpers

IMAGE=localhost/husk-cri:latest
BRIDGE=huskcri0
SUBNET=10.88.77.0/24
GATEWAY=10.88.77.1 # the bridge's address (host-local's default gateway)
# The runc shim's default --root for namespace k8s.io: what the docs tell
# users to pass to `husk list`.
SHIM_ROOT=/run/containerd/runc/k8s.io

# Why this file cannot run here, if it cannot (tools_helpers: setup_file
# records it, setup skips).
missing_prerequisite() {
	command -v containerd >/dev/null || echo "containerd is not installed"
	command -v ctr >/dev/null || echo "ctr is not installed"
	[ -n "${CRI_PYTHON:-}" ] || echo "python3-grpcio is not installed"
	[ -x /usr/lib/cni/bridge ] || echo "containernetworking-plugins is not installed"
	! ip link show "$BRIDGE" >/dev/null 2>&1 || echo "bridge $BRIDGE exists: another run in progress?"
}

setup_file() {
	# Debian's python3 has python3-grpcio; a python3 earlier in PATH
	# (pyenv, a venv) may not.
	local py
	for py in python3 /usr/bin/python3; do
		"$py" -c 'import grpc' 2>/dev/null && export CRI_PYTHON=$py && break
	done
	export SKIP_REASON
	SKIP_REASON=$(missing_prerequisite | head -1)
	[ -z "$SKIP_REASON" ] || return 0
	ensure_rootfs
	export CTD=$BATS_FILE_TMPDIR/containerd
	export CGROUP_PARENT=/husk-cri-$$
	mkdir -p "$CTD/cni"
	write_cni_config >"$CTD/cni/10-husk-cri.conflist"
	write_containerd_config >"$CTD/config.toml"
	start_containerd
	cri version >/dev/null || fail "containerd's CRI plugin does not answer (log: $CTD/containerd.log)"
	"$REPO_ROOT/tests/fixtures/make-oci-archive.sh" "$ROOTFS_CACHE" "$CTD/image.tar" "$IMAGE" \
		'["sleep","2147483647"]'
	ctr -a "$CTD/containerd.sock" -n k8s.io image import "$CTD/image.tar" >/dev/null
}

write_cni_config() {
	cat <<-JSON
		{
		  "cniVersion": "0.4.0",
		  "name": "husk-cri",
		  "plugins": [
		    {
		      "type": "bridge",
		      "bridge": "$BRIDGE",
		      "isGateway": true,
		      "ipMasq": false,
		      "ipam": {
		        "type": "host-local",
		        "ranges": [[{"subnet": "$SUBNET"}]],
		        "dataDir": "$CTD/cni-ipam"
		      }
		    },
		    {"type": "loopback"}
		  ]
		}
	JSON
}

# version 2 config of containerd 1.6; the netns mounts go under $CTD too.
write_containerd_config() {
	containerd_base_config
	cat <<-TOML
		  sandbox_image = "$IMAGE"
		  netns_mounts_under_state_dir = true
		  restrict_oom_score_adj = $(lacks_cap_sys_resource && echo true || echo false)
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$CTD/cni"
		    max_conf_num = 1
		  # runc stays the default handler, as on a node where husk is one
		  # RuntimeClass among others
		  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		    runtime_type = "io.containerd.runc.v2"
		  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.husk]
		    runtime_type = "io.containerd.runc.v2"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.husk.options]
		      BinaryName = "$HUSK"
	TOML
}

# The sandbox gets oom_score_adj -998, which only CAP_SYS_RESOURCE may set:
# where we lack it (some CI containers), containerd must keep scores at or
# above its own, as for rootless containerd.
lacks_cap_sys_resource() {
	local eff
	eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
	(((0x$eff >> 24 & 1) == 0))
}

teardown_file() {
	[ -n "${CTD:-}" ] || return 0
	remove_pods
	# Whatever CRI could not remove, through containerd's own API.
	stop_containerd k8s.io
	ip link del "$BRIDGE" 2>/dev/null
	find /sys/fs/cgroup/*/"${CGROUP_PARENT#/}" -depth -type d -exec rmdir {} + 2>/dev/null
	rmdir "$SHIM_ROOT" 2>/dev/null || true
}

setup() {
	skip_without_prerequisites
}

teardown() {
	remove_pods
}

cri() {
	"$CRI_PYTHON" "$INTEGRATION_ROOT/tools/cri_client.py" --socket "$CTD/containerd.sock" "$@"
}

ctd() {
	ctr -a "$CTD/containerd.sock" -n k8s.io "$@"
}

# Stops and removes every pod a test made (and so their containers), as the
# kubelet does: StopPodSandbox, then RemovePodSandbox.
remove_pods() {
	local id
	[ -f "$CTD/pods" ] || return 0
	while read -r id; do
		cri stopp "$id" && cri rmp "$id"
	done <"$CTD/pods"
	rm -f "$CTD/pods"
}

# pod_config NAME: writes a PodSandboxConfig, sets $POD_CONFIG.  The pid
# namespace is per container, as the kubelet asks for v1 pods; network, ipc
# and uts are the pod's.
pod_config() {
	POD_CONFIG=$BATS_TEST_TMPDIR/$1-pod.json
	mkdir -p "$BATS_TEST_TMPDIR/logs"
	jq -n --arg name "$1" --arg uid "$1-$$-$BATS_TEST_NUMBER" \
		--arg logs "$BATS_TEST_TMPDIR/logs" --arg cg "$CGROUP_PARENT" '{
		metadata: {name: $name, uid: $uid, namespace: "husk-tests"},
		hostname: $name,
		log_directory: $logs,
		linux: {cgroup_parent: $cg,
			security_context: {namespace_options: {pid: "CONTAINER"}}}
	}' >"$POD_CONFIG"
}

# run_pod NAME: RunPodSandbox with runtime handler husk; sets $POD (its id)
# and $POD_CONFIG.
run_pod() {
	pod_config "$1"
	POD=$(cri runp --runtime husk "$POD_CONFIG") || return 1
	echo "$POD" >>"$CTD/pods"
}

# run_container NAME CMD...: CreateContainer + StartContainer in $POD;
# sets $CID.  Its output goes to $BATS_TEST_TMPDIR/logs/NAME.log.
run_container() {
	local name=$1 config=$BATS_TEST_TMPDIR/$1-container.json
	shift
	# (not jq --args: jq 1.6 would take a "-c" of the command for its own)
	local command
	command=$("$CRI_PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	jq -n --arg name "$name" --arg image "$IMAGE" --argjson command "$command" '{
		metadata: {name: $name},
		image: {image: $image},
		command: $command,
		log_path: ($name + ".log"),
		linux: {security_context: {namespace_options: {pid: "CONTAINER"}}}
	}' >"$config"
	CID=$(cri create "$POD" "$config" "$POD_CONFIG") || return 1
	cri start "$CID"
}

# exec_sync ID CMD...: ExecSync; its JSON (stdout, stderr, exit_code) in
# $output.
exec_sync() {
	run -0 cri exec-sync --timeout 10 "$@"
}

# expect FILTER: the JSON in $output satisfies the jq FILTER; shows it if not.
expect() {
	echo "$output" | jq -e "$1" >/dev/null && return 0
	echo "not $1: $output" >&2
	return 1
}

container_state() { # the CRI state of a container
	cri inspect "$1" | jq -r .state
}

wait_for_cri_state() { # ID STATE
	retry 50 0.1 test "$(container_state "$1")" = "$2"
}

# The runtime's own view, in the root the runc shim gives it.
runtime_state() {
	"$HUSK" --root "$SHIM_ROOT" state "$1" 2>/dev/null | jq -r .status
}

@test "CRI: a pod and its container run under the runtime handler husk" {
	run_pod web
	run -0 cri inspectp "$POD"
	expect '.state == "SANDBOX_READY" and .runtime_handler == "husk"'
	run_container main sh -c 'echo hello from cri; exec sleep 1000'
	run -0 cri inspect "$CID"
	expect '.state == "CONTAINER_RUNNING"'

	# The shim ran $HUSK for both the sandbox and the container: they are
	# in its state root, running.
	[ "$(runtime_state "$POD")" = running ]
	[ "$(runtime_state "$CID")" = running ]
	# in the cgroup the pod's cgroup_parent asks for
	local pid
	pid=$("$HUSK" --root "$SHIM_ROOT" state "$CID" | jq -r .pid)
	grep -q ":$CGROUP_PARENT/$CID\$" "/proc/$pid/cgroup"
	run -0 "$HUSK" --root "$SHIM_ROOT" list
	[[ "$output" == *"$POD"* ]]
	[[ "$output" == *"$CID"* ]]

	retry 20 0.1 grep -q ' stdout F hello from cri$' "$BATS_TEST_TMPDIR/logs/main.log"
	exec_sync "$CID" hostname
	expect '.stdout == "web\n" and .exit_code == 0'
	exec_sync "$CID" cat /proc/1/cmdline
	expect '.stdout == "sleep\u00001000\u0000"'
	exec_sync "$CID" false
	expect '.exit_code == 1'
	exec_sync "$CID" sh -c 'echo out; echo err >&2; exit 3'
	expect '.stdout == "out\n" and .stderr == "err\n" and .exit_code == 3'
}

@test "CRI: the container is in the pod's network namespace, with the pod's IP" {
	requires netns
	run_pod net
	run_container main sleep 1000
	run -0 cri inspectp "$POD"
	local ip
	ip=$(echo "$output" | jq -r .ip)
	[[ "$ip" == "${GATEWAY%.*}".* ]]
	exec_sync "$CID" ip -4 -o addr show eth0
	expect ".stdout | contains(\"inet $ip/24\")"
	# the same namespace, not a look-alike
	local pod_pid cid_pid
	pod_pid=$("$HUSK" --root "$SHIM_ROOT" state "$POD" | jq -r .pid)
	cid_pid=$("$HUSK" --root "$SHIM_ROOT" state "$CID" | jq -r .pid)
	[ "$(readlink "/proc/$pod_pid/ns/net")" = "$(readlink "/proc/$cid_pid/ns/net")" ]
	[ "$(readlink "/proc/$cid_pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]
	# the pod reaches the host's end of the bridge
	exec_sync "$CID" ping -c 1 -W 2 "$GATEWAY"
	expect '.exit_code == 0'
}

@test "CRI: stop and remove a container and its pod leave nothing behind" {
	run_pod gone
	local pod=$POD ip
	ip=$(cri inspectp "$pod" | jq -r .ip)
	[ -e "$CTD/cni-ipam/husk-cri/$ip" ] # host-local's lease
	run_container quitter sh -c 'exit 7'
	wait_for_cri_state "$CID" CONTAINER_EXITED
	run -0 cri inspect "$CID"
	expect '.exit_code == 7'
	local quitter=$CID
	# pid 1 ignores SIGTERM without a handler: trap it, to exit 0 on stop
	run_container main sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	local main=$CID
	[ "$(runtime_state "$main")" = running ]
	run -0 cri stop --timeout 10 "$main"
	run -0 cri inspect "$main"
	expect '.state == "CONTAINER_EXITED" and .exit_code == 0'
	# the shim deleted it from the runtime as soon as it exited
	[ -z "$(runtime_state "$main")" ]
	run -0 cri rm "$main"
	run -0 cri rm "$quitter"
	run ! cri inspect "$main"

	run -0 cri stopp "$pod"
	run -0 cri inspectp "$pod"
	expect '.state == "SANDBOX_NOTREADY"'
	run -0 cri rmp "$pod"
	sed -i "/^$pod\$/d" "$CTD/pods"
	run ! cri inspectp "$pod"

	# Nothing of the pod is left: runtime state, shim, mounts (rootfs,
	# shm, netns: all under $CTD; the other tests' pods are gone too), the
	# host end of its veth, its IP lease, its cgroups.
	run -0 "$HUSK" --root "$SHIM_ROOT" list -q
	[ -z "$output" ]
	run ! pgrep -f "containerd-shim-runc-v2 .*-id $pod"
	run ! grep -F "$CTD" /proc/self/mountinfo
	run -0 ip -o link show master "$BRIDGE"
	[ -z "$output" ]
	[ ! -e "$CTD/cni-ipam/husk-cri/$ip" ]
	run -0 find /sys/fs/cgroup/ -path "*$CGROUP_PARENT/*" -type d
	[ -z "$output" ]
}

@test "CRI: an unknown runtime handler is refused" {
	pod_config refused
	run cri runp --runtime no-such-handler "$POD_CONFIG"
	[ "$status" -eq 1 ]
	[[ "$output" == *'no runtime for "no-such-handler" is configured'* ]]
}
