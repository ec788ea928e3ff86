#!/usr/bin/env bats
# critest (cri-tools v1.26.1, from ../shared/conformance) against huskd's
# own CRI socket: the same conformance specs, images, registry and pod
# network as critest.bats runs through containerd (critest.bash), with
# huskd in containerd's place (--cri-socket, --cni-conf-dir, and a
# registries.yaml whose mirrors send registry.k8s.io, docker.io, ... to
# the private registry).  The specs huskd does not pass yet are listed in
# CRITEST_HUSKD_KNOWN (each with why) and skipped, so the run checks that
# everything else passes; `CRITEST_HUSKD_ALL=1` runs them too.
#
# Private: huskd's state, pods root, runtime root, image store, cgroup
# parent, CNI config and IP leases, the registry's storage and critest's
# TMPDIR are under $CTD.  The last run's log, report and summary stay in
# tests/.tmp/critest-huskd/<runtime>/.

load ../helpers
load ../pod/pod_helpers
load ../huskd/huskd_helpers
load ../tools/tools_helpers
load conformance
load critest

# Specs huskd's CRI fails today, each for a reason named here (ginkgo
# regexps: substrings of the spec names).
CRITEST_HUSKD_KNOWN=(
)

missing_prerequisite() {
	local c
	for c in docker-registry skopeo gcc python3 curl ip iptables iptables-save pgrep ipcs ipcmk \
		ipcrm flock; do
		command -v "$c" >/dev/null || echo "$c is not installed"
	done
	for c in bridge host-local loopback portmap; do
		[ -x /usr/lib/cni/$c ] || echo "containernetworking-plugins is not installed"
	done
	[ -x "$HUSKD_BIN" ] || echo "huskd is not built"
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
	CTD=$(mktemp -d /tmp/husk-critest-huskd.XXXXXX)
	chmod 755 "$CTD"
	OUT=$TESTS_TMP/critest-huskd/$(basename "$HUSK")
	export CTD OUT
	export BRIDGE=crih$$ NETNAME=critest-huskd-$$ CGPARENT=husk-critest-$$
	mkdir -p "$CTD"/{tmp,bin,cni,pods,runtime-root,images,state} "$OUT"
	rm -f "$OUT"/*
	record_host_state
	pick_subnet
	critest_start_registry "$CTD"
	critest_push_images "$OUT"
	write_registries_yaml >"$CTD/registries.yaml"
	write_cni
	start_huskd_cri
	retry 100 0.1 crictl version >/dev/null || fail "huskd's CRI does not answer"
	critest_write_ipcmk_wrapper "$CTD"
}

teardown_file() {
	[ -n "${CTD:-}" ] || return 0
	teardown_critest_huskd >"$OUT/cleanup.txt" 2>&1
	cp "$CTD/huskd.log" "$CTD/registry.log" "$CTD/registries.yaml" "$OUT/" 2>/dev/null
	rm -rf --one-file-system "$CTD"
}

setup() {
	skip_without_prerequisites
}

crictl() {
	"$CRICTL" --runtime-endpoint "unix://$CTD/cri.sock" --image-endpoint "unix://$CTD/cri.sock" \
		--timeout 60s "$@"
}

write_registries_yaml() {
	local h
	echo "mirrors:"
	for h in $("$REPO_ROOT/tests/fixtures/critest-images.sh" --hosts); do
		printf '  %s:\n    endpoint: ["http://127.0.0.1:%s"]\n' "$h" "$REG_PORT"
	done
}

start_huskd_cri() {
	"$HUSKD_BIN" --socket "$CTD/huskd.sock" --state-dir "$CTD/state" --pod-root "$CTD/pods" \
		--runtime "$HUSK" --runtime-root "$CTD/runtime-root" --image-store "$CTD/images" \
		--cgroup-parent "$CGPARENT" --cni-conf-dir "$CTD/cni" \
		--registry-config "$CTD/registries.yaml" --cri-socket "$CTD/cri.sock" \
		</dev/null >"$CTD/huskd.log" 2>&1 &
	echo $! >"$CTD/huskd.pid"
}

@test "critest: the conformance specs pass against huskd's CRI" {
	local skip
	if [ -z "${CRITEST_HUSKD_ALL:-}" ] && [ "${#CRITEST_HUSKD_KNOWN[@]}" -gt 0 ]; then
		CRITEST_SKIP_SPECS+=("${CRITEST_HUSKD_KNOWN[@]}")
	fi
	# runc refuses --console-socket without -d ("cannot use console socket
	# if runc will not detach"): huskd's tty execs need husk (as
	# kubectl-exec.bats says)
	if is_runc && [ -z "${CRITEST_HUSKD_ALL:-}" ]; then
		CRITEST_SKIP_SPECS+=('should support exec with tty=true and stdin=true')
	fi
	critest_run "unix://$CTD/cri.sock" "$CTD" "$OUT"
}

@test "critest: its pods and containers are gone from huskd and the runtime" {
	run -0 crictl pods -q
	[ -z "$output" ]
	run -0 crictl ps -aq
	[ -z "$output" ]
	run -0 "$HUSK" --root "$CTD/runtime-root" list -q
	[ -z "$output" ]
}

@test "critest: huskd stops cleanly after the run (no sanitizer report)" {
	local pid
	pid=$(cat "$CTD/huskd.pid")
	kill "$pid"
	retry 100 0.1 eval "! kill -0 $pid 2>/dev/null" || fail "huskd did not stop"
	check_sanitizer_reports "$CTD/huskd.log"
}

# Every pod through the CRI, then huskd, the registry, and what the run
# made on the host.  Prints what it did (kept in $OUT/cleanup.txt).
teardown_critest_huskd() {
	local pid id ids=$CTD/ids.txt
	pid=$(cat "$CTD/huskd.pid" 2>/dev/null)
	: >"$ids"
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		for id in $(crictl pods -q 2>/dev/null); do
			echo "pod left: $id"
			echo "$id" >>"$ids"
			crictl stopp "$id" >/dev/null
			crictl rmp -f "$id" >/dev/null
		done
		kill "$pid"
		retry 50 0.2 eval "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid"
		echo "huskd $pid stopped"
	fi
	critest_stop_registry "$CTD"
	umount_under "$CTD/"
	ip link del "$BRIDGE" 2>/dev/null && echo "bridge $BRIDGE deleted"
	remove_cni_results "$ids"
	remove_portmap_chains
	critest_remove_shm "$CTD"
	find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$CGPARENT" 2>/dev/null |
		while read -r d; do
			find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
			[ -d "$d" ] && echo "cgroup $d could not be removed"
		done
	grep -F "$CTD/" /proc/self/mountinfo | awk '{print "mount left: " $5}'
	pgrep -af "$CTD" | sed 's/^/process left: /'
	true
}
