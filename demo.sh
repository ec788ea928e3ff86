#!/bin/bash
# husk demo on a fresh Debian 12 machine (as root): installs the build
# dependencies, builds husk, and runs a busybox container that prints its
# hostname, its pid 1 and its mounts.  Leaves nothing behind.
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
state=$work/state
id=husk-demo-$$
cleanup() {
	"$HUSK" --root "$state" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== making a busybox bundle in $work/bundle"
tests/fixtures/make-rootfs.sh "$work/bundle/rootfs"
cd "$work/bundle"
"$HUSK" spec
jq '.process.terminal = false
	| .hostname = "husk-demo"
	| .process.args = ["/bin/sh", "-c",
		"echo \"hostname: $(hostname)\"; echo \"pid 1:    $(cat /proc/1/comm) (I am pid $$)\"; echo mounts:; cat /proc/self/mounts"]' \
	config.json >config.json.new && mv config.json.new config.json

echo "== husk run $id"
"$HUSK" --root "$state" run "$id"
echo "== exit status $?"
