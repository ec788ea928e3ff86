#!/usr/bin/env bats
# process.*: args, env, cwd, user, umask, rlimits, oomScoreAdj,
# noNewPrivileges, capabilities; hostname, domainname and sysctl.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "process: args are passed verbatim" {
	set_args /bin/sh -c 'printf "[%s]" "$@"' argv0 "a b" "" 'c"d'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = '[a b][][c"d]' ]
}

@test "process: env is exactly the config's" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
	run_checker env
	jq_ok '.env | index("FOO=bar baz")'
	jq_ok '.env | index("EMPTY=")'
	jq_ok '.env | index("PATH=/bin")'
	jq_ok '[.env[] | select(startswith("HUSK_TEST_TOKEN"))] | length == 0'
}

@test "process: cwd" {
	update_config '.process.cwd = "/tmp"'
	run_checker process
	jq_ok '.cwd == "/tmp"'
}

@test "process: a missing cwd is created" {
	update_config '.process.cwd = "/new/work/dir"'
	run_checker process
	jq_ok '.cwd == "/new/work/dir"'
}

@test "process: user uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [29, 44]}'
	run_checker ids
	jq_ok '.ids.uid == 1000 and .ids.euid == 1000 and .ids.suid == 1000'
	jq_ok '.ids.gid == 1000 and .ids.egid == 1000'
	jq_ok '.ids.groups | sort == [29, 44] or sort == [29, 44, 1000]'
}

@test "process: a non-root user has no effective capabilities" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_checker caps
	jq_ok '.caps.effective == []'
}

@test "process: umask" {
	update_config '.process.user.umask = 63'
	run_checker ids
	jq_ok '.ids.umask == "0077"'
	set_args /bin/sh -c 'touch /tmp/f && stat -c %a /tmp/f'
	husk run "$CID"
	[ "$output" = 600 ]
}

@test "process: rlimits" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
		{"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
	run_checker rlimits
	jq_ok '.rlimits.RLIMIT_NOFILE == {"soft": 512, "hard": 1024}'
	jq_ok '.rlimits.RLIMIT_CORE == {"soft": 0, "hard": 0}'
	jq_ok '.rlimits.RLIMIT_NPROC == {"soft": 300, "hard": 400}'
}

@test "process: oomScoreAdj" {
	update_config '.process.oomScoreAdj = 123'
	run_checker process
	jq_ok '.oom_score_adj == 123'
}

@test "process: capabilities are exactly the config's" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"],
		"effective": ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"],
		"permitted": ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"],
		"inheritable": [],
		"ambient": []}'
	run_checker caps
	jq_ok '.caps.bounding | sort == ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"]'
	# uid 0 gets effective = permitted at execve (capabilities(7)).
	jq_ok '.caps.effective | sort == ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"]'
	jq_ok '.caps.permitted | sort == ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"]'
	jq_ok '.caps.ambient == []'
}

@test "process: the container's process is pid 1 with no stray fds" {
	run_checker process fds
	jq_ok '.pid == 1'
	jq_ok '[.fds[].fd] == [0, 1, 2]'
}

@test "process: hostname" {
	update_config '.hostname = "my-host"'
	run_checker uts
	jq_ok '.hostname == "my-host"'
}

@test "process: domainname" {
	if is_runc && runc --version | grep -q 'version 1\.[01]\.'; then
		skip "runc < 1.2 ignores domainname"
	fi
	update_config '.domainname = "my.domain"'
	run_checker uts
	jq_ok '.domainname == "my.domain"'
}

@test "process: sysctl in the network namespace" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.ping_group_range": "0 0"}'
	set_args /bin/sh -c 'cat /proc/sys/net/ipv4/ip_forward; cat /proc/sys/net/ipv4/ping_group_range'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[[ "${lines[1]}" == "0"*"0" ]]
}

@test "process: sysctl in the ipc namespace" {
	update_config '.linux.sysctl = {"kernel.msgmax": "4096"}'
	set_args /bin/cat /proc/sys/kernel/msgmax
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = 4096 ]
	[ "$(cat /proc/sys/kernel/msgmax)" != 4096 ] || skip "host already has msgmax 4096"
}

@test "process: the process is not dumpable-leaky: /proc/1/environ readable by itself" {
	set_args /bin/sh -c 'tr "\0" "\n" < /proc/1/environ | grep -c HUSK_TEST_TOKEN'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}
