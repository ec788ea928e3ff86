#!/usr/bin/env bats
# huskd's event loop never waits for the disk or for a pod: reads are
# answered from memory while pods start and while writing the object store
# is stalled.  The state dir lives on a filesystem of the test's own (a
# loop-mounted ext4 image), frozen with fsfreeze while pods start: every
# write to it blocks until it is thawed, as a slow or busy disk blocks a
# rename (measured: tens of ms per rename with `discard` under load).

load ../helpers
load ../pod/pod_helpers
load huskd_helpers

setup() {
	command -v fsfreeze >/dev/null && command -v mkfs.ext4 >/dev/null ||
		skip "needs fsfreeze and mkfs.ext4"
	setup_huskd
	STATEFS=$BATS_TEST_TMPDIR/statefs
	mkdir -p "$STATEFS"
	truncate -s 64M "$BATS_TEST_TMPDIR/state.img"
	mkfs.ext4 -q "$BATS_TEST_TMPDIR/state.img"
	mount -o loop "$BATS_TEST_TMPDIR/state.img" "$STATEFS" || skip "cannot loop-mount an ext4 image"
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	STATE=$STATEFS/state
	start_huskd
}

thaw() { fsfreeze -u "$STATEFS" 2>/dev/null || true; }

teardown() {
	# first: a process writing to a frozen filesystem cannot even be killed
	[ -n "${STATEFS:-}" ] && thaw
	teardown_huskd
	if [ -n "${STATEFS:-}" ] && mountpoint -q "$STATEFS"; then
		umount "$STATEFS" || umount -l "$STATEFS"
	fi
}

# read_within SECONDS PATH: a GET answered 200 within SECONDS.
read_within() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$1" --unix-socket "$SOCK" "http://huskd$2") || code=000
	[ "$code" = 200 ] || { echo "GET $2: $code within $1 s" >&2; return 1; }
}

on_disk_running() {
	jq -e '.status.phase == "Running"' "$STATE/objects/pods/default/$1.json" >/dev/null 2>&1
}

@test "reads are answered from memory while pods start and the store's disk is stalled" {
	local i p
	for i in 1 2 3; do
		create_pod "slow$i" <<<'{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	done
	# every store write blocks from now on, for at most 8 s whatever happens
	fsfreeze -f "$STATEFS"
	(sleep 8; fsfreeze -u "$STATEFS" 2>/dev/null) >/dev/null 2>&1 3>&- &
	# the pods start meanwhile: their status and events are store writes
	for i in $(seq 12); do
		read_within 1 /api/v1/namespaces/default/pods/slow1
		read_within 1 /api/v1/namespaces/default/pods
		read_within 1 '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dslow2'
		sleep 0.2
	done
	thaw
	for p in slow1 slow2 slow3; do
		wait_for 30 phase_is "$p" Running
		# and what was answered from memory reaches the disk after all
		wait_for 10 on_disk_running "$p"
	done
	# writes are answered again once they are on disk
	create_pod after <<<'{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	[ -f "$STATE/objects/pods/default/after.json" ]
}
