load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load /tmp/wsfuncs.bash
setup() { setup_huskd; create_pod web <<<'{"containers":[{"name":"main","image":"@ROOTFS@","command":["sleep","1000"]}]}'; wait_for 30 phase_is web Running; }
teardown() { teardown_huskd; }
@test dbg {
  write_ws_client
  for w in fragments v4 unmasked v4 fragments; do
  run timeout 30 python3 "$BATS_TEST_TMPDIR/ws.py" "$SOCK" $w
  echo "$output" | tail -3 >&3
  done
  kill -0 $HUSKD_PID && echo alive >&3
}
