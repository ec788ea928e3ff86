# Finding and building the public conformance suites kept outside the repo
# (../shared/conformance: runtime-tools validation, cri-tools' crictl and
# critest; see its README).  A user's clone has no such folder: the suites
# then skip with a one-line reason.  In CI (CI=true) they must run, so a
# missing folder or a failed build is a failure there, never a skip.
#
#   HUSK_CONFORMANCE        the folder with build.sh (default ../shared/conformance)
#   HUSK_CONFORMANCE_BUILD  where it is built (default tests/.tmp/conformance; reused)

CONFORMANCE_SRC=${HUSK_CONFORMANCE:-$REPO_ROOT/../shared/conformance}
CONFORMANCE_BUILD=${HUSK_CONFORMANCE_BUILD:-$TESTS_TMP/conformance}

# conformance_build: builds the suites once (under a lock: bats files may run
# at once) and returns 0, or sets SKIP_REASON and returns 1 (outside CI), or
# fails (in CI).
conformance_build() {
	if [ ! -x "$CONFORMANCE_SRC/build.sh" ]; then
		if [ "${CI:-}" = true ]; then
			echo "conformance suites not found at $CONFORMANCE_SRC (required in CI)" >&2
			return 2
		fi
		export SKIP_REASON="conformance suites not found at $CONFORMANCE_SRC (set HUSK_CONFORMANCE)"
		return 1
	fi
	if ! command -v go >/dev/null; then
		if [ "${CI:-}" = true ]; then
			echo "go is missing: the conformance suites cannot be built (required in CI)" >&2
			return 2
		fi
		export SKIP_REASON="go is not installed (apt-get install golang-go)"
		return 1
	fi
	mkdir -p "$CONFORMANCE_BUILD"
	(
		flock 9
		"$CONFORMANCE_SRC/build.sh" "$CONFORMANCE_BUILD" >"$CONFORMANCE_BUILD/build.out" 2>&1
	) 9>"$CONFORMANCE_BUILD/.lock" || {
		cat "$CONFORMANCE_BUILD/build.out" >&2
		return 2
	}
	export RUNTIME_TOOLS=$CONFORMANCE_BUILD/runtime-tools
	export CRICTL=$CONFORMANCE_BUILD/cri-tools/bin/crictl
	export CRITEST=$CONFORMANCE_BUILD/cri-tools/bin/critest
}
