# Sourced by tests/vm/systemd-guest.sh inside the systemd guest: podman
# with its systemd cgroup manager and Docker with
# native.cgroupdriver=systemd, both with $HUSK as their runtime and private
# dirs of their own.  Every step is bounded (timeout); the section gives up
# when $tools_budget seconds are spent.  Needs $b/rootfs (a busybox tree)
# and say/check.
tools_budget=${VM_TOOLS_BUDGET:-120}
tools_t0=$SECONDS
in_budget() { [ $((SECONDS - tools_t0)) -lt "$tools_budget" ]; }

guest_podman() {
	local pm=/tmp/vm-podman id
	command -v podman >/dev/null || { say "skip podman: not installed"; return; }
	mkdir -p $pm
	P() { timeout 60 podman --root $pm/root --runroot $pm/run --tmpdir $pm/tmp --events-backend file \
		--storage-driver vfs \
		--cgroup-manager systemd --runtime "$HUSK" "$@"; }
	tar -C "$b/rootfs" -c . | P import - localhost/vm-bb >$pm/import.log 2>&1 ||
		say "# podman import: $(tr '\n' ' ' <$pm/import.log)"
	out=$(P run --rm --network none localhost/vm-bb echo hi 2>&1)
	check "podman: run --rm (systemd cgroup manager)" test "$out" = hi || say "# podman run: $out"
	id=$(P run -d --network none --memory 64m --name p1 localhost/vm-bb sleep 600 2>$pm/run.err)
	check "podman: run -d --memory 64m" test -n "$id" || say "# podman run -d: $(tr '\n' ' ' <$pm/run.err)"
	check "podman: the container is libpod-<id>.scope in machine.slice" \
		test "$(systemctl show -P Slice "libpod-$id.scope")" = machine.slice
	check "podman: MemoryMax of the scope is 64m" test "$(systemctl show -P MemoryMax "libpod-$id.scope")" = 67108864
	check "podman: exec" test "$(P exec p1 echo in 2>&1)" = in
	check "podman: stop" P stop -t 1 p1
	check "podman: rm" P rm p1
	check "podman: no unit left" no_unit "libpod-$id.scope"
	P rm -fa >/dev/null 2>&1
}

guest_docker() {
	local dk=/tmp/vm-docker id sock pid
	command -v dockerd >/dev/null || { say "skip docker: not installed"; return; }
	mkdir -p $dk
	sock=unix://$dk/docker.sock
	# vfs: overlay cannot stack on the guest's overlay root; no AppArmor
	# profile either (the guest kernel has the LSM, the machine no parser)
	dockerd --storage-driver vfs --data-root $dk/data --exec-root $dk/exec --pidfile $dk/docker.pid -H "$sock" \
		--bridge=none --iptables=false --ip6tables=false --ip-masq=false \
		--exec-opt native.cgroupdriver=systemd --add-runtime husk="$HUSK" --default-runtime husk \
		>$dk/dockerd.log 2>&1 &
	pid=$!
	D() { timeout 60 docker -H "$sock" "$@"; }
	DR() { D run --security-opt apparmor=unconfined --network none "$@"; }
	for _ in $(seq 120); do D version >/dev/null 2>&1 && break; sleep 0.5; done
	if ! check "docker: dockerd (native.cgroupdriver=systemd) answers" D version; then
		say "# dockerd: $(tail -n 3 $dk/dockerd.log | tr '\n' ' ')"
		kill $pid; wait $pid
		return
	fi
	tar -C "$b/rootfs" -c . | D import - vm-bb >$dk/import.log 2>&1 ||
		say "# docker import: $(tr '\n' ' ' <$dk/import.log)"
	out=$(DR --rm vm-bb echo hi 2>&1)
	check "docker: run --rm" test "$out" = hi || say "# docker run: $out"
	id=$(DR -d --memory 64m --name d1 vm-bb sleep 600 2>$dk/run.err)
	check "docker: run -d --memory 64m" test -n "$id" || say "# docker run -d: $(tr '\n' ' ' <$dk/run.err)"
	say "# docker: $(D inspect -f '{{.State.Status}} {{.State.Error}} cgroup={{.HostConfig.CgroupParent}}' d1 2>&1) units: $(systemctl list-units --all --no-legend 'docker-*' | tr '\n' ' ')"
	check "docker: the container is docker-<id>.scope in system.slice" \
		test "$(systemctl show -P Slice "docker-$id.scope")" = system.slice
	check "docker: MemoryMax of the scope is 64m" test "$(systemctl show -P MemoryMax "docker-$id.scope")" = 67108864
	check "docker: update --pids-limit 50" D update --pids-limit 50 d1
	check "docker: TasksMax follows" test "$(systemctl show -P TasksMax "docker-$id.scope")" = 50
	check "docker: rm -f" D rm -f d1
	check "docker: no unit left" no_unit "docker-$id.scope"
	kill $pid
	timeout 30 tail --pid=$pid -f /dev/null
}

t=$SECONDS
guest_podman
say "# podman: $((SECONDS - t)) s"
t=$SECONDS
if in_budget; then guest_docker; else say "skip docker: the tools budget (${tools_budget}s) is spent"; fi
say "# docker: $((SECONDS - t)) s"
