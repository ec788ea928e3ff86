#!/usr/bin/env bats
# critest, the CRI validation suite of cri-tools (v1.26.1, from
# ../shared/conformance), through containerd 1.6 whose default runtime
# handler runs $HUSK through the runc shim (options BinaryName).  Every
# conformance spec must pass but the one that fails with runc too (skipped:
# critest.bash, CRITEST_SKIP_SPECS).  Runtime-agnostic: HUSK=/usr/sbin/runc
# checks the baseline, 79 of 79 here.  The whole file takes about 80 s,
# critest itself 65 (the images are built once, about 10 s, and cached
# under tests/.tmp/critest-images).
#
# Nothing comes from the internet: tests/fixtures/critest-images.sh builds
# every image critest pulls and pushes it into a private docker-registry on
# 127.0.0.1:<free port>; containerd's registry config (config_path,
# hosts.toml) sends registry.k8s.io, gcr.io, ... there over plain http.
#
# Private: containerd's root, state, sockets and netns mounts, the shim's
# --root for the runtime, the CNI config and IP leases, the registry's
# storage, critest's TMPDIR are under $CTD; the pod network is a bridge
# made here (isGateway false, so the host's ip_forward stays as it is)
# with portmap for the host-port specs.  teardown_file removes what the run
# made on the host: pods, shims, shim sockets, cgroups (critest sets no
# cgroup_parent: /k8s.io/<id>), libcni's result files, portmap's chains
# when nobody else uses them, the SysV shm segments critest's host-IPC
# specs make with ipcmk (recorded by a wrapper in its PATH).
#
# The last run's critest log, JSON report, summary and containerd log stay
# in tests/.tmp/critest/<runtime>/.  CRITEST_FOCUS (a ginkgo regexp) runs
# only some specs, CRITEST_SEED another spec order.

load ../helpers
load ../tools/tools_helpers
load conformance
load critest

missing_prerequisite() {
	local c
	for c in containerd ctr containerd-shim-runc-v2 docker-registry skopeo gcc python3 curl \
		ip iptables iptables-save pgrep ipcs ipcmk ipcrm unshare flock; do
		command -v "$c" >/dev/null || echo "$c is not installed"
	done
	for c in bridge host-local loopback portmap; do
		[ -x /usr/lib/cni/$c ] || echo "containernetworking-plugins is not installed"
	done
}

setup_file() {
	export SKIP_REASON
	SKIP_REASON=$(missing_prerequisite | head -1)
	if [ -n "$SKIP_REASON" ] && [ "${CI:-}" = true ]; then
		fail "$SKIP_REASON (required in CI)"
	fi
	[ -z "$SKIP_REASON" ] || return 0
	local rc=0
	conformance_build || rc=$?
	[ "$rc" -ne 2 ] || fail "the conformance suites do not build"
	[ "$rc" -eq 0 ] || return 0

	# (not under $BATS_FILE_TMPDIR, whose parents are 0700: the containers'
	# users other than root must reach the host-path volumes below $CTD)
	CTD=$(mktemp -d /tmp/husk-critest.XXXXXX)
	chmod 755 "$CTD"
	OUT=$TESTS_TMP/critest/$(basename "$HUSK")
	export CTD OUT
	export BRIDGE=critest$$ NETNAME=critest-$$
	mkdir -p "$CTD"/{tmp,bin,cni} "$OUT"
	rm -f "$OUT"/*
	record_host_state
	pick_subnet
	critest_start_registry "$CTD"
	critest_push_images "$OUT"
	write_hosts_toml
	write_cni
	write_containerd_config >"$CTD/config.toml"
	start_containerd
	retry 100 0.1 crictl version >/dev/null || fail "containerd's CRI does not answer"
	crictl pull registry.k8s.io/pause:3.6 >/dev/null ||
		fail "the pause image does not pull through the registry mirror"
	critest_write_ipcmk_wrapper "$CTD"
}

teardown_file() {
	[ -n "${CTD:-}" ] || return 0
	teardown_critest >"$OUT/cleanup.txt" 2>&1
	for f in containerd.log config.toml registry.log; do
		cp "$CTD/$f" "$OUT/" 2>/dev/null
	done
	rm -rf --one-file-system "$CTD"
}

setup() {
	skip_without_prerequisites
}

crictl() {
	"$CRICTL" --runtime-endpoint "unix://$CTD/containerd.sock" \
		--image-endpoint "unix://$CTD/containerd.sock" --timeout 60s "$@"
}

ctrk() {
	ctr -a "$CTD/containerd.sock" -n k8s.io "$@"
}

write_hosts_toml() {
	local h server
	for h in $("$REPO_ROOT/tests/fixtures/critest-images.sh" --hosts); do
		server=https://$h
		[ "$h" = docker.io ] && server=https://registry-1.docker.io
		mkdir -p "$CTD/certs.d/$h"
		cat >"$CTD/certs.d/$h/hosts.toml" <<-EOF
			server = "$server"
			[host."http://127.0.0.1:$REG_PORT"]
			  capabilities = ["pull", "resolve"]
		EOF
	done
}

no_cap_sys_resource() {
	local eff
	eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
	(((0x$eff >> 24 & 1) == 0))
}

# The default handler "husk" runs $HUSK (husk or runc), in a --root of
# this run.
write_containerd_config() {
	containerd_base_config
	cat <<-TOML
		  sandbox_image = "registry.k8s.io/pause:3.6"
		  netns_mounts_under_state_dir = true
		  restrict_oom_score_adj = $(no_cap_sys_resource && echo true || echo false)
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$CTD/cni"
		    max_conf_num = 1
	TOML
	containerd_cri_runtime_config husk "$HUSK" "$CTD/runtime-root"
}

@test "critest: every conformance spec passes through containerd with the runtime as its default handler" {
	critest_run "unix://$CTD/containerd.sock" "$CTD" "$OUT"
}

@test "critest: its pods and containers are gone from containerd and the runtime" {
	# (the only handler ran them: its --root exists)
	[ -d "$CTD/runtime-root/k8s.io" ]
	run -0 crictl pods -q
	[ -z "$output" ]
	run -0 crictl ps -aq
	[ -z "$output" ]
	run -0 "$HUSK" --root "$CTD/runtime-root/k8s.io" list -q
	[ -z "$output" ]
	# no shim of this containerd is left (critest removed every pod)
	run ! pgrep -f "containerd-shim-runc-v2 .*-address $CTD/containerd.sock"
}

# ---------------------------------------------------------------- teardown

# Every pod and container through CRI and ctr, then containerd, its
# shims, the registry, and what the run made on the host.  Prints what it
# did (kept in $OUT/cleanup.txt).
teardown_critest() {
	local ids=$CTD/ids.txt pid id
	pid=$(cat "$CTD/pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		ctrk containers ls -q >>"$ids" 2>/dev/null
		for id in $(crictl pods -q 2>/dev/null); do
			echo "pod left: $id"
			crictl stopp "$id" >/dev/null
			crictl rmp -f "$id" >/dev/null
		done
		for id in $(ctrk tasks ls -q 2>/dev/null); do ctrk tasks kill -s KILL "$id"; done
		sleep 0.3
		for id in $(ctrk tasks ls -q 2>/dev/null); do ctrk tasks rm -f "$id"; done
		for id in $(ctrk containers ls -q 2>/dev/null); do
			echo "container left: $id"
			ctrk containers rm "$id"
		done
		kill "$pid"
		retry 50 0.2 process_gone "$pid" || kill -KILL "$pid"
		echo "containerd $pid stopped"
	fi
	# every sandbox and container id this containerd made, from its log
	grep -oE '(returns sandbox id|returns container id) \\?"[0-9a-f]{64}' "$CTD/containerd.log" 2>/dev/null |
		grep -oE '[0-9a-f]{64}' >>"$ids"
	sort -u -o "$ids" "$ids" 2>/dev/null
	kill_shims_and_processes "$ids"
	remove_shim_sockets "$ids"
	critest_stop_registry "$CTD"
	umount_under "$CTD/"
	ip link del "$BRIDGE" 2>/dev/null && echo "bridge $BRIDGE deleted"
	remove_cni_results "$ids"
	remove_portmap_chains
	critest_remove_shm "$CTD"
	remove_cgroups "$ids"
	for id in /run/containerd/s /run/containerd; do
		grep -qx "$id" "$CTD/dirs-before.txt" || rmdir "$id" 2>/dev/null
	done
	# what is still there (nothing, when all went well)
	grep -F "$CTD/" /proc/self/mountinfo | awk '{print "mount left: " $5}'
	pgrep -af "$CTD" | sed 's/^/process left: /'
	true
}

process_gone() {
	! kill -0 "$1" 2>/dev/null
}

# kill_shims_and_processes IDS: this containerd's shims (their command line
# names its socket) and whatever still runs in the cgroups of its ids, when
# containerd died before it could stop them.
kill_shims_and_processes() {
	local p id
	for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $CTD/containerd.sock( |\$)"); do
		echo "shim $p still running: killed"
		kill -KILL "$p"
	done
	while read -r id; do
		while read -r p; do
			echo "process $p of $id still running: killed"
			kill -KILL "$p"
		done < <(cat /sys/fs/cgroup/pids/k8s.io/"$id"/cgroup.procs 2>/dev/null)
	done <"$1"
}

# containerd 1.6 puts shim sockets in /run/containerd/s, named by
# sha256(address/namespace/id): those of this run's ids, left by killed shims.
remove_shim_sockets() {
	local id s
	while read -r id; do
		s=/run/containerd/s/$(printf '%s' "$CTD/containerd.sock/k8s.io/$id" | sha256sum | cut -c1-64)
		[ -S "$s" ] && rm -f "$s" && echo "removed shim socket $s"
	done <"$1"
}

# The cgroups named by this run's ids (critest sets no cgroup_parent:
# /k8s.io/<id>), and /k8s.io where this run made it and it is empty.
remove_cgroups() {
	local id d n=0
	sleep 0.3
	while read -r id; do
		[ -n "$id" ] || continue
		while read -r d; do
			find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
			if [ -d "$d" ]; then echo "cgroup $d could not be removed"; else n=$((n + 1)); fi
		done < <(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "$id" 2>/dev/null)
	done <"$1"
	echo "$n cgroups of this run's $(wc -l <"$1") ids removed"
	for d in /sys/fs/cgroup/*/k8s.io; do
		[ -d "$d" ] || continue
		grep -qx "$d" "$CTD/k8s-cgroups-before.txt" && continue
		rmdir "$d" 2>/dev/null && echo "removed $d (made by this run)"
	done
}
