# Sourced by tests/vm/systemd-guest.sh inside the systemd guest: huskd with
# --cgroup-driver systemd and $HUSK as its pods' runtime.  One pod of each
# QoS class lands in the slices kubelet's systemd driver makes
# (kubepods.slice, kubepods-burstable.slice, kubepods-besteffort.slice,
# kubepods[-<qos>]-pod<uid>.slice, the uid's dashes as underscores), the
# containers in husk-<id>.scope units inside, limits in the units'
# properties and the cgroup files; deleting the pods leaves no unit.  Then
# the same through huskd's CRI: `crictl runp` with a kubelet-style
# cgroup_parent slice.  Needs $b/rootfs, $build, say/check.
# unit_props UNIT: the properties checked here into P[...], one systemctl.
declare -A P
unit_props() {
	local k v
	P=()
	while IFS='=' read -r k v; do P[$k]=$v; done < <(systemctl show -p Slice -p ActiveState \
		-p ControlGroup -p MemoryMax -p CPUQuotaPerSecUSec "$1")
}

guest_huskd() {
	local hd=/tmp/vm-huskd huskd=$build/sandbox/huskd/huskd pid name uid phase qos u parent cg pod_cg pod_mem cid sid t=$SECONDS
	# its log on the 9p share, for a look after the run (VM_KEEP=1)
	local log=/vm-out/huskd.log
	local crictl=/work/conf/cri-tools/bin/crictl
	[ -x "$huskd" ] || { say "skip huskd: $huskd is not built"; return; }
	# a tmpfs: the containers' overlay upper dirs cannot be on the guest's overlay root
	mkdir -p $hd && mount -t tmpfs -o size=256m tmpfs $hd
	"$huskd" --socket $hd/huskd.sock --state-dir $hd/state --pod-root $hd/pods \
		--runtime "$HUSK" --runtime-root $hd/rt --image-store $hd/images \
		--pod-network none --cgroup-driver systemd --cri-socket $hd/cri.sock \
		</dev/null >$log 2>&1 &
	pid=$!
	H() { timeout 10 curl -s --unix-socket $hd/huskd.sock "$@"; }
	wait_for 30 H -f -o /dev/null http://huskd/healthz
	if ! check "huskd --cgroup-driver systemd answers" H -f http://huskd/healthz -o /dev/null; then
		say "# huskd: $(tail -n 3 $log | tr '\n' ' ')"
		kill $pid
		return
	fi
	for p in guaranteed:'{"limits": {"cpu": "100m", "memory": "64Mi"}}' \
		burstable:'{"requests": {"memory": "32Mi"}, "limits": {"memory": "48Mi"}}' besteffort:'{}'; do
		H -o $hd/create.out -w '%{http_code}' -H 'Content-Type: application/json' \
			http://huskd/api/v1/namespaces/default/pods -d "$(jq -nc --arg n "${p%%:*}" \
				--arg img "$b/rootfs" --argjson r "${p#*:}" '{apiVersion: "v1", kind: "Pod",
				metadata: {name: $n}, spec: {terminationGracePeriodSeconds: 1, containers: [{name: "c",
				image: $img, command: ["sh", "-c", "cat /proc/self/cgroup; exec sleep 600"],
				resources: $r}]}}')" >$hd/create.code
		check "huskd: create the ${p%%:*} pod" grep -qx 201 $hd/create.code ||
			say "# $(cat $hd/create.out)"
	done
	# name uid phase qosClass of every pod, one request
	pods() { H http://huskd/api/v1/namespaces/default/pods |
		jq -r '.items[] | "\(.metadata.name) \(.metadata.uid) \(.status.phase) \(.status.qosClass)"'; }
	all_running() { [ "$(pods | grep -c ' Running ')" = 3 ]; }
	wait_for 60 all_running ||
		say "# events: $(H http://huskd/api/v1/namespaces/default/events | jq -r '.items[] | .reason + ": " + .message' | tail -n 12 | tr '\n' ' ')"
	say "# huskd: pods running after $((SECONDS - t)) s"
	pods >$hd/pods.txt
	while read -r name uid phase qos; do
		check "huskd: the $name pod runs" test "$phase" = Running
		check "huskd: $name: its qosClass is $qos" test "${qos,,}" = "$name"
		case $name in
		guaranteed) u=kubepods-pod${uid//-/_}.slice parent=kubepods.slice ;;
		*) u=kubepods-$name-pod${uid//-/_}.slice parent=kubepods-$name.slice ;;
		esac
		unit_props "$u"
		say "# $name: $u: ${P[*]@K}"
		check "huskd: $name: the pod is $u in $parent" test "${P[Slice]}" = "$parent"
		check "huskd: $name: $u is active" test "${P[ActiveState]}" = active
		pod_cg=${P[ControlGroup]} pod_mem=${P[MemoryMax]}
		cg=$(H "http://huskd/api/v1/namespaces/default/pods/$name/log" | sed -n 's/^0:://p')
		cid=${cg##*/husk-}
		unit_props "husk-${cid%.scope}.scope"
		check "huskd: $name: the container is husk-<id>.scope in $u" test "${P[Slice]}" = "$u" ||
			say "# $name's cgroup: $cg"
		check "huskd: $name: its cgroup is the scope's ControlGroup" test -n "$cg" -a "$cg" = "${P[ControlGroup]}"
		case $name in
		guaranteed)
			check "huskd: guaranteed: MemoryMax of the pod slice is 64Mi" test "$pod_mem" = 67108864
			check "huskd: guaranteed: memory.max of the pod slice" test "$(cat "/sys/fs/cgroup$pod_cg/memory.max")" = 67108864
			check "huskd: guaranteed: the container's CPUQuotaPerSecUSec is 100ms" test "${P[CPUQuotaPerSecUSec]}" = 100ms
			check "huskd: guaranteed: cpu.max of the container" test "$(cat "/sys/fs/cgroup$cg/cpu.max")" = "10000 100000"
			;;
		burstable)
			check "huskd: burstable: the container's MemoryMax is 48Mi" test "${P[MemoryMax]}" = 50331648
			check "huskd: burstable: memory.max of the container" test "$(cat "/sys/fs/cgroup$cg/memory.max")" = 50331648
			;;
		besteffort)
			check "huskd: besteffort: no memory limit on the pod slice" test "$pod_mem" = infinity
			;;
		esac
	done <$hd/pods.txt
	check "huskd: three pods" test "$(wc -l <$hd/pods.txt)" = 3
	check "huskd: kubepods-burstable.slice is in kubepods.slice" \
		test "$(systemctl show -P Slice kubepods-burstable.slice)" = kubepods.slice
	for name in guaranteed burstable besteffort; do
		H -X DELETE -o /dev/null "http://huskd/api/v1/namespaces/default/pods/$name?gracePeriodSeconds=1"
	done
	wait_for 60 eval '[ -z "$(pods)" ]'
	check "huskd: the pods are deleted" test -z "$(pods)"
	say "# huskd: pods deleted after $((SECONDS - t)) s"
	check "huskd: no kubepods unit left" no_unit 'kubepods*'
	check "huskd: no husk-*.scope left" no_unit 'husk-*.scope'
	check "huskd: no failed unit" test -z "$(systemctl list-units --failed --no-legend --plain 'kubepods*' 'husk-*')"

	# The CRI: kubelet's systemd driver passes the pod's slice as cgroup_parent.
	if [ -x "$crictl" ]; then
		C() { timeout 60 "$crictl" -t 30s --runtime-endpoint unix://$hd/cri.sock "$@"; }
		jq -n '{metadata: {name: "vm-cri", namespace: "default", uid: "vm-cri-1", attempt: 0},
			linux: {cgroup_parent: "kubepods-besteffort-podvm_cri_1.slice"}}' >$hd/pod.json
		sid=$(C runp $hd/pod.json 2>$hd/runp.err)
		check "huskd CRI: crictl runp with cgroup_parent kubepods-besteffort-podvm_cri_1.slice" test -n "$sid" ||
			say "# runp: $(tr '\n' ' ' <$hd/runp.err)"
		check "huskd CRI: the sandbox's slice is in kubepods-besteffort.slice" \
			test "$(systemctl show -P Slice kubepods-besteffort-podvm_cri_1.slice)" = kubepods-besteffort.slice
		check "huskd CRI: the slice is active" \
			test "$(systemctl show -P ActiveState kubepods-besteffort-podvm_cri_1.slice)" = active
		check "huskd CRI: stopp" C stopp "$sid"
		check "huskd CRI: rmp" C rmp "$sid"
		check "huskd CRI: the pod's slice is gone" no_unit kubepods-besteffort-podvm_cri_1.slice
		# kubepods*.slice above it are kubelet's: it keeps them; stop them here.
		systemctl stop kubepods.slice 2>/dev/null
		check "huskd CRI: no unit left" no_unit 'kubepods*'
	else
		say "skip huskd CRI: no $crictl"
	fi
	kill $pid
	timeout 30 tail --pid=$pid -f /dev/null
	umount -l $hd
}

t=$SECONDS
guest_huskd
say "# huskd: $((SECONDS - t)) s"
