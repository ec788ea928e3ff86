#!/bin/bash
# husk demo on a fresh Debian 12 machine (as root): installs the build
# dependencies, builds husk, starts huskd, applies a Kubernetes Pod of two
# containers that share the pod's network and an emptyDir volume, with
# probes (docs/examples/web-pod.yaml), prints its status and probe results,
# then stops and deletes it.  Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")"
REPO=$PWD

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (containers need namespaces and cgroups)" >&2
	exit 1
fi

BUILD=${BUILD:-build}
if [ -z "${SKIP_INSTALL:-}" ]; then
	echo "== installing dependencies (.ci/install-deps)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2046
	apt-get install -y -qq --no-install-recommends $(grep -v '^#' .ci/install-deps | grep -v '^$') >/dev/null
fi

echo "== building (meson + ninja in $BUILD/)"
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" >/dev/null
HUSK=$REPO/$BUILD/runtime/cli/husk

work=$(mktemp -d /tmp/husk-demo.XXXXXX)
sock=$work/huskd.sock
huskd_pid=
bridge=huskdemo0
cleanup() {
	if [ -n "$huskd_pid" ]; then
		"$REPO/$BUILD/sandbox/huskctl/huskctl" --socket "$sock" delete pod web >/dev/null 2>&1 || true
		kill "$huskd_pid" 2>/dev/null || true
		wait "$huskd_pid" 2>/dev/null || true
	fi
	# the pod network's bridge is the demo's own: nothing stays on the host
	ip link del "$bridge" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== making a busybox rootfs (the pod's image) in $work/rootfs"
tests/fixtures/make-rootfs.sh "$work/rootfs" >/dev/null

echo "== starting huskd on $sock"
"$BUILD/sandbox/huskd/huskd" --socket "$sock" --state-dir "$work/huskd" \
	--pod-root "$work/pods" --runtime "$HUSK" --runtime-root "$work/runtime" \
	--image-store "$work/images" --pod-bridge "$bridge" >"$work/huskd.log" 2>&1 &
huskd_pid=$!
export HUSK_SOCKET=$sock
ctl() { "$REPO/$BUILD/sandbox/huskctl/huskctl" "$@"; }
for _ in $(seq 50); do ctl version >/dev/null 2>&1 && break; sleep 0.1; done

echo "== huskctl apply -f docs/examples/web-pod.yaml"
sed "s|@ROOTFS@|$work/rootfs|" docs/examples/web-pod.yaml | ctl apply -f -
for _ in $(seq 100); do
	ctl get pod web | grep -q '2/2 *Running' && break
	sleep 0.2
done

echo "== huskctl get pods -o wide"
ctl get pods -o wide
echo "== huskctl probe web"
ctl probe web
echo "== huskctl logs web -c client (the client reads the server over the pod's loopback and the shared volume)"
sleep 1
ctl logs web -c client | tail -2
echo "== huskctl exec web -c client -- hostname"
ctl exec web -c client -- hostname
echo "== huskctl describe pod web"
ctl describe pod web
echo "== huskctl delete pod web"
ctl delete pod web
ctl get pods
