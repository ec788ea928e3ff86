# Shared by the suites driving husk through other tools (podman,
# containerd, containerd's CRI plugin), each with private state under
# $BATS_FILE_TMPDIR.

# Why the file cannot run here, if it cannot.  bats 1.8 reports a skip in
# setup_file as a failure: setup_file records the reason, setup skips.
# require_commands CMD...: records the first one missing and returns 1.
require_commands() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null && continue
		export SKIP_REASON="$c is not installed"
		return 1
	done
}

skip_without_prerequisites() {
	[ -z "${SKIP_REASON:-}" ] || skip "$SKIP_REASON"
}

# umount_under DIR: lazily unmounts whatever a tool left mounted below DIR,
# deepest first.
umount_under() {
	grep -F "$1" /proc/self/mountinfo | awk '{print $5}' | sort -r |
		while read -r m; do umount -l "$m"; done
}

# The start of a version 2 config.toml for a containerd whose root, state,
# sockets and opt dir are under $CTD; the CRI plugin's table is last, for
# the caller to add to.
containerd_base_config() {
	cat <<-TOML
		version = 2
		root = "$CTD/root"
		state = "$CTD/state"
		[grpc]
		  address = "$CTD/containerd.sock"
		[ttrpc]
		  address = "$CTD/containerd.sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTD/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  disable_apparmor = true
	TOML
}

# containerd_cri_runtime_config NAME BINARY ROOT: the CRI plugin's tables
# after containerd_base_config's: registry hosts from $CTD/certs.d, and
# NAME, the default runtime handler, the runc shim running BINARY with
# --root ROOT on cgroupfs.
containerd_cri_runtime_config() {
	cat <<-TOML
		  [plugins."io.containerd.grpc.v1.cri".registry]
		    config_path = "$CTD/certs.d"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "$1"
		    snapshotter = "overlayfs"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$1]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$1.options]
		        BinaryName = "$2"
		        Root = "$3"
		        SystemdCgroup = false
	TOML
}

# start_containerd: runs containerd on $CTD/config.toml and waits until it
# answers.
start_containerd() {
	containerd --config "$CTD/config.toml" >"$CTD/containerd.log" 2>&1 &
	echo $! >"$CTD/pid"
	for _ in $(seq 100); do
		ctr -a "$CTD/containerd.sock" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "containerd does not answer (log: $CTD/containerd.log)"
}

# stop_containerd NAMESPACE: kills and removes the tasks and containers
# left in NAMESPACE, stops containerd, unmounts and removes $CTD.
stop_containerd() {
	local ctd=(ctr -a "$CTD/containerd.sock" -n "$1") t
	for t in $("${ctd[@]}" task ls -q 2>/dev/null); do "${ctd[@]}" task kill -s KILL "$t"; done
	sleep 0.3
	for t in $("${ctd[@]}" task ls -q 2>/dev/null); do "${ctd[@]}" task rm -f "$t"; done
	for t in $("${ctd[@]}" container ls -q 2>/dev/null); do "${ctd[@]}" container rm "$t"; done
	kill "$(cat "$CTD/pid")" 2>/dev/null
	wait "$(cat "$CTD/pid")" 2>/dev/null
	umount_under "$CTD"
	rm -rf "$CTD"
}
