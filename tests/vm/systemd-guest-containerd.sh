# Sourced by tests/vm/systemd-guest.sh inside the systemd guest:
# containerd's CRI with SystemdCgroup = true through the runc shim with
# BinaryName=$HUSK (what kubeadm sets up), driven by crictl as kubelet's
# systemd driver would: the pod's slice as cgroup_parent, a container with
# a memory limit in cri-containerd-<id>.scope inside it, the limit in the
# unit's properties and the cgroup file, and nothing left after stop/rm.
# Host network: the guest has no CNI configuration.  Needs $b/rootfs,
# $src, say/check/no_unit.
guest_containerd() {
	local t=$SECONDS ctd=/tmp/vm-ctd crictl=/work/conf/cri-tools/bin/crictl pid sid cid slice=kubepods-burstable-podvm_ctd_1.slice
	command -v containerd >/dev/null || { say "skip containerd: not installed"; return; }
	[ -x "$crictl" ] || { say "skip containerd: no $crictl"; return; }
	# a tmpfs, not the guest's overlay root: the native snapshotter copies
	mkdir -p $ctd && mount -t tmpfs -o size=256m tmpfs $ctd
	cat >$ctd/config.toml <<TOML
version = 2
root = "$ctd/root"
state = "$ctd/state"
[grpc]
  address = "$ctd/containerd.sock"
[ttrpc]
  address = "$ctd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$ctd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  disable_apparmor = true
  sandbox_image = "localhost/vm-bb:latest"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "native"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$HUSK"
        Root = "$ctd/runtime"
        SystemdCgroup = true
TOML
	containerd --config $ctd/config.toml >/vm-out/containerd.log 2>&1 &
	pid=$!
	C() { timeout 60 "$crictl" -t 50s --runtime-endpoint unix://$ctd/containerd.sock "$@"; }
	wait_for 30 eval 'timeout 10 ctr -a $ctd/containerd.sock version >/dev/null 2>&1'
	if ! check "containerd: the CRI plugin answers" C version; then
		say "# containerd: $(tail -n 3 /vm-out/containerd.log | tr '\n' ' ')"
		kill $pid
		return
	fi
	# the image: run-systemd.sh packs it on the host (/vm-out/vm-bb.tar)
	[ -f /vm-out/vm-bb.tar ] || "$src/tests/fixtures/make-oci-archive.sh" "$b/rootfs" /vm-out/vm-bb.tar \
		localhost/vm-bb:latest '["sleep","2147483647"]'
	timeout 60 ctr -a $ctd/containerd.sock -n k8s.io image import /vm-out/vm-bb.tar >$ctd/import.log 2>&1 ||
		say "# image import: $(tr '\n' ' ' <$ctd/import.log)"
	say "# containerd: up, image imported after $((SECONDS - t)) s"
	jq -n --arg s $slice '{metadata: {name: "vm-ctd", namespace: "default", uid: "vm-ctd-1", attempt: 0},
		linux: {cgroup_parent: $s, security_context: {namespace_options: {network: 2}}}}' >$ctd/pod.json
	jq -n '{metadata: {name: "c"}, image: {image: "localhost/vm-bb:latest"}, command: ["sleep", "600"],
		linux: {resources: {memory_limit_in_bytes: 67108864}}}' >$ctd/c.json
	sid=$(C runp $ctd/pod.json 2>$ctd/err)
	check "containerd: crictl runp (SystemdCgroup, cgroup_parent $slice)" test -n "$sid" ||
		say "# runp: $(tr '\n' ' ' <$ctd/err)"
	check "containerd: the sandbox is cri-containerd-<id>.scope in $slice" \
		test "$(systemctl show -P Slice "cri-containerd-$sid.scope")" = $slice
	check "containerd: $slice is in kubepods-burstable.slice" \
		test "$(systemctl show -P Slice $slice)" = kubepods-burstable.slice
	cid=$(C create "$sid" $ctd/c.json $ctd/pod.json 2>$ctd/err)
	check "containerd: crictl create (memory limit 64Mi)" test -n "$cid" || say "# create: $(tr '\n' ' ' <$ctd/err)"
	check "containerd: crictl start" C start "$cid"
	check "containerd: the container is cri-containerd-<id>.scope in $slice" \
		test "$(systemctl show -P Slice "cri-containerd-$cid.scope")" = $slice
	check "containerd: the scope is active" test "$(systemctl show -P ActiveState "cri-containerd-$cid.scope")" = active
	check "containerd: MemoryMax of the scope is 64Mi" \
		test "$(systemctl show -P MemoryMax "cri-containerd-$cid.scope")" = 67108864
	check "containerd: memory.max of the container's cgroup" test "$(cat "/sys/fs/cgroup$(systemctl show -P \
		ControlGroup "cri-containerd-$cid.scope")/memory.max" 2>&1)" = 67108864
	say "# containerd: shims in $(for p in $(pgrep -f containerd-shim); do cut -d: -f3 /proc/$p/cgroup; done | tr '\n' ' ')"
	check "containerd: crictl stop" C stop -t 5 "$cid" ||
		say "# containerd: $(grep -a 'level=error\|panic\|shim disconnected' /vm-out/containerd.log | tail -n 4 | cut -c1-400 | tr '\n' ' ')"
	check "containerd: crictl rm" C rm "$cid"
	check "containerd: no unit of the container left" no_unit "cri-containerd-$cid.scope"
	check "containerd: crictl stopp" C stopp "$sid"
	check "containerd: crictl rmp" C rmp "$sid"
	check "containerd: no cri-containerd unit left" no_unit 'cri-containerd-*'
	# the pod's slice is kubelet's to remove
	systemctl stop kubepods.slice 2>/dev/null
	check "containerd: no failed unit" test -z "$(systemctl list-units --failed --no-legend --plain 'kubepods*' 'cri-containerd-*')"
	kill $pid
	timeout 30 tail --pid=$pid -f /dev/null
	umount -l $ctd
}

t=$SECONDS
guest_containerd
say "# containerd: $((SECONDS - t)) s"
