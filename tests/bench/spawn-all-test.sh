#!/bin/sh
# spawn-all's contract, as bench-lifecycle.sh relies on it (meson test):
# it returns only when every copy has exited, "{}" is each copy's index,
# and a failing copy or command is counted and shows in the exit status.
#   spawn-all-test.sh PATH/TO/spawn-all
set -u
SPAWN_ALL=$1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "spawn-all-test: $*" >&2; exit 1; }

out=$("$SPAWN_ALL" 3 sh -c "sleep 0.2; touch $dir/copy-{}") || fail "3 good copies: exit $?"
case $out in elapsed_ns=*" failed=0") ;; *) fail "3 good copies printed: $out" ;; esac
for i in 0 1 2; do [ -e "$dir/copy-$i" ] || fail "returned before copy $i exited"; done
ns=${out%% *}
[ "${ns#elapsed_ns=}" -ge 200000000 ] || fail "elapsed below the copies' 0.2 s: $out"

out=$("$SPAWN_ALL" 3 sh -c 'exit {}')
rc=$?
[ "$rc" -eq 1 ] || fail "copies exiting 1 and 2: exit $rc, not 1"
case $out in *" failed=2") ;; *) fail "copies exiting 1 and 2 printed: $out" ;; esac

"$SPAWN_ALL" 2 "$dir/no-such-command" 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "a command that cannot start: exit $rc, not 2"
"$SPAWN_ALL" 0 true 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "N=0: exit $rc, not 2"
exit 0
