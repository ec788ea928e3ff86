#!/usr/bin/env bats
# What container managers rely on, found by driving the runtime through
# dockerd 20.10 (tools/docker.bats), containerd and podman: the configs they
# generate, HOME, exec's --env and --cap, the wording tools match on, and
# errors that say what went wrong.  Every test passes with runc too.

load helpers
load isolation/common

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# --- configs the managers generate -----------------------------------------

@test "clients: dockerd's resources (cpu.shares 0, blockIO.weight 0) mean 'not set'" {
	# exactly what dockerd 20.10 sends for `docker run --memory 64m`
	update_config '.linux.resources = {
		"devices": [{"allow": false, "access": "rwm"},
			{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}],
		"memory": {"limit": 67108864, "swap": 134217728, "disableOOMKiller": false},
		"cpu": {"shares": 0},
		"blockIO": {"weight": 0}}'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
}

@test "clients: every zero that runc reads as 'not set' is accepted" {
	update_config '.linux.resources = {
		"memory": {"limit": 0, "reservation": 0, "swap": 0, "kernel": 0, "kernelTCP": 0,
			"swappiness": 1234567890123},
		"cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0,
			"cpus": "", "mems": ""},
		"pids": {"limit": 0},
		"blockIO": {"weight": 0, "leafWeight": 0,
			"weightDevice": [{"major": 1, "minor": 3, "weight": 0, "leafWeight": 0}]},
		"network": {"classID": 0}}'
	set_args /bin/sleep 1000
	# swappiness -1 as a Go uint64, which jq would round to a float
	sed -i 's/1234567890123/18446744073709551615/' "$BUNDLE/config.json"
	__husk run -d "$CID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 ||
		fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/run.out")"
	wait_for_status "$CID" running
	requires cgroups_v1
	# pids.limit 0 leaves the limit alone; the memory limit is untouched
	[ "$(cg_read pids pids.max)" = "max" ]
	[ "$(cg_read memory memory.limit_in_bytes)" -gt 1000000000 ]
}

@test "clients: blockIO.weight out of range is still refused" {
	requires husk
	update_config '.linux.resources = {"blockIO": {"weight": 5}}'
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.blockIO.weight: 5 is out of range (10..1000)"* ]]
}

@test "clients: a config too big for one sync packet runs (1 MiB of annotations)" {
	# containerd and CRI-O annotate; the state, annotations included, goes
	# to the init through the sync socket
	head -c 1048576 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
	jq --rawfile big "$BATS_TEST_TMPDIR/big" '.annotations = {"org.example.big": $big}' \
		"$BUNDLE/config.json" >"$BUNDLE/config.new" && mv "$BUNDLE/config.new" "$BUNDLE/config.json"
	set_args /bin/echo big-config-ran
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *big-config-ran* ]]
}

# --- HOME --------------------------------------------------------------------

@test "clients: HOME comes from the container's /etc/passwd when env has none" {
	update_config '.process.env = ["PATH=/bin"]'
	set_args /bin/sh -c 'echo "home=$HOME"'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "home=/root" ]
}

@test "clients: HOME for a non-root user, a user without an entry, and a given HOME" {
	update_config '.process.env = ["PATH=/bin"] | .process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/sh -c 'echo "home=$HOME"'
	husk run "$CID-a"
	[ "$status" -eq 0 ]
	[ "$output" = "home=/home/user" ]
	update_config '.process.user = {"uid": 4242, "gid": 4242}'
	husk run "$CID-b"
	[ "$status" -eq 0 ]
	[ "$output" = "home=/" ]
	update_config '.process.env = ["PATH=/bin", "HOME=/given"]'
	husk run "$CID-c"
	[ "$status" -eq 0 ]
	[ "$output" = "home=/given" ]
}

@test "clients: HOME is / without /etc/passwd" {
	rm "$BUNDLE/rootfs/etc/passwd"
	update_config '.process.env = ["PATH=/bin"]'
	set_args /bin/sh -c 'echo "home=$HOME"'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "home=/" ]
}

@test "clients: exec sets HOME from /etc/passwd for its user" {
	update_config '.process.env = ["PATH=/bin"]'
	run_detached
	husk exec --user 1000:1000 "$CID" /bin/sh -c 'echo "home=$HOME"'
	[ "$status" -eq 0 ]
	[ "$output" = "home=/home/user" ]
	husk exec "$CID" /bin/sh -c 'echo "home=$HOME"'
	[ "$output" = "home=/root" ]
	husk exec --env HOME=/mine "$CID" /bin/sh -c 'echo "home=$HOME"'
	[ "$output" = "home=/mine" ]
}

# --- exec --env and --cap ------------------------------------------------------

@test "clients: exec --env KEY=V replaces the container's KEY" {
	update_config '.process.env = ["PATH=/bin", "KEY=old", "OTHER=kept"]'
	run_detached
	# the raw envp (a shell would hide a duplicate: it keeps the last)
	husk_stdout exec --env KEY=new --env ADDED=1 "$CID" /bin/husk-checker env
	[ "$status" -eq 0 ]
	jq_ok '[.env[] | select(startswith("KEY="))] == ["KEY=new"]'
	jq_ok '.env | index("OTHER=kept") and index("ADDED=1")'
	# getenv, as a C program reads it, sees the new value
	husk exec --env KEY=new "$CID" /bin/sh -c 'echo "$KEY"'
	[ "$output" = "new" ]
}

@test "clients: exec --cap with an unknown capability is a warning" {
	run_detached
	husk exec --cap CAP_NO_SUCH_THING --cap CAP_NET_ADMIN "$CID" /bin/grep CapEff /proc/self/status
	[ "$status" -eq 0 ]
	[[ "$output" == *CAP_NO_SUCH_THING* ]]
	[[ "$output" == *CapEff* ]]
	if is_husk; then
		[[ "$output" == *'warning'*'"CAP_NO_SUCH_THING"'* ]]
	fi
}

@test "clients: an unknown capability in config.json is logged as a warning in --log" {
	update_config '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]
		| .process.capabilities.effective += ["CAP_NO_SUCH_THING"]'
	set_args /bin/true
	HUSK_GLOBAL_FLAGS="--log $BATS_TEST_TMPDIR/log.json --log-format json" husk run "$CID"
	[ "$status" -eq 0 ]
	grep CAP_NO_SUCH_THING "$BATS_TEST_TMPDIR/log.json" | jq -e '.level == "warning"'
}

# --- process groups ------------------------------------------------------------

@test "clients: the container's process leads its own session and process group" {
	set_args /bin/sh -c 'cut -d" " -f5,6 /proc/self/stat'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "1 1" ]
}

@test "clients: an exec'd process leads its own session and process group" {
	run_detached
	husk exec "$CID" /bin/sh -c 'set -- $(cut -d" " -f1,5,6 /proc/$$/stat); [ "$1" = "$2" ] && [ "$1" = "$3" ] && echo leader'
	[ "$status" -eq 0 ]
	[ "$output" = "leader" ]
}

@test "clients: kill(0) in the container does not reach the runtime's caller" {
	# a shell in a group of its own runs the runtime, as containerd-shim does;
	# the container kills "its" process group (pid 1 itself ignores the
	# SIGKILL: no handler, and it is the namespace's init)
	set_args /bin/sh -c 'kill -KILL 0; echo container survived'
	run timeout -k 5 60 setsid bash -c '"$1" --root "$2" run "$3" </dev/null 2>&1; echo "caller survived, status $?"' \
		_ "$HUSK" "$ROOT" "$CID"
	[[ "$output" == *"container survived"* ]]
	[[ "$output" == *"caller survived, status 0"* ]]
}

# --- the wording tools match on ---------------------------------------------------

@test "clients: a missing command says 'no such file or directory' (docker: exit 127)" {
	set_args /no/such/file
	husk run "$CID"
	[ "$status" -ne 0 ]
	# docker's client matches these words, case and all
	[[ "$output" == *'/no/such/file'*'stat /no/such/file: no such file or directory'* ]]
	set_args no-such-command
	husk run "$CID-b"
	[ "$status" -ne 0 ]
	[[ "$output" == *'no-such-command'*'executable file not found in $PATH'* ]]
	if is_husk; then
		[[ "$output" == *'exec: "no-such-command": executable file not found in $PATH'* ]]
	fi
}

@test "clients: a file without x bits says 'permission denied' at create (docker: exit 126)" {
	set_args /etc/passwd
	husk create "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'/etc/passwd'*': permission denied'* ]]
	if is_husk; then
		[[ "$output" == *'exec: "/etc/passwd": permission denied'* ]]
	fi
}

# --- clear errors ----------------------------------------------------------------

@test "clients: a memory limit below the current usage says so" {
	requires cgroups_v1
	[ ! -s /proc/swaps ] || [ "$(wc -l </proc/swaps)" -le 1 ] || skip "swap would let the kernel reclaim"
	update_config '.linux.resources.memory = {"limit": 134217728}
		| .mounts |= map(if .destination == "/dev/shm" then .options = ["nosuid", "nodev", "size=64m"] else . end)'
	run_detached /bin/sh -c 'head -c 33554432 /dev/zero > /dev/shm/pinned; echo > /tmp/ready; sleep 1000'
	retry 50 0.1 husk exec "$CID" test -e /tmp/ready
	husk update --memory 8388608 --memory-swap 8388608 "$CID"
	[ "$status" -ne 0 ]
	# runc: "unable to set memory limit to 8388608 (current usage: N, peak usage: M)"
	[[ "$output" == *"8388608"* ]]
	[[ "$output" == *"usage"* ]]
	if is_husk; then
		[[ "$output" == *"current usage: "[0-9]*", peak usage: "[0-9]* ]]
	fi
	# nothing changed
	[ "$(cg_read memory memory.limit_in_bytes)" = "134217728" ]
}

@test "clients: a bad uid map names linux.uidMappings" {
	requires userns
	use_userns 100000 100000 65536
	# overlapping ranges: the kernel refuses the write
	update_config '.linux.uidMappings += [{"containerID": 100, "hostID": 300000, "size": 10}]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -ne 0 ]
	if is_husk; then
		[[ "$output" == *"linux.uidMappings"* ]]
	fi
}
