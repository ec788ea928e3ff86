#!/usr/bin/env bats
# Pod networking through CNI (containernetworking-plugins: bridge +
# host-local), and hostNetwork.

load ../helpers
load pod_helpers

setup() {
	setup_pod_env
	[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] ||
		skip "needs containernetworking-plugins (/usr/lib/cni)"
	BRIDGE=hk$RANDOM
	SUBNET=10.$((RANDOM % 50 + 200)).$((RANDOM % 250)).0/24
	IPAM_DIR=$BATS_TEST_TMPDIR/ipam
	mkdir -p "$BATS_TEST_TMPDIR/cni"
	cat >"$BATS_TEST_TMPDIR/cni/10-test.conflist" <<EOF_CNI
{"cniVersion": "1.0.0", "name": "husk-$TOKEN",
 "plugins": [
  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$SUBNET"}]], "dataDir": "$IPAM_DIR"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF_CNI
	POD_FLAGS_NO_CNI=("${POD_FLAGS[@]}")
	POD_FLAGS+=(--cni-conf-dir "$BATS_TEST_TMPDIR/cni")
}

teardown() {
	teardown_pod_env
	local rc=$?
	ip link del "${BRIDGE:-none}" 2>/dev/null || true
	return $rc
}

@test "pod: a CNI bridge network gives the pod an IP reachable from the host" {
	write_pod "$POD_FILE" <<'EOF_POD'
{"kind": "Pod", "metadata": {"name": "net"},
 "spec": {"containers": [{"name": "web", "image": "@ROOTFS@",
   "command": ["sh", "-c", "while true; do echo hello-from-pod | nc -l -p 8080; done"]}]}}
EOF_POD
	pod_up
	pod status "$SID"
	ip=$(echo "$output" | jq -r .ip)
	[[ "$ip" == "${SUBNET%.0/24}".* ]]
	pod exec "$SID-web-0" sh -c 'ip -o -4 addr show eth0'
	[[ "$output" == *"$ip/24"* ]]
	pod exec "$SID-web-0" cat /etc/hosts
	[[ "$output" == *"$ip"*net* ]]
	busybox ping -c 1 -W 2 "$ip"
	retry 20 0.2 sh -c "echo | busybox nc -w 2 $ip 8080 | grep -q hello-from-pod"
	# The allocation exists now and is released by the removal.
	ls "$IPAM_DIR/husk-$TOKEN" | grep -qF "$ip"
	# Removal runs CNI DEL from what ADD saved, even without the flag.
	POD_FLAGS=("${POD_FLAGS_NO_CNI[@]}")
	pod rm "$SID"
	[ "$status" -eq 0 ]
	[ -z "$(ls "$IPAM_DIR/husk-$TOKEN" | grep -F "$ip")" ]
	check_pod_debris
}

@test "pod: hostNetwork shares the host's network and hostname" {
	write_pod "$POD_FILE" <<'EOF_POD'
{"kind": "Pod", "metadata": {"name": "hostnet"},
 "spec": {"hostNetwork": true,
  "containers": [{"name": "main", "image": "@ROOTFS@", "command": ["sleep", "1000"]}]}}
EOF_POD
	pod_up
	pod status "$SID"
	echo "$output" | jq -e '.ip == null and .hostNetwork == true'
	pod exec "$SID-main-0" hostname
	[ "$output" = "$(hostname)" ]
	pod exec "$SID-main-0" sh -c 'ls /sys/class/net | wc -l'
	[ "$output" -gt 1 ]
}

@test "pod: a container's hostPort is published through the CNI portmap plugin" {
	command -v iptables-save >/dev/null || skip "portmap needs iptables"
	HOSTPORT=$((20000 + RANDOM % 20000))
	write_pod "$POD_FILE" <<EOF_POD
{"kind": "Pod", "metadata": {"name": "ports"},
 "spec": {"containers": [{"name": "web", "image": "@ROOTFS@",
   "ports": [{"containerPort": 8080, "hostPort": $HOSTPORT}, {"containerPort": 9090}],
   "command": ["sh", "-c", "while true; do echo hello-by-hostport | nc -l -p 8080; done"]}]}}
EOF_POD
	pod_up
	# portmap got the mapping as runtimeConfig, and only the one with a hostPort.
	jq -e --argjson p "$HOSTPORT" '. == [{"hostPort": $p, "containerPort": 8080, "protocol": "tcp"}]' \
		"$PODS/$SID/cni-ports.json"
	# portmap's chain for this pod (its jump carries the CNI container id).
	chain=$(iptables-save -t nat | grep -F "$SID" | grep -o 'CNI-DN-[0-9a-f]*' | head -1)
	[ -n "$chain" ]
	iptables-save -t nat | grep -F -- "-A $chain " | grep -qF -- "--dport $HOSTPORT -j DNAT"
	# The host reaches it on one of its own addresses (the bridge's).
	gw=${SUBNET%.0/24}.1
	retry 20 0.2 sh -c "echo | busybox nc -w 2 $gw $HOSTPORT | grep -q hello-by-hostport"
	pod rm "$SID"
	[ "$status" -eq 0 ]
	[ -z "$(iptables-save -t nat | grep -F -e "$SID" -e "$chain ")" ]
}
