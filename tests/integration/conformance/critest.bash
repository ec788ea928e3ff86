# Running critest (cri-tools' CRI validation suite) against a CRI endpoint,
# whichever serves it (containerd in critest.bats): the images from a
# private registry, the specs known to fail everywhere, the run and its
# summary.  Needs conformance.bash's conformance_build ($CRITEST).
#
# A DIR of the caller's holds the run's scratch: DIR/tmp (critest's cwd and
# TMPDIR: its logs and host-path volumes), DIR/bin (put first in its PATH),
# DIR/registry (the registry's storage).

# Of critest's 85 specs, 5 are benchmarks (off unless -benchmark) and these
# are skipped, failing with runc 1.1 through containerd 1.6 too:
CRITEST_SKIP_SPECS=(
	# Pulls test-image-digest@sha256:9700f9a2... (the digest of the real
	# image): an image rebuilt offline can't have it.
	'public image with digest should be pulled and removed'
)
# runc passes the other 79 here.

# The host ports critest's port-mapping specs use.
CRITEST_HOST_PORTS="12000 12001 12002 12003"

critest_warn_busy_ports() { # on fd 3, bats' output
	local port
	for port in $CRITEST_HOST_PORTS; do
		if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
			echo "# warning: host port $port is in use: critest's port-mapping specs will fail" >&3
		fi
	done
}

# critest_start_registry DIR: a docker-registry on 127.0.0.1:$REG_PORT (a
# free port), storage in DIR/registry, log DIR/registry.log, pid in
# DIR/registry.pid.
critest_start_registry() {
	local dir=$1
	REG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	export REG_PORT
	cat >"$dir/registry.yml" <<-EOF
		version: 0.1
		log:
		  level: info
		storage:
		  filesystem:
		    rootdirectory: $dir/registry
		http:
		  addr: 127.0.0.1:$REG_PORT
	EOF
	docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
	echo $! >"$dir/registry.pid"
	retry 100 0.1 curl -fsS "http://127.0.0.1:$REG_PORT/v2/" >/dev/null ||
		fail "the registry does not answer: $(tail -3 "$dir/registry.log")"
}

critest_stop_registry() { # DIR
	local pid
	pid=$(cat "$1/registry.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null && echo "registry $pid stopped"
	rm -f "$1/registry.pid"
}

# critest_push_images OUT: every image critest pulls, built (cached) and
# pushed into the registry; their names and digests in OUT/images.txt.
# The registry hosts to mirror to it: `critest-images.sh --hosts`.
critest_push_images() {
	"$REPO_ROOT/tests/fixtures/critest-images.sh" "127.0.0.1:$REG_PORT" >"$1/images.txt" ||
		fail "the critest images could not be built or pushed"
}

# critest's host-IPC specs make a host shm segment with ipcmk and leave it:
# DIR/bin/ipcmk records its id in DIR/ipcmk.ids for critest_remove_shm.
critest_write_ipcmk_wrapper() {
	local dir=$1
	mkdir -p "$dir/bin"
	cat >"$dir/bin/ipcmk" <<-EOF
		#!/bin/sh
		out=\$($(command -v ipcmk) "\$@"); rc=\$?
		echo "\$out"
		echo "\$out" | sed -n 's/^Shared memory id: //p' >>"$dir/ipcmk.ids"
		exit \$rc
	EOF
	chmod 755 "$dir/bin/ipcmk"
}

critest_remove_shm() { # DIR
	local id
	[ -f "$1/ipcmk.ids" ] || return 0
	while read -r id; do
		ipcrm -m "$id" && echo "shm segment $id removed"
	done <"$1/ipcmk.ids"
	rm -f "$1/ipcmk.ids"
}

# critest_run ENDPOINT DIR OUT: the conformance specs against ENDPOINT
# (unix:///PATH, runtime and image service), bounded to 8 minutes, with the
# known failures skipped.  OUT gets critest.log, report.json, results.tsv
# (state TAB spec) and summary.txt (counts, then each failure's first line),
# also printed (on fd 3 too).  Returns 0 when every spec run passed.
#   CRITEST_FOCUS  a ginkgo regexp: only these specs
#   CRITEST_SEED   the spec order (default 1: the same for every runtime)
critest_run() {
	local endpoint=$1 dir=$2 out=$3 skip rc=0 start=$SECONDS
	skip=$(printf '%s|' "${CRITEST_SKIP_SPECS[@]}")
	local args=(-runtime-endpoint "$endpoint" -image-endpoint "$endpoint"
		-ginkgo.v -ginkgo.no-color -ginkgo.seed "${CRITEST_SEED:-1}" -ginkgo.timeout 7m
		-ginkgo.skip "${skip%|}" -ginkgo.json-report "$out/report.json")
	[ -z "${CRITEST_FOCUS:-}" ] || args+=(-ginkgo.focus "$CRITEST_FOCUS")
	mkdir -p "$dir/tmp" "$dir/bin"
	rm -f "$out/report.json"
	(cd "$dir/tmp" && PATH=$dir/bin:$PATH TMPDIR=$dir/tmp timeout -k 10 480 "$CRITEST" "${args[@]}") \
		>"$out/critest.log" 2>&1 || rc=$?
	echo "# critest exited $rc after $((SECONDS - start)) s (log: $out/critest.log)" >&3
	[ -s "$out/report.json" ] || fail "critest wrote no report: $(tail -20 "$out/critest.log")"
	critest_summarize "$out"
	sed 's/^/# /' "$out/summary.txt" >&3
	cat "$out/summary.txt"
	# every spec critest ran passed, and it ran some
	grep -qE '^[0-9]+ specs: [1-9][0-9]* passed, 0 failed, [0-9]+ skipped, 0 other$' "$out/summary.txt" &&
		[ "$rc" -eq 0 ]
}

critest_summarize() { # OUT: report.json -> results.tsv, summary.txt
	python3 - "$1/report.json" "$1/results.tsv" "$1/summary.txt" <<-'PY'
		import json, sys
		rows, fails = [], []
		for suite in json.load(open(sys.argv[1])):
		    for s in suite.get("SpecReports") or []:
		        msg = ((s.get("Failure") or {}).get("Message") or "").strip().splitlines()
		        msg = msg[0] if msg else ""
		        if s.get("LeafNodeType") != "It":
		            if s.get("State") not in ("passed", "skipped"):
		                fails.append((s.get("LeafNodeType"), msg))
		            continue
		        name = " ".join((s.get("ContainerHierarchyTexts") or []) + [s.get("LeafNodeText", "")])
		        rows.append((s["State"], name))
		        if s["State"] not in ("passed", "skipped"):
		            fails.append((name, msg))
		with open(sys.argv[2], "w") as f:
		    for state, name in sorted(rows, key=lambda r: r[1]):
		        f.write(f"{state}\t{name}\n")
		count = lambda st: sum(1 for r in rows if r[0] == st)
		other = len(rows) - count("passed") - count("failed") - count("skipped")
		with open(sys.argv[3], "w") as f:
		    f.write(f"{len(rows)} specs: {count('passed')} passed, {count('failed')} failed, "
		            f"{count('skipped')} skipped, {other} other\n")
		    for name, msg in sorted(fails):
		        f.write(f"FAIL {name} :: {msg}\n")
	PY
}

# ---- the host side of a run, whichever CRI serves it: $CTD is the run's
# scratch dir, $BRIDGE and $NETNAME its pod network ----

# What is on the host before the run, so that the teardown removes only
# what this run made.
record_host_state() {
	iptables-save -t nat >"$CTD/nat-before.txt" 2>/dev/null
	ls -d /sys/fs/cgroup/*/k8s.io >"$CTD/k8s-cgroups-before.txt" 2>/dev/null || true
	local d
	for d in /var/lib/cni/results /var/lib/cni /run/containerd/s /run/containerd; do
		[ -d "$d" ] && echo "$d"
	done >"$CTD/dirs-before.txt"
	critest_warn_busy_ports
}

# A /24 under 10.234/16 that nothing routes yet; its .1 is the bridge's.
pick_subnet() {
	local n
	for n in $(seq $(($$ % 200)) 254) $(seq 0 $(($$ % 200))); do
		ip route show | grep -q "^10\.234\.$n\." && continue
		export SUBNET=10.234.$n.0/24 GATEWAY=10.234.$n.1
		return 0
	done
	fail "no free subnet under 10.234.0.0/16"
}

write_cni() {
	cat >"$CTD/cni/10-critest.conflist" <<-EOF
		{
		  "cniVersion": "0.4.0",
		  "name": "$NETNAME",
		  "plugins": [
		    {
		      "type": "bridge",
		      "bridge": "$BRIDGE",
		      "isGateway": false,
		      "ipMasq": false,
		      "ipam": {
		        "type": "host-local",
		        "ranges": [[{"subnet": "$SUBNET", "gateway": "$GATEWAY"}]],
		        "routes": [{"dst": "0.0.0.0/0"}],
		        "dataDir": "$CTD/cni-ipam"
		      }
		    },
		    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
		  ]
		}
	EOF
	if ! ip link add "$BRIDGE" type bridge || ! ip addr add "$GATEWAY/24" dev "$BRIDGE" ||
		! ip link set "$BRIDGE" up; then
		fail "could not make the bridge $BRIDGE"
	fi
}

# libcni's result cache: this run's network, and containerd's loopback
# network for this run's sandboxes.
remove_cni_results() {
	local f id
	for f in /var/lib/cni/results/"$NETNAME"-*; do
		[ -e "$f" ] && rm -f "$f" && echo "removed $f"
	done
	while read -r id; do
		for f in /var/lib/cni/results/cni-loopback-"$id"-*; do
			[ -e "$f" ] && rm -f "$f" && echo "removed $f"
		done
	done <"$1"
	for f in /var/lib/cni/results /var/lib/cni; do
		grep -qx "$f" "$CTD/dirs-before.txt" || rmdir "$f" 2>/dev/null
	done
}

# portmap makes CNI-HOSTPORT-* chains (shared by every CNI user of the host)
# and jumps to them: removed when this run made them and nobody's port
# mapping (a CNI-DN-* chain, a rule in CNI-HOSTPORT-DNAT) is left.
remove_portmap_chains() {
	local chain jump made=
	for chain in CNI-HOSTPORT-DNAT CNI-HOSTPORT-SETMARK CNI-HOSTPORT-MASQ; do
		grep -q "^:$chain " "$CTD/nat-before.txt" && continue
		iptables -t nat -S "$chain" >/dev/null 2>&1 && made="$made $chain"
	done
	[ -n "$made" ] || return 0
	if iptables-save -t nat | grep -qE '^:CNI-DN-|^-A CNI-HOSTPORT-DNAT '; then
		echo "port mappings left in the nat table: chains$made kept"
		return 0
	fi
	for chain in $made; do
		iptables-save -t nat | grep -E "^-A [A-Z]+ .*-j $chain\$" | while read -r jump; do
			# shellcheck disable=SC2086
			eval iptables -t nat -D ${jump#-A } && echo "removed nat rule: $jump"
		done
		iptables -t nat -F "$chain" && iptables -t nat -X "$chain" && echo "removed nat chain $chain"
	done
}
