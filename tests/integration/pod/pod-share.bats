#!/usr/bin/env bats
# Two containers of one pod share what a Kubernetes pod shares: loopback,
# SysV IPC and POSIX message queues, the hostname, emptyDir volumes.

load ../helpers
load pod_helpers

setup() {
	setup_pod_env
	write_pod "$POD_FILE" <<'EOF_POD'
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "share-@TOKEN@"},
 "spec": {
  "hostname": "podhost",
  "volumes": [{"name": "shared", "emptyDir": {}},
              {"name": "mem", "emptyDir": {"medium": "Memory", "sizeLimit": "8Mi"}}],
  "containers": [
   {"name": "server", "image": "@ROOTFS@",
    "command": ["sh", "-c", "while true; do echo pong | nc -l -p 7000; done"],
    "volumeMounts": [{"name": "shared", "mountPath": "/data"},
                     {"name": "mem", "mountPath": "/mem"}]},
   {"name": "client", "image": "@ROOTFS@", "command": ["sleep", "1000"],
    "volumeMounts": [{"name": "shared", "mountPath": "/data", "readOnly": true},
                     {"name": "mem", "mountPath": "/mem"},
                     {"name": "shared", "mountPath": "/sub", "subPath": "dir/inner"}]}]}}
EOF_POD
	pod_up
	S=$SID-server-0
	C=$SID-client-0
}

teardown() {
	teardown_pod_env
}

@test "pod: containers share loopback (TCP on 127.0.0.1)" {
	retry 20 0.2 "$HUSK_POD_BIN" "${POD_FLAGS[@]}" exec "$C" sh -c 'echo ping | nc -w 2 127.0.0.1 7000 | grep -q pong'
	pod exec "$C" sh -c 'echo ping | nc -w 2 127.0.0.1 7000'
	[ "$status" -eq 0 ]
	[[ "$output" == *pong* ]]
}

@test "pod: containers share the hostname, the pod has only loopback" {
	pod exec "$S" hostname
	[ "$output" = podhost ]
	pod exec "$C" hostname
	[ "$output" = podhost ]
	pod exec "$C" cat /etc/hostname
	[ "$output" = podhost ]
	pod exec "$C" sh -c 'ls /sys/class/net'
	[ "$output" = lo ]
	pod exec "$C" sh -c 'grep podhost /etc/hosts'
	[ "$status" -eq 0 ]
}

@test "pod: containers share SysV IPC and POSIX message queues" {
	pod exec "$C" pod-ipc msgq-exists 4242
	[ "$status" -ne 0 ]
	pod exec "$S" pod-ipc msgq-create 4242
	[ "$status" -eq 0 ]
	pod exec "$C" pod-ipc msgq-exists 4242
	[ "$status" -eq 0 ]
	pod exec "$S" pod-ipc mq-create /husk-q
	[ "$status" -eq 0 ]
	pod exec "$C" pod-ipc mq-exists /husk-q
	[ "$status" -eq 0 ]
	pod exec "$C" ls /dev/mqueue
	[[ "$output" == *husk-q* ]]
	# ...and none of it is the host's.
	run grep -w 4242 /proc/sysvipc/msg
	[ "$status" -ne 0 ]
}

@test "pod: an emptyDir is shared, a readOnly mount can't be written, subPath works" {
	pod exec "$S" sh -c 'echo from-server > /data/f; mkdir -p /data/dir/inner; echo deep > /data/dir/inner/x'
	[ "$status" -eq 0 ]
	pod exec "$C" cat /data/f
	[ "$output" = from-server ]
	pod exec "$C" sh -c 'echo nope > /data/g'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Read-only file system"* ]]
	pod exec "$C" cat /sub/x
	[ "$output" = deep ]
	pod exec "$C" sh -c 'echo m > /mem/m && grep " /mem " /proc/mounts'
	[[ "$output" == *tmpfs* ]]
	[[ "$output" == *size=8192k* ]]
	pod exec "$S" cat /mem/m
	[ "$output" = m ]
}

@test "pod: the holder is the parent of every container's init" {
	holder=$(cat "$PODS/$SID/holder.pid")
	[ "$(cat /proc/$holder/comm)" = "husk:[holder]" ]
	for c in "$S" "$C"; do
		pod status "$c"
		pid=$(echo "$output" | jq -r .pid)
		[ "$(awk '{print $4}' /proc/$pid/stat)" = "$holder" ]
	done
	pod status "$SID"
	echo "$output" | jq -e '.state == "ready" and .name == "share-'"$TOKEN"'"'
}
