#!/usr/bin/env bats
# Security: seccomp and capabilities as the container sees them, and the
# regression tests of known runtime CVEs (CVE-2019-5736 the runtime binary
# overwritten through /proc/<pid>/exe; CVE-2024-21626 runtime fds leaked
# into the container; masked /proc paths after exec).

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# Starts the container detached with a long sleep, stdio off the terminal
# so bats' `run` does not wait on the container's copy of its pipes.
start_sleeper() {
	set_args /bin/sleep 1000
	__husk run -d "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/run.err" ||
		fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/run.err")"
	wait_for_status "$CID" running
}

@test "seccomp: SCMP_ACT_ERRNO with errnoRet blocks a syscall with that errno" {
	update_config '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]
	}'
	set_args /bin/sh -c 'mkdir /blocked; echo "rc=$?"; touch /allowed && echo touched'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Invalid cross-device link"* ]] # EXDEV = 18
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *touched* ]]
}

@test "seccomp: the process runs in seccomp mode 2 with a profile, 0 without" {
	run_checker security
	jq_ok '.seccomp == 0'
	update_config '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_KILL"}]
	}'
	run_checker security
	jq_ok '.seccomp == 2 and .seccomp_filters >= 1 and .no_new_privs == 1'
}

@test "seccomp: SCMP_ACT_KILL kills the process with SIGSYS (exit 159)" {
	update_config '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}]
	}'
	set_args /bin/uname
	husk run "$CID"
	[ "$status" -eq 159 ]
}

@test "seccomp: args conditions: kill(2) blocked only for signal 0" {
	update_config '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
		              "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]
	}'
	set_args /bin/sh -c 'kill -0 $$ 2>/dev/null; echo "sig0=$?"; kill -CONT $$; echo "cont=$?"'
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sig0=1"* ]]
	[[ "$output" == *"cont=0"* ]]
}

@test "seccomp: the filter also applies to an exec'd process" {
	update_config '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]
	}'
	start_sleeper
	husk exec "$CID" /bin/mkdir /from-exec
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "seccomp: an unknown syscall name is skipped, not an error" {
	update_config '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["husk_no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]
	}'
	set_args /bin/mkdir /x
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "capabilities: the process gets exactly the configured sets" {
	run_checker caps
	# The template: AUDIT_WRITE, KILL, NET_BIND_SERVICE in b/e/p/a.
	jq_ok '.caps.bounding | sort == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
	jq_ok '.caps.effective | sort == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
	jq_ok '.caps.permitted | sort == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
}

@test "capabilities: a non-root user keeps ambient capabilities across execve" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [29, 44]}
		| .process.capabilities.inheritable = .process.capabilities.ambient
		| .process.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]'
	run_checker caps ids
	jq_ok '.caps.effective == ["CAP_NET_BIND_SERVICE"]'
	jq_ok '.caps.ambient == ["CAP_NET_BIND_SERVICE"]'
	jq_ok '.ids.uid == 1000 and .ids.gid == 1000'
}

@test "capabilities: an unknown capability name is a warning with its JSON path" {
	# config.md: "MUST be logged as a warning", runtimes "SHOULD NOT fail"
	update_config '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]'
	set_args /bin/true
	husk run "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *CAP_NO_SUCH_THING* ]]
	if is_husk; then
		[[ "$output" == *'process.capabilities.bounding[3] "CAP_NO_SUCH_THING"'* ]]
	fi
}

@test "CVE-2024-21626: the container process has only fds 0, 1, 2" {
	run_checker fds
	jq_ok '[.fds[].fd] == [0, 1, 2]'
}

@test "CVE-2024-21626: an exec'd process has only fds 0, 1, 2" {
	start_sleeper
	husk_stdout exec "$CID" /bin/husk-checker fds
	[ "$status" -eq 0 ]
	jq_ok '[.fds[].fd] == [0, 1, 2]'
}

@test "CVE-2024-21626: process.cwd through a leaked /proc/self/fd is refused" {
	local fd
	set_args /bin/sh -c 'ls ..; pwd'
	for fd in 3 4 5 6 7 8 9; do
		update_config ".process.cwd = \"/proc/self/fd/$fd\""
		husk run "$CID"
		# Either the fd is not open in init (chdir fails) or it is, and
		# the runtime notices the cwd is outside the container's root.
		[ "$status" -ne 0 ] || fail "cwd /proc/self/fd/$fd was accepted: $output"
		__husk delete --force "$CID" >/dev/null 2>&1 || true
	done
}

@test "CVE-2024-21626: exec --cwd through a leaked /proc/self/fd is refused" {
	local fd
	start_sleeper
	for fd in 3 4 5 6 7 8 9; do
		husk exec --cwd "/proc/self/fd/$fd" "$CID" /bin/pwd
		[ "$status" -ne 0 ] || fail "exec --cwd /proc/self/fd/$fd was accepted: $output"
	done
}

@test "CVE-2019-5736: a container cannot reach the runtime binary during exec" {
	# The attack (runc's 2019 breakout): while the runtime joins the
	# container for `exec`, a process inside opens /proc/<pid>/exe of the
	# joining runtime, and once the runtime has exited reopens that fd for
	# writing and overwrites the host binary.  Played here against a copy
	# of the runtime so a failure damages nothing but the copy.
	local victim="$BATS_TEST_TMPDIR/husk-victim" before after i
	cp "$HUSK" "$victim"
	before=$(sha256sum <"$victim")
	cat >"$BUNDLE/rootfs/attack.sh" <<'ATTACK'
# One `ls -l` reads every /proc/<pid>/exe per round: fast enough to catch
# the runtime between joining the container and its execve.
while :; do
	for p in $(ls -l /proc/[0-9]*/exe 2>/dev/null | grep husk-victim |
		sed 's|.*/proc/\([0-9]*\)/exe.*|\1|'); do
		# a failed `exec 3<` would end a non-interactive sh: test first
		head -c 1 "/proc/$p/exe" >/dev/null 2>&1 || continue
		exec 3<"/proc/$p/exe"
		echo "opened /proc/$p/exe" >>/tmp/attack.log
		# wait for the runtime to exit, then write
		for t in 1 2 3 4 5 6 7 8 9 10; do
			if echo PWNED 2>/dev/null >>/proc/self/fd/3; then
				echo "wrote through /proc/$p" >>/tmp/attack.log
				break
			fi
			sleep 0.2
		done
		exec 3<&-
	done
done
ATTACK
	set_args /bin/sh /attack.sh
	__husk run -d "$CID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
	wait_for_status "$CID" running
	for i in $(seq 30); do
		"$victim" --root "$ROOT" exec "$CID" /bin/true </dev/null >/dev/null 2>&1 || true
	done
	sleep 2.5
	after=$(sha256sum <"$victim")
	# the log exists only if the attack got somewhere: the marker shows the
	# exec itself worked
	husk exec "$CID" /bin/sh -c 'cat /tmp/attack.log 2>/dev/null; echo end-of-log'
	echo "attack log: $output" >&2
	[ "$status" -eq 0 ]
	[[ "$output" == *end-of-log ]]
	[ "$before" = "$after" ] || fail "the runtime binary was overwritten from inside the container"
	[[ "$output" != *"wrote through"* ]]
	[[ "$output" != *"opened"* ]] || fail "the container could open the runtime's /proc/<pid>/exe"
}

# The masked paths of the template that exist on this kernel.
@test "maskedPaths: /proc paths stay masked for an exec'd process" {
	[ -e /proc/keys ] && [ -e /proc/timer_list ] && [ -d /proc/acpi ] ||
		skip "the host lacks /proc/keys, /proc/timer_list or /proc/acpi"
	start_sleeper
	husk exec "$CID" /bin/sh -c 'cat /proc/keys /proc/timer_list | wc -c; ls /proc/acpi | wc -l'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -d ' ' | tr '\n' ' ')" = "0 0 " ]
	husk exec "$CID" /bin/sh -c 'echo h > /proc/sysrq-trigger'
	[ "$status" -ne 0 ]
}

@test "maskedPaths: an exec'd process cannot unmask them" {
	[ -e /proc/keys ] || skip "the host lacks /proc/keys"
	start_sleeper
	husk exec "$CID" /bin/umount /proc/keys
	[ "$status" -ne 0 ]
	husk exec "$CID" /bin/umount /proc/acpi
	[ "$status" -ne 0 ]
	husk exec "$CID" /bin/sh -c 'wc -c </proc/keys'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -d ' ')" = 0 ]
}

# A seccomp agent for the notify test: takes the listener fd sent to its
# socket, saves the containerProcessState, and answers every notified
# syscall with EDQUOT.  Built here so the test needs nothing but gcc.
build_seccomp_agent() {
	cat >"$BATS_TEST_TMPDIR/agent.c" <<'AGENT'
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char buf[65536], control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  int srv = socket (AF_UNIX, SOCK_STREAM, 0), conn, fd;
  ssize_t n;
  FILE *out;

  strncpy (addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  if (bind (srv, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (srv, 1) < 0)
    return 1;
  printf ("ready\n");
  fflush (stdout);
  if ((conn = accept (srv, NULL, NULL)) < 0 || (n = recvmsg (conn, &msg, 0)) <= 0)
    return 2;
  buf[n] = '\0';
  out = fopen (argv[2], "w");
  fputs (buf, out);
  fclose (out);
  memcpy (&fd, CMSG_DATA (CMSG_FIRSTHDR (&msg)), sizeof fd);
  for (;;)
    {
      struct seccomp_notif req;
      struct seccomp_notif_resp resp;
      memset (&req, 0, sizeof req);
      if (ioctl (fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        return 0; /* the container is gone */
      resp = (struct seccomp_notif_resp) { .id = req.id, .error = -EDQUOT };
      ioctl (fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
}
AGENT
	gcc -o "$BATS_TEST_TMPDIR/agent" "$BATS_TEST_TMPDIR/agent.c" || fail "cannot build the agent"
}

@test "seccomp: SCMP_ACT_NOTIFY sends the listener fd and the state to listenerPath" {
	command -v gcc >/dev/null || skip "needs gcc"
	build_seccomp_agent
	local sock="$BATS_TEST_TMPDIR/agent.sock" state="$BATS_TEST_TMPDIR/agent.state"
	"$BATS_TEST_TMPDIR/agent" "$sock" "$state" >"$BATS_TEST_TMPDIR/agent.out" &
	local agent=$!
	retry 50 0.1 grep -q ready "$BATS_TEST_TMPDIR/agent.out"
	update_config ".linux.seccomp = {
		\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$sock\",
		\"listenerMetadata\": \"husk-test\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]
	}"
	set_args /bin/mkdir /notified
	husk run "$CID"
	kill "$agent" 2>/dev/null || true
	wait "$agent" 2>/dev/null || true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Disk quota exceeded"* ]] # the agent's answer
	cat "$state" >&2
	jq -e --arg id "$CID" '.fds == ["seccompFd"] and .metadata == "husk-test"
		and .state.id == $id and .ociVersion != null and (.pid | type) == "number"' "$state"
}
