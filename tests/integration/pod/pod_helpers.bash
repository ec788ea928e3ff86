# Helpers of the pod sandbox suites (husk-pod).  Loaded after ../helpers.
#
#   setup()    { setup_pod_env; }
#   teardown() { teardown_pod_env; }
#   write_pod "$POD_FILE" <<<'{... "image": "@ROOTFS@" ...}'
#   pod up "$POD_FILE"; SID=$output
#
# Each test has its own pods root ($PODS), runtime root ($RTROOT), image
# store, cgroup parent (with $TOKEN in it) and a leak check at teardown.
# The runtime is $HUSK_POD_RUNTIME, else $HUSK (helpers.bash: the husk build).

POD_RUNTIME=${HUSK_POD_RUNTIME:-$HUSK}
if [ ! -x "$POD_RUNTIME" ]; then
	POD_RUNTIME=$(ls -t "$REPO_ROOT"/build*/runtime/cli/husk 2>/dev/null | head -1)
fi

# $HUSK_POD, else the husk-pod of the build dir $HUSK comes from, else the
# newest of any build dir (others may be rebuilding theirs meanwhile).
find_husk_pod() {
	local b
	if [ -n "${HUSK_POD:-}" ]; then
		echo "$HUSK_POD"
		return
	fi
	b=${HUSK%/runtime/cli/husk}/sandbox/podctl/husk-pod
	if [[ "$HUSK" == */runtime/cli/husk ]] && [ -x "$b" ]; then
		echo "$b"
		return
	fi
	for b in $(ls -t "$REPO_ROOT"/build*/sandbox/podctl/husk-pod 2>/dev/null); do
		[ -x "$b" ] && echo "$b" && return
	done
}

HUSK_POD_BIN=$(find_husk_pod)
POD_ROOTFS=$TESTS_TMP/pod-rootfs

# The test rootfs plus two static helpers, built once under a lock:
# pod-ipc (SysV and POSIX queues) and grpc-health (a grpc.health.v1 server,
# with the protobuf wire code of sandbox/api and Debian's static nghttp2).
ensure_pod_rootfs() {
	ensure_rootfs || return 1
	(
		flock 9
		local ipc=$INTEGRATION_ROOT/pod/ipc-helper.c grpc=$INTEGRATION_ROOT/pod/grpc-health.c
		local wire=$REPO_ROOT/sandbox/api/protowire.c
		if [ ! -x "$POD_ROOTFS/bin/grpc-health" ] || [ "$ipc" -nt "$POD_ROOTFS/.stamp" ] ||
			[ "$grpc" -nt "$POD_ROOTFS/.stamp" ] || [ "$wire" -nt "$POD_ROOTFS/.stamp" ] ||
			[ "$ROOTFS_CACHE/.stamp" -nt "$POD_ROOTFS/.stamp" ]; then
			rm -rf "$POD_ROOTFS"
			cp -a "$ROOTFS_CACHE" "$POD_ROOTFS" || exit 1
			gcc -O2 -static -o "$POD_ROOTFS/bin/pod-ipc" "$ipc" || exit 1
			gcc -std=gnu11 -O2 -static -I"$REPO_ROOT/sandbox/api" -o "$POD_ROOTFS/bin/grpc-health" \
				"$grpc" "$wire" -l:libnghttp2.a || exit 1
			touch "$POD_ROOTFS/.stamp"
		fi
	) 9>"$TESTS_TMP/.pod-lock"
}

setup_pod_env() {
	requires root
	[ -x "$HUSK_POD_BIN" ] || skip "husk-pod is not built"
	ensure_pod_rootfs || fail "cannot build the pod rootfs"
	TOKEN="hpod$$x${BATS_TEST_NUMBER:-0}x$RANDOM"
	PODS=$BATS_TEST_TMPDIR/pods
	RTROOT=$BATS_TEST_TMPDIR/rt
	STORE=$BATS_TEST_TMPDIR/images
	CGPARENT=/husk-test-$TOKEN
	POD_FILE=$BATS_TEST_TMPDIR/pod.json
	POD_FLAGS=(--root "$PODS" --runtime "$POD_RUNTIME" --runtime-root "$RTROOT"
		--image-store "$STORE" --cgroup-parent "$CGPARENT")
	snapshot_pod_debris "$BATS_TEST_TMPDIR/before"
}

# pod ARGS...: husk-pod like bats' run ($status, $output: stdout, $stderr).
pod() {
	local out="$BATS_TEST_TMPDIR/.pod.out" err="$BATS_TEST_TMPDIR/.pod.err"
	status=0
	"$HUSK_POD_BIN" "${POD_FLAGS[@]}" "$@" </dev/null >"$out" 2>"$err" || status=$?
	record_pod_net
	output=$(cat "$out")
	stderr=$(cat "$err")
	mapfile -t lines <<<"$output"
	echo "$ husk-pod $* (status=$status):" >&2
	echo "$output" >&2
	[ -z "$stderr" ] || echo "stderr: $stderr" >&2
}

# write_pod FILE: the Pod JSON on stdin, with @ROOTFS@ and @TOKEN@ replaced
# and HUSK_TEST_TOKEN added to every container's env (for the leak check).
write_pod() {
	sed -e "s|@ROOTFS@|$POD_ROOTFS|g" -e "s|@TOKEN@|$TOKEN|g" |
		jq --arg t "$TOKEN" '(.spec.containers[]?, .spec.initContainers[]?) |= (.env = ((.env // []) + [{"name":"HUSK_TEST_TOKEN","value":$t}]))' >"$1"
}

# pod_up: husk-pod up "$POD_FILE", the sandbox id in $SID.
pod_up() {
	pod up "$POD_FILE"
	[ "$status" -eq 0 ] || fail "husk-pod up failed: $stderr"
	SID=$output
}

# wait_exited CID [SECONDS]: the container's exit code in $output.
wait_exited() {
	pod wait -t "${2:-10}" "$1"
	[ "$status" -eq 0 ]
}

pod_test_processes() {
	local p
	for p in /proc/[0-9]*; do
		if grep -qsa "HUSK_TEST_TOKEN=$TOKEN" "$p/environ" ||
			tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -e "$PODS" -e "$RTROOT"; then
			echo "${p#/proc/} $(tr '\0' ' ' 2>/dev/null <"$p/cmdline")"
		fi
	done
}

# The network things of this test's pods only (other suites make veths and
# pods at the same time): while a pod lives, record_pod_net (run after every
# husk-pod call) notes its id, its holder's netns inode and the host side
# interfaces of its CNI result in $BATS_TEST_TMPDIR/own-*, so the leak check
# can look for exactly those after the pod is gone.
record_pod_net() {
	local d id pid ino
	for d in "$PODS"/*/; do
		[ -d "$d" ] || continue
		id=$(basename "$d")
		echo "$id" >>"$BATS_TEST_TMPDIR/own-ids"
		pid=$(cat "$d/holder.pid" 2>/dev/null) || pid=
		if [ -n "$pid" ] && ino=$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) &&
			[ "$ino" != "$(stat -L -c %i /proc/self/ns/net)" ]; then
			echo "$ino $(now_ticks)" >>"$BATS_TEST_TMPDIR/own-netns"
		fi
		[ -f "$d/cni-config.json" ] &&
			jq -r '(.plugins // [.])[] | .ipam.dataDir // empty' "$d/cni-config.json" \
				>>"$BATS_TEST_TMPDIR/own-ipam-dirs" 2>/dev/null
		[ -f "$d/cni-result.json" ] &&
			jq -r '.interfaces[]? | select(.sandbox == null or .sandbox == "") | .name' \
				"$d/cni-result.json" >>"$BATS_TEST_TMPDIR/own-veths" 2>/dev/null
	done
	return 0
}

# Host veths that a pod of this test made.
own_veths() {
	[ -s "$BATS_TEST_TMPDIR/own-veths" ] || return 0
	ip -o link show type veth 2>/dev/null | awk -F': ' '{sub(/@.*/, "", $2); print $2}' |
		grep -xF -f "$BATS_TEST_TMPDIR/own-veths" || true
}

now_ticks() {
	awk -v hz="$(getconf CLK_TCK)" '{printf "%d\n", $1 * hz}' /proc/uptime
}

# Network namespaces of this test's holders still alive: a process in one,
# or a bind mount of it.  Inode numbers are reused once a namespace is
# freed, so a process counts only if it started before the namespace was
# last seen alive: one in a newer namespace with the same inode started
# after ours was gone.
own_netns() {
	local ino seen p start
	[ -s "$BATS_TEST_TMPDIR/own-netns" ] || return 0
	sort -k1,1 -k2,2n "$BATS_TEST_TMPDIR/own-netns" | awk '{last[$1] = $2} END {for (i in last) print i, last[i]}' |
		while read -r ino seen; do
			for p in /proc/[0-9]*; do
				[ "$(stat -L -c %i "$p/ns/net" 2>/dev/null)" = "$ino" ] || continue
				start=$(awk '{sub(/.*\) /, ""); print $20}' "$p/stat" 2>/dev/null) || continue
				[ -n "$start" ] && [ "$start" -le "$seen" ] && echo "netns $ino (pid ${p#/proc/})" && break
			done
			grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo | grep -qF "net:[$ino]" &&
				echo "netns $ino (mounted)"
		done
	return 0
}

# IP allocations (host-local files name the CNI container id, our sandbox
# id) held for this test's pods, in the default data dir or the one their
# CNI configuration named.
own_ipam() {
	local dirs=(/var/lib/cni/networks)
	[ -s "$BATS_TEST_TMPDIR/own-ids" ] || return 0
	[ -s "$BATS_TEST_TMPDIR/own-ipam-dirs" ] && mapfile -t -O 1 dirs < <(sort -u "$BATS_TEST_TMPDIR/own-ipam-dirs")
	grep -rlxF -f "$BATS_TEST_TMPDIR/own-ids" "${dirs[@]}" 2>/dev/null || true
}

snapshot_pod_debris() {
	local dir=$1
	mkdir -p "$dir"
	grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort >"$dir/mounts"
	find /sys/fs/cgroup -type d -path "*$TOKEN*" 2>/dev/null | sort >"$dir/cgroups"
	pod_test_processes | sort >"$dir/processes"
	own_veths | sort >"$dir/veths"
	own_netns | sort >"$dir/netns"
	own_ipam | sort >"$dir/ipam"
	{ [ -d "$PODS" ] && cd "$PODS" && find . -mindepth 1 -maxdepth 1 ! -name lock | sort; } >"$dir/pods" 2>/dev/null || true
	cd "$BATS_TEST_TMPDIR" || true
}

# Removes the test's cgroup parent (empty unless a pod cgroup leaked).
remove_cgroup_parent() {
	local d
	for d in /sys/fs/cgroup/*"$CGPARENT" /sys/fs/cgroup/*/"${CGPARENT#/}"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}

# check_pod_debris: nothing of the test's pods is left: mounts, cgroups,
# processes (holder, pod PID 1, containers), the veths, netns and IP
# allocations of its pods, pod directories.
check_pod_debris() {
	local after=$BATS_TEST_TMPDIR/after before=$BATS_TEST_TMPDIR/before bad=0 what
	remove_cgroup_parent
	snapshot_pod_debris "$after"
	for what in mounts cgroups processes veths netns ipam pods; do
		if [ -n "$(comm -13 "$before/$what" "$after/$what")" ]; then
			echo "DEBRIS: $what left behind:" >&2
			comm -13 "$before/$what" "$after/$what" >&2
			bad=1
		fi
	done
	return $bad
}

# Removes every pod of the test, then checks for debris; cleans by force
# what a failing test left so the machine stays clean.
teardown_pod_env() {
	[ -n "${PODS:-}" ] || return 0
	local id ok=0
	record_pod_net
	for id in $(ls "$PODS" 2>/dev/null); do
		[ "$id" = lock ] && continue
		"$HUSK_POD_BIN" "${POD_FLAGS[@]}" rm "$id" >&2 || echo "teardown: rm $id failed" >&2
	done
	check_pod_debris || ok=1
	check_sanitizer_reports || ok=1
	if [ "$ok" -ne 0 ]; then
		pod_test_processes | while read -r p _; do kill -9 "$p" 2>/dev/null; done
		grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null; done
		sleep 0.3
		find /sys/fs/cgroup -depth -type d -path "*$TOKEN*" -exec rmdir {} \; 2>/dev/null
	fi
	return $ok
}
