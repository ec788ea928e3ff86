#!/usr/bin/env bats
# `exec` into a running container: argv and --process, the process
# options, and that the new process really is in the container.

load ../helpers
load common

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "exec: argv is passed exactly and the exit code comes back" {
	run_detached
	husk exec "$CID" /bin/sh -c 'printf "[%s]" "$@"; exit 7' zero "a b" "" c
	[ "$status" -eq 7 ]
	[ "$output" = "[a b][][c]" ]
}

@test "exec: a process killed by a signal returns 128+N" {
	run_detached
	husk exec "$CID" /bin/sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
}

@test "exec --process: args, env, cwd and user from process.json" {
	run_detached
	cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"args": ["/bin/sh", "-c", "echo $FOO; pwd; id -u; id -g"],
 "env": ["FOO=from-process-json", "PATH=/bin"],
 "cwd": "/tmp", "user": {"uid": 1000, "gid": 1000}}
JSON
	husk_stdout exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "from-process-json /tmp 1000 1000" ]
}

@test "exec -t --console-socket: the process gets a terminal sent over the socket" {
	run_detached
	local sock="$BATS_TEST_TMPDIR/console.sock" out="$BATS_TEST_TMPDIR/tty.out"
	"$RECVTTY" "$sock" >"$out" 2>&1 &
	local rt=$!
	retry 50 0.1 test -S "$sock"
	husk exec -d -t --console-socket "$sock" "$CID" /bin/sh -c 'tty; test -t 0 && test -t 1 && echo both-tty'
	[ "$status" -eq 0 ]
	local i
	for ((i = 0; i < 50; i++)); do kill -0 "$rt" 2>/dev/null || break; sleep 0.1; done
	kill "$rt" 2>/dev/null || true
	wait "$rt" 2>/dev/null || true
	cat "$out" >&2
	grep -q '^/dev/pts/[0-9]' "$out"
	grep -q both-tty "$out"
}

@test "exec -d --pid-file: detaches and writes the host pid of the process" {
	run_detached
	husk exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" /bin/sleep 1234
	[ "$status" -eq 0 ]
	local p
	p=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[[ "$p" =~ ^[0-9]+$ ]]
	tr '\0' ' ' <"/proc/$p/cmdline" | grep -q 'sleep 1234'
	[ "$(ns_of "$p" pid)" = "$(ns_of "$(container_pid "$CID")" pid)" ]
}

@test "exec --cwd, --env and -e" {
	run_detached
	husk exec --cwd /tmp --env FOO=one --env BAR=two "$CID" /bin/sh -c 'pwd; echo $FOO $BAR; echo $HOME'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /tmp ]
	[ "${lines[1]}" = "one two" ]
	# the container's own env is kept
	[ "${lines[2]}" = /root ]
	husk exec -e FOO=short "$CID" /bin/sh -c 'echo $FOO'
	[ "$output" = short ]
}

@test "exec --user uid:gid and --additional-gids / -g" {
	run_detached
	husk_stdout exec --user 1000:1000 --additional-gids 29 --additional-gids 44 "$CID" /bin/husk-checker ids
	[ "$status" -eq 0 ]
	jq_ok '.ids.uid == 1000 and .ids.euid == 1000 and .ids.gid == 1000'
	jq_ok '(.ids.groups | sort) == [29, 44]'
	husk exec -u 1234 -g 44 "$CID" /bin/sh -c 'id -u; id -G'
	[ "${lines[0]}" = 1234 ]
	[[ "${lines[1]}" == *44* ]]
}

@test "exec --cap adds a capability to the process" {
	run_detached
	husk_stdout exec --cap CAP_SYS_PTRACE "$CID" /bin/husk-checker caps
	[ "$status" -eq 0 ]
	jq_ok '.caps.effective | index("CAP_SYS_PTRACE") != null'
	jq_ok '.caps.bounding | index("CAP_SYS_PTRACE") != null'
	jq_ok '.caps.effective | index("CAP_KILL") != null'
}

@test "exec: without --cap the process gets the container's capabilities" {
	run_detached
	husk_stdout exec "$CID" /bin/husk-checker caps
	[ "$status" -eq 0 ]
	jq_ok '(.caps.bounding | sort) == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
	jq_ok '(.caps.effective | sort) == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
}

@test "exec --no-new-privs sets no_new_privs" {
	update_config '.process.noNewPrivileges = false'
	run_detached
	husk_stdout exec "$CID" /bin/husk-checker security
	jq_ok '.no_new_privs == 0'
	husk_stdout exec --no-new-privs "$CID" /bin/husk-checker security
	[ "$status" -eq 0 ]
	jq_ok '.no_new_privs == 1'
}

@test "exec: gets the container's seccomp filter (Seccomp: 2)" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}'
	run_detached
	husk_stdout exec "$CID" /bin/husk-checker security
	[ "$status" -eq 0 ]
	jq_ok '.seccomp == 2'
}

@test "exec --preserve-fds: fd 3 reaches the process" {
	run_detached
	echo hello-fd >"$BATS_TEST_TMPDIR/fd3"
	local out="$BATS_TEST_TMPDIR/pf.out"
	__husk exec --preserve-fds 1 "$CID" /bin/sh -c 'cat <&3; ls /proc/self/fd' \
		3<"$BATS_TEST_TMPDIR/fd3" </dev/null >"$out" 2>&1
	cat "$out" >&2
	grep -qx hello-fd "$out"
}

@test "exec: without --preserve-fds fd 3 does not reach the process" {
	run_detached
	local out="$BATS_TEST_TMPDIR/pf.out"
	__husk exec "$CID" /bin/husk-checker fds 3<"$BATS_TEST_TMPDIR/../" </dev/null >"$out" 2>/dev/null
	jq -e '[.fds[].fd] == [0, 1, 2]' "$out"
}

@test "exec: the process is in the container's pid, net, mnt, ipc, uts namespaces and cgroup" {
	run_detached
	local init
	init=$(container_pid "$CID")
	husk_stdout exec "$CID" /bin/husk-checker namespaces cgroup process
	[ "$status" -eq 0 ]
	local ns
	for ns in pid net mnt ipc uts; do
		[ "$(echo "$output" | jq ".namespaces.$ns")" = "$(ns_of "$init" "$ns")" ] ||
			fail "$ns namespace differs from the init's"
	done
	# pid 1 of the namespace is the container's init: we are not pid 1
	jq_ok '.pid > 1 and .ppid == 0'
	local mine theirs
	mine=$(echo "$output" | jq -r '.cgroup[] | select(.controllers == "memory") | .path')
	theirs=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$init/cgroup")
	[ -n "$mine" ]
	[ "$mine" = "$theirs" ] || [ "$mine" = / ] # "/" when a cgroup namespace hides the path
}

@test "exec: the hostname is the container's" {
	run_detached
	husk exec "$CID" /bin/hostname
	[ "$output" = husk-test ]
}

@test "exec into a stopped container is a clear error" {
	set_args /bin/true
	create_detached
	husk start "$CID"
	wait_for_status "$CID" stopped
	husk exec "$CID" /bin/true
	[ "$status" -ne 0 ]
	if is_husk; then
		[[ "$output" == *stopped* ]] || [[ "$output" == *"not running"* ]]
	fi
}

@test "exec into a created (not started) container runs and leaves init waiting" {
	create_detached
	husk exec "$CID" /bin/echo in-created
	# runc allows it; either way the init must still not have started
	[ "$(container_status "$CID")" = created ]
}

@test "exec into an unknown id is a clear error" {
	husk exec "nope-$TOKEN" /bin/true
	[ "$status" -ne 0 ]
	if is_husk; then
		[[ "$output" == *"nope-$TOKEN"* ]]
		[ "${#lines[@]}" -eq 1 ]
	fi
}

@test "exec: malformed --user and --additional-gids are refused, naming the value" {
	run_detached
	for u in 0:0:0 1x -1 1000:; do
		husk exec --user "$u" "$CID" /bin/true
		[ "$status" -ne 0 ]
		[[ "$output" == *"$u"* ]]
	done
	husk exec --additional-gids 5:7 "$CID" /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *"5:7"* ]]
	husk exec --user 1000 "$CID" /bin/sh -c 'id -u'
	[ "$output" = 1000 ]
}

@test "exec: its own errors exit 255, the command's exit code stays its own" {
	run_detached
	husk exec "$CID" /bin/false
	[ "$status" -eq 1 ]
	husk exec --pid-file /non-existent/directory "$CID" /bin/true
	[ "$status" -eq 255 ]
	husk exec "$CID" no-such-binary
	[ "$status" -eq 255 ]
	husk exec "nope-$TOKEN" /bin/true
	[ "$status" -eq 255 ]
}

@test "exec --user: the process may write its stdio (pipes and the pty are its own)" {
	run_detached
	# stdout and stderr are pipes here (bats' husk helper sends them to a file)
	local out="$BATS_TEST_TMPDIR/out"
	__husk exec --user 1000:1000 "$CID" /bin/sh -c 'echo to-stdout >/dev/stdout && echo to-stderr >/dev/stderr' 2>&1 | cat >"$out"
	cat "$out" >&2
	grep -q to-stdout "$out"
	grep -q to-stderr "$out"
	SOCK="$BATS_TEST_TMPDIR/console.sock" TTY_OUT="$BATS_TEST_TMPDIR/tty.out"
	start_recvtty
	husk exec -d -t --console-socket "$SOCK" --user 1000:1000 "$CID" /bin/sh -c 'stat -c %u $(tty)'
	[ "$status" -eq 0 ]
	wait_recvtty
	grep -qx '1000.\?' "$TTY_OUT"
}

@test "exec --user: a null device as stdio stays root's" {
	# runc 1.1.5 chowns it (its issue 3674, fixed in 1.1.6): never the host's
	# /dev/null here, a node of the test's own
	is_runc && skip "runc before 1.1.6 chowns /dev/null"
	run_detached
	mknod "$BATS_TEST_TMPDIR/null" c 1 3
	__husk exec --user 1000:1000 "$CID" /bin/true <"$BATS_TEST_TMPDIR/null"
	[ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/null")" = 0:0 ]
}

@test "exec --cgroup: the process joins a sub-cgroup of the container's (v1)" {
	requires cgroups_v1
	run_detached
	husk exec --cgroup .. "$CID" /bin/true
	[ "$status" -ne 0 ]
	# runc 1.1: ".. is not a sub cgroup path", 1.2: "bad sub cgroup path"
	[[ "$output" == *"sub cgroup path"* ]]
	husk exec --cgroup nonexistent "$CID" /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *" adding pid "*"o such file or directory"* ]]
	husk exec --cgroup cpu:nonexistent "$CID" /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *" adding pid "*"o such file or directory"* ]]
	husk exec --cgroup whaaat:/ "$CID" /bin/true
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown controller "* ]]
	local mem cpu acct
	mem=$(cg_dir memory) cpu=$(cg_dir cpu) acct=$(cg_dir cpuacct)
	mkdir "$mem/submem" "$cpu/subcpu"
	[ -d "$acct/subcpu" ] || mkdir "$acct/subcpu" # cpu and cpuacct may be apart
	husk exec -d --pid-file "$BATS_TEST_TMPDIR/sub.pid" --cgroup memory:submem \
		--cgroup cpu,cpuacct:subcpu "$CID" /bin/sleep 1000
	[ "$status" -eq 0 ]
	local p
	p=$(cat "$BATS_TEST_TMPDIR/sub.pid")
	[ "$(cg_dir memory "$p")" = "$mem/submem" ]
	[ "$(cg_dir cpu "$p")" = "$cpu/subcpu" ]
	# without --cgroup (or with /) the container's own cgroup
	husk exec -d --pid-file "$BATS_TEST_TMPDIR/top.pid" --cgroup / "$CID" /bin/sleep 1000
	[ "$(cg_dir memory "$(cat "$BATS_TEST_TMPDIR/top.pid")")" = "$mem" ]
}
