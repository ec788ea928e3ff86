#!/usr/bin/env bats
# huskd's default pod network (no --cni-conf-dir: a bridge made through the
# CNI plugins), pod DNS and /etc/hosts, through the real kubectl over TLS.
# kubectl-network-1.20.bats is this file under another name: the same
# scenarios with Debian's kubectl 1.20; this one takes the newest kubectl
# on the machine.
#
# Each test runs huskd in a network namespace it makes (ip netns), so the
# bridge, the pods' veths, the addresses and the iptables rules of portmap
# and masquerade live there and go with it; kubectl, curl and nc run there
# too.  Nothing outside it is addressed.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers


setup_file() {
	if ! kubectl_is_120; then
		KUBECTL_BIN=$(newest_kubectl)
		export KUBECTL_BIN
	fi
}

innet() { nsenter --net="/run/netns/$NETNS" "$@"; }
# kubectl (and k) in the test's network namespace, where huskd listens.
kubectl() { innet "$KUBECTL_BIN" "$@"; }

setup() {
	if kubectl_is_120; then
		ensure_old_kubectl
		KUBECTL_BIN=$KUBECTL_OLD
	fi
	[ -x "${KUBECTL_BIN:-}" ] || skip "kubectl is not installed"
	for p in bridge host-local portmap; do
		[ -x "/usr/lib/cni/$p" ] || skip "needs containernetworking-plugins (/usr/lib/cni/$p)"
	done
	command -v iptables-save >/dev/null || skip "portmap and masquerade need iptables"
	NETNS=hknet-$$-$RANDOM
	ip netns add "$NETNS" || skip "cannot make a network namespace"
	ip -n "$NETNS" link set lo up
	HUSKD_WRAP="nsenter --net=/run/netns/$NETNS"
	HUSKD_POD_NETWORK=1
}

teardown() {
	teardown_huskd
	local rc=$?
	[ -z "${NETNS:-}" ] || ip netns del "$NETNS" 2>/dev/null || true
	return $rc
}

# start_net_huskd [ARGS]: huskd over TLS in the namespace, $KUBECONFIG for it.
start_net_huskd() {
	[ -n "${PODS:-}" ] || setup_pod_env
	[ -x "$HUSKD_BIN" ] || skip "huskd is not built"
	SOCK=$BATS_TEST_TMPDIR/huskd.sock
	STATE=$BATS_TEST_TMPDIR/state
	TLS_PORT=$((20000 + RANDOM % 20000))
	start_huskd --listen "127.0.0.1:$TLS_PORT" "$@"
	export KUBECONFIG=$BATS_TEST_TMPDIR/kubeconfig
	(umask 077 && HUSK_SOCKET=$SOCK "$HUSKCTL_BIN" kubeconfig >"$KUBECONFIG") || fail "no kubeconfig"
}

# pod_yaml NAME COMMAND [EXTRA SPEC LINES]: a one-container pod.
pod_yaml() {
	cat <<YAML
---
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 1
${3:-}
  containers:
  - name: main
    image: $POD_ROOTFS
    command: ["sh", "-c", "$2"]
    env: [{name: HUSK_TEST_TOKEN, value: "$TOKEN"}]
YAML
}

running() { [ "$(kubectl get pod "$1" -o 'jsonpath={.status.phase}' 2>/dev/null)" = Running ]; }
pod_ip() { kubectl get pod "$1" -o 'jsonpath={.status.podIP}'; }
conflist() { jq -c "$1" "$STATE/cni/net.d/10-huskd.conflist"; }

# uplink: an interface of the namespace's host side to give an address
# (a veth pair kept inside it: no dummy module needed).
uplink() {
	ip -n "$NETNS" link add hk-uplink type veth peer name hk-uplink-peer
	ip -n "$NETNS" link set hk-uplink-peer up
}

# host_gets TEXT ADDR PORT: a connection from the namespace's host side reads TEXT.
host_gets() { echo | innet busybox nc -w 2 "$2" "$3" 2>/dev/null | grep -q "$1"; }
# pod_gets POD TEXT ADDR PORT: the same from inside POD.
pod_gets() { kubectl exec "$1" -- sh -c "echo | nc -w 2 $3 $4" 2>/dev/null | grep -q "$2"; }
listening() { innet ss -ltn | grep -q ":$1 "; }

# allocations host-local holds (files named by address)
ipam_allocations() {
	ls "$STATE/cni/ipam/huskd" 2>/dev/null | grep -v -e '^lock$' -e '^last_reserved_ip' || true
}

@test "default network (no network flags): podIP, pod to pod, host to pod, pod to host; DEL cleans up" {
	start_net_huskd
	# made on first start: bridge husk0, the first free /16, IPAM state in the state dir
	[ "$(conflist '[.plugins[].type]')" = '["bridge","portmap"]' ]
	[ "$(conflist '.plugins[0] | [.bridge, .isGateway, .ipMasq, .ipam.type, .ipam.ranges[0][0].subnet]')" = \
		'["husk0",true,true,"host-local","10.89.0.0/16"]' ]
	[ "$(conflist '.plugins[0].ipam.dataDir')" = "\"$STATE/cni/ipam\"" ]
	{
		pod_yaml srv 'while true; do echo hello-from-srv | nc -l -p 8080; done'
		pod_yaml cli 'sleep 1000'
	} | kubectl apply -f - >/dev/null
	wait_for 30 running srv
	wait_for 30 running cli
	srv=$(pod_ip srv)
	cli=$(pod_ip cli)
	[[ "$srv" == 10.89.* ]] && [[ "$cli" == 10.89.* ]] && [ "$srv" != "$cli" ]
	k get pod srv -o 'jsonpath={.status.podIPs[*].ip}'
	[ "$output" = "$srv" ]
	k get pod srv -o wide --no-headers
	[[ "$output" == *" $srv "* ]]
	# the pod's side: eth0 with its address, the default route through the bridge
	k exec cli -- ip -o -4 addr show eth0
	[[ "$output" == *"inet $cli/16"* ]]
	k exec cli -- ip route
	[[ "$output" == *"default via 10.89.0.1"* ]]
	innet ip -o -4 addr show husk0 | grep -qF 'inet 10.89.0.1/16'
	# host -> pod
	wait_for 10 host_gets hello-from-srv "$srv" 8080
	# pod -> pod
	wait_for 10 pod_gets cli hello-from-srv "$srv" 8080
	# pod -> host (a listener of the test on the bridge's address)
	innet timeout 15 busybox nc -l -p 9999 >"$BATS_TEST_TMPDIR/got" &
	listener=$!
	wait_for 10 listening 9999
	k exec cli -- sh -c 'echo hello-from-pod | nc -w 2 10.89.0.1 9999'
	wait "$listener" || true
	grep -qx hello-from-pod "$BATS_TEST_TMPDIR/got"
	# masquerade: a rule for what leaves the subnet, per pod
	innet iptables-save -t nat | grep -F -- "-s $cli/32" | grep -q CNI-
	[ "$(ipam_allocations | sort | tr '\n' ' ')" = "$(printf '%s\n' "$srv" "$cli" | sort | tr '\n' ' ')" ]
	# deleting the pods runs CNI DEL: addresses released, rules and veths gone
	k delete pod srv cli --wait=true --timeout=30s
	[ "$status" -eq 0 ]
	wait_for 30 no_pods_left
	[ -z "$(ipam_allocations)" ]
	[ -z "$(innet iptables-save -t nat | grep -F -e "$srv" -e "$cli")" ]
	[ -z "$(innet ip -o link show type veth)" ]
}

@test "default network: the subnet skips routed ones and stays; --pod-bridge; hostPort from the host" {
	# the namespace's "host" address, with a route over 10.89.0.0/16
	uplink
	ip -n "$NETNS" addr add 10.89.5.1/16 dev hk-uplink
	ip -n "$NETNS" link set hk-uplink up
	BR=hkbr$RANDOM
	HOSTPORT=$((20000 + RANDOM % 20000))
	start_net_huskd --pod-bridge "$BR"
	[ "$(conflist '.plugins[0] | [.bridge, .ipam.ranges[0][0].subnet]')" = "[\"$BR\",\"10.90.0.0/16\"]" ]
	pod_yaml web 'while true; do echo hello-by-hostport | nc -l -p 8080; done' |
		sed "s|^    command:|    ports: [{containerPort: 8080, hostPort: $HOSTPORT}]\n    command:|" |
		kubectl apply -f - >/dev/null
	wait_for 30 running web
	[[ "$(pod_ip web)" == 10.90.* ]]
	innet ip -o -4 addr show "$BR" | grep -qF 'inet 10.90.0.1/16'
	# hostPort: portmap's DNAT for the pod, reached on the host's own address
	innet iptables-save -t nat | grep -F -- "--dport $HOSTPORT " | grep -q DNAT
	wait_for 10 host_gets hello-by-hostport 10.89.5.1 "$HOSTPORT"
	k delete pod web --wait=true --timeout=30s
	wait_for 30 no_pods_left
	[ -z "$(innet iptables-save -t nat | grep -F -- "--dport $HOSTPORT ")" ]
	# a restart keeps the subnet, though its bridge's route now covers 10.90.0.0/16
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	start_huskd "${HUSKD_ARGS[@]}"
	[ "$(conflist '.plugins[0].ipam.ranges[0][0].subnet')" = '"10.90.0.0/16"' ]
}

@test "pod network flags: --pod-subnet, masquerade and portmap off, bad values refused; --cni-conf-dir replaces it" {
	setup_pod_env
	SOCK=$BATS_TEST_TMPDIR/huskd.sock
	STATE=$BATS_TEST_TMPDIR/state
	run $HUSKD_WRAP "$HUSKD_BIN" --socket "$SOCK" --state-dir "$STATE" --pod-subnet 10.1.2.3
	[ "$status" -eq 1 ]
	[[ "$output" == *"--pod-subnet \`10.1.2.3\`: not an IPv4 subnet"* ]]
	run $HUSKD_WRAP "$HUSKD_BIN" --socket "$SOCK" --state-dir "$STATE" --pod-bridge much-too-long-name
	[ "$status" -eq 1 ]
	[[ "$output" == *"--pod-bridge \`much-too-long-name\`: not an interface name"* ]]
	run $HUSKD_WRAP "$HUSKD_BIN" --socket "$SOCK" --state-dir "$STATE" --pod-masquerade maybe
	[ "$status" -eq 2 ]
	[[ "$output" == *"--pod-masquerade: \`maybe\` is not true or false"* ]]
	start_net_huskd --pod-bridge hkpriv0 --pod-subnet 10.201.7.0/24 --pod-masquerade false --pod-portmap false
	[ "$(conflist '[.plugins[].type]')" = '["bridge"]' ]
	[ "$(conflist '.plugins[0] | [.ipMasq, .ipam.ranges[0][0].subnet]')" = '[false,"10.201.7.0/24"]' ]
	pod_yaml quiet 'sleep 1000' | kubectl apply -f - >/dev/null
	wait_for 30 running quiet
	[[ "$(pod_ip quiet)" == 10.201.7.* ]]
	[ -z "$(innet iptables-save -t nat | grep -e MASQUERADE -e DNAT)" ]
	k delete pod quiet --wait=true --timeout=30s
	wait_for 30 no_pods_left
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	# a CNI configuration of the administrator's replaces the default network
	mkdir -p "$BATS_TEST_TMPDIR/cni"
	cat >"$BATS_TEST_TMPDIR/cni/10-admin.conflist" <<EOF_CNI
{"cniVersion": "1.0.0", "name": "admin",
 "plugins": [{"type": "bridge", "bridge": "hkadmin0", "isGateway": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.202.9.0/24"}]], "dataDir": "$BATS_TEST_TMPDIR/ipam"}}]}
EOF_CNI
	rm -rf "$STATE/cni"
	start_huskd --listen "127.0.0.1:$TLS_PORT" --cni-conf-dir "$BATS_TEST_TMPDIR/cni"
	[ ! -e "$STATE/cni" ]
	pod_yaml admin 'sleep 1000' | kubectl apply -f - >/dev/null
	wait_for 30 running admin
	[[ "$(pod_ip admin)" == 10.202.9.* ]]
}

@test "pod DNS: the host's reachable resolvers for Default and ClusterFirst, dnsConfig merged, None; hostAliases" {
	cat >"$BATS_TEST_TMPDIR/resolv.conf" <<'EOF_RESOLV'
# the host's resolv.conf, as --resolv-conf gives it
nameserver 127.0.0.53
nameserver 192.0.2.53
search example.test corp.test
options edns0 ndots:2
EOF_RESOLV
	start_net_huskd --resolv-conf "$BATS_TEST_TMPDIR/resolv.conf"
	{
		pod_yaml cf 'sleep 1000'
		pod_yaml dflt 'sleep 1000' '  dnsPolicy: Default
  dnsConfig:
    nameservers: [192.0.2.54, 192.0.2.53]
    searches: [extra.test, corp.test]
    options: [{name: ndots, value: "5"}, {name: rotate}]
  hostAliases:
  - {ip: 192.0.2.80, hostnames: [foo.test, bar.test]}
  - {ip: "2001:db8::8", hostnames: [six.test]}'
		pod_yaml none 'sleep 1000' '  dnsPolicy: None
  dnsConfig: {nameservers: [192.0.2.99], searches: [only.test], options: [{name: timeout, value: "1"}]}'
	} | kubectl apply -f - >/dev/null
	wait_for 30 running cf
	wait_for 30 running dflt
	wait_for 30 running none
	# ClusterFirst without a cluster DNS is Default; 127.0.0.53 is the
	# host's loopback, which the pod's namespace does not have
	k exec cf -- cat /etc/resolv.conf
	[ "$output" = "# the host's resolvers on loopback are not reachable from the pod: 127.0.0.53
search example.test corp.test
nameserver 192.0.2.53
options edns0 ndots:2" ]
	k exec dflt -- cat /etc/resolv.conf
	[ "$output" = "# the host's resolvers on loopback are not reachable from the pod: 127.0.0.53
search example.test corp.test extra.test
nameserver 192.0.2.53
nameserver 192.0.2.54
options edns0 ndots:5 rotate" ]
	k exec none -- cat /etc/resolv.conf
	[ "$output" = "search only.test
nameserver 192.0.2.99
options timeout:1" ]
	# hostAliases, as the kubelet appends them
	k exec dflt -- cat /etc/hosts
	ip=$(pod_ip dflt)
	[[ "$output" == *"$ip	dflt"* ]]
	[[ "$output" == *"# Entries added by HostAliases.
192.0.2.80	foo.test	bar.test
2001:db8::8	six.test" ]]
	k exec cf -- cat /etc/hosts
	[[ "$output" != *HostAliases* ]]
	# refused at admission, in the API server's words
	pod_yaml bad 'true' '  dnsPolicy: None
  hostAliases: [{ip: 192.0.2.300, hostnames: [Bad_Name]}]' >"$BATS_TEST_TMPDIR/bad.yaml"
	k apply -f "$BATS_TEST_TMPDIR/bad.yaml"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'* ]]
	[[ "$stderr" == *'spec.hostAliases[0].ip: Invalid value: "192.0.2.300": must be a valid IP address'* ]]
	[[ "$stderr" == *'spec.hostAliases[0].hostnames[0]: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain'* ]]
	pod_yaml bad 'true' '  dnsPolicy: Nope' | kubectl apply -f - 2>"$BATS_TEST_TMPDIR/err" && false
	grep -qF 'spec.dnsPolicy: Unsupported value: "Nope": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"' "$BATS_TEST_TMPDIR/err"
}

@test "hostNetwork: podIP and hostIP are the host's address; the host's resolvers and hosts file" {
	uplink
	ip -n "$NETNS" addr add 192.0.2.10/24 dev hk-uplink
	ip -n "$NETNS" link set hk-uplink up
	ip -n "$NETNS" route add default via 192.0.2.1 dev hk-uplink
	printf 'nameserver 127.0.0.53\nsearch example.test\n' >"$BATS_TEST_TMPDIR/resolv.conf"
	start_net_huskd --resolv-conf "$BATS_TEST_TMPDIR/resolv.conf"
	pod_yaml hostnet 'sleep 1000' '  hostNetwork: true
  hostAliases: [{ip: 192.0.2.81, hostnames: [alias.test]}]' | kubectl apply -f - >/dev/null
	pod_yaml podnet 'sleep 1000' | kubectl apply -f - >/dev/null
	wait_for 30 running hostnet
	wait_for 30 running podnet
	k get pod hostnet -o 'jsonpath={.status.podIP} {.status.podIPs[*].ip} {.status.hostIP}'
	[ "$output" = "192.0.2.10 192.0.2.10 192.0.2.10" ]
	k get pod podnet -o 'jsonpath={.status.hostIP}'
	[ "$output" = 192.0.2.10 ]
	[[ "$(pod_ip podnet)" == 10.89.* ]]
	k exec hostnet -- ip -o -4 addr show hk-uplink
	[[ "$output" == *"inet 192.0.2.10/24"* ]]
	# the host's loopback is the pod's: its resolvers stay
	k exec hostnet -- cat /etc/resolv.conf
	[ "$output" = "search example.test
nameserver 127.0.0.53" ]
	k exec hostnet -- cat /etc/hosts
	[[ "$output" == "$(cat /etc/hosts)"*"# Entries added by HostAliases.
192.0.2.81	alias.test" ]]
}
