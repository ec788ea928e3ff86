# Helpers shared by the isolation/ and spec/ suites, on top of ../helpers.
#   load ../helpers
#   load ../isolation/common      (or `load common` from isolation/)

# run_detached ARGS...: `run -d` the container with ARGS (default: a long
# sleep) and waits until it is running.  stdio goes to files, never to
# bats' pipes, so bats does not wait for the container.
run_detached() {
	if [ $# -gt 0 ]; then set_args "$@"; else set_args /bin/sleep 1000; fi
	__husk run -d "$CID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>"$BATS_TEST_TMPDIR/run.err" ||
		fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/run.err")"
	wait_for_status "$CID" running
}

# create_detached: `create` the container (stdio to files) and checks it
# reached "created".
create_detached() {
	__husk create "$CID" </dev/null >"$BATS_TEST_TMPDIR/create.out" 2>"$BATS_TEST_TMPDIR/create.err" ||
		fail "create failed: $(cat "$BATS_TEST_TMPDIR/create.err")"
	[ "$(container_status "$CID")" = created ] || fail "not created: $(container_status "$CID")"
}

# cg_dir CONTROLLER [PID]: the host directory of PID's cgroup (default the
# container's init) in the v1 hierarchy that carries CONTROLLER.
cg_dir() {
	local ctrl=$1 pid=${2:-$(container_pid "$CID")} rel
	rel=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$pid/cgroup")
	[ -n "$rel" ] || return 1
	local mnt
	mnt=$(awk -v c="$ctrl" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") { print $2; exit }' /proc/mounts)
	[ -n "$mnt" ] || return 1
	echo "$mnt$rel"
}

# cg_read CONTROLLER FILE: one cgroup file of the container, from the host.
cg_read() {
	local d
	d=$(cg_dir "$1") || fail "no $1 cgroup for $CID"
	cat "$d/$2"
}

# The v1 controller CONTROLLER is mounted on the host.
has_controller() {
	awk -v c="$1" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") { f = 1 } END { exit !f }' /proc/mounts
}

# ns_of PID NAME: the inode of /proc/PID/ns/NAME.
ns_of() {
	readlink "/proc/$1/ns/$2" | tr -dc 0-9
}
