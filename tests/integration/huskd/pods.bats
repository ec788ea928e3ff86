#!/usr/bin/env bats
# Real pods through huskd: phases per restartPolicy, init containers,
# restarts with back-off, probes, grace periods, logs, exec, deletion and
# recovery after SIGKILL.  Asserted through the API as a client sees it.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers

setup() { setup_huskd; }
teardown() { teardown_huskd; }

@test "a pod runs: Running, ready, containerID, events Scheduled..Started" {
	create_pod web <<<'{"containers":[{"name":"main","image":"@ROOTFS@","command":["sh","-c","echo hello; sleep 100"]}]}'
	[ "$(jq -r .status.phase <<<"$output")" = Pending ]
	wait_for 20 phase_is web Running
	[ "$(pod_field web '.status.containerStatuses[0].ready')" = true ]
	[[ "$(pod_field web '.status.containerStatuses[0].containerID')" == husk://* ]]
	[ "$(pod_field web '[.status.conditions[] | select(.type=="Ready")][0].status')" = True ]
	api GET '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb'
	run jq -r '[.items[].reason] | join(",")' <<<"$output"
	[[ "$output" == *Scheduled*Pulled*Created*Started* ]]
	ctl get pods
	[[ "${lines[0]}" == "NAME"*"READY"*"STATUS"*"RESTARTS"*"AGE" ]]
	[[ "${lines[1]}" == "web"*"1/1"*"Running"*"0"* ]]
}

@test "restartPolicy Never: exit 0 is Succeeded, exit 3 is Failed" {
	create_pod ok <<<'{"restartPolicy":"Never","containers":[{"name":"c","image":"@ROOTFS@","command":["true"]}]}'
	create_pod bad <<<'{"restartPolicy":"Never","containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","exit 3"]}]}'
	wait_for 20 phase_is ok Succeeded
	wait_for 20 phase_is bad Failed
	[ "$(pod_field bad '.status.containerStatuses[0].state.terminated.exitCode')" = 3 ]
	[ "$(pod_field bad '.status.containerStatuses[0].state.terminated.reason')" = Error ]
	[ "$(pod_field ok '.status.containerStatuses[0].state.terminated.reason')" = Completed ]
	[ "$(pod_field bad '.status.containerStatuses[0].restartCount')" = 0 ]
}

@test "restartPolicy OnFailure: exit 0 is Succeeded, a failure restarts" {
	create_pod ok <<<'{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"@ROOTFS@","command":["true"]}]}'
	create_pod bad <<<'{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","exit 1"]}]}'
	wait_for 20 phase_is ok Succeeded
	wait_for 20 bash -c "[ \$(curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/bad | jq .status.containerStatuses[0].restartCount) -ge 1 ]"
	[ "$(pod_field bad .status.phase)" = Running ]
}

@test "restartPolicy Always: a crashing container backs off (CrashLoopBackOff, 10s)" {
	create_pod crash <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","echo boom; exit 2"]}]}'
	wait_for 20 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/crash | jq -e '.status.containerStatuses[0].state.waiting.reason == \"CrashLoopBackOff\"'"
	[ "$(pod_field crash .status.phase)" = Running ]
	[ "$(pod_field crash '.status.containerStatuses[0].lastState.terminated.exitCode')" = 2 ]
	local n
	n=$(pod_field crash '.status.containerStatuses[0].restartCount')
	sleep 3
	# back-off: no restart within 3 s of the previous one
	[ "$(pod_field crash '.status.containerStatuses[0].restartCount')" -le $((n + 1)) ]
	[[ "$(pod_field crash '.status.containerStatuses[0].state.waiting.message // ""')" == back-off* ]] ||
		[ "$(pod_field crash '.status.containerStatuses[0].restartCount')" -gt "$n" ]
	ctl get pods
	[[ "${lines[1]}" == crash*0/1*CrashLoopBackOff* ]]
}

@test "init containers run in order before the containers" {
	create_pod init <<<'{"initContainers":[{"name":"one","image":"@ROOTFS@","command":["sh","-c","echo one"]},{"name":"two","image":"@ROOTFS@","command":["sh","-c","echo two"]}],"containers":[{"name":"main","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 30 phase_is init Running
	[ "$(pod_field init '[.status.initContainerStatuses[].state.terminated.reason] | join(",")')" = Completed,Completed ]
	local t1 t2 t3
	t1=$(pod_field init '.status.initContainerStatuses[0].state.terminated.finishedAt')
	t2=$(pod_field init '.status.initContainerStatuses[1].state.terminated.startedAt')
	[[ ! "$t2" < "$t1" ]]
	ctl logs init -c two
	[ "$output" = two ]
}

@test "a failing init container holds the pod in Pending (Init:Error), Never makes it Failed" {
	create_pod stuck <<<'{"initContainers":[{"name":"bad","image":"@ROOTFS@","command":["sh","-c","exit 1"]}],"containers":[{"name":"main","image":"@ROOTFS@","command":["sleep","100"]}]}'
	create_pod dead <<<'{"restartPolicy":"Never","initContainers":[{"name":"bad","image":"@ROOTFS@","command":["sh","-c","exit 1"]}],"containers":[{"name":"main","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 20 phase_is dead Failed
	wait_for 20 bash -c "HUSK_SOCKET=$SOCK $HUSKCTL_BIN get pods | grep -E '^stuck .*Init:(Error|CrashLoopBackOff)'"
	[ "$(pod_field stuck .status.phase)" = Pending ]
	[ "$(pod_field stuck '.status.containerStatuses[0].state.waiting.reason')" = PodInitializing ]
}

@test "a liveness failure restarts the container and counts it; an Unhealthy event says why" {
	create_pod live <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","touch /tmp/ok; sleep 2; rm /tmp/ok; sleep 100"],"livenessProbe":{"exec":{"command":["cat","/tmp/ok"]},"periodSeconds":1,"failureThreshold":2}}]}'
	wait_for 40 bash -c "[ \$(curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/live | jq .status.containerStatuses[0].restartCount) -ge 1 ]"
	api GET '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dlive'
	run jq -r '.items[] | select(.reason == "Unhealthy") | .message' <<<"$output"
	[[ "$output" == "Liveness probe failed: "*"No such file"* ]]
	api GET '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dlive'
	run jq -r '.items[] | select(.reason == "Killing") | .message' <<<"$output"
	[[ "$output" == *"failed liveness probe"* ]]
}

@test "readiness flips Ready and back" {
	create_pod ready <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"],"readinessProbe":{"exec":{"command":["cat","/tmp/ready"]},"periodSeconds":1,"failureThreshold":1}}]}'
	wait_for 20 phase_is ready Running
	sleep 2
	[ "$(pod_field ready '.status.containerStatuses[0].ready')" = false ]
	ctl exec ready -- touch /tmp/ready
	[ "$status" -eq 0 ]
	wait_for 10 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/ready | jq -e '.status.containerStatuses[0].ready'"
	[ "$(pod_field ready '[.status.conditions[] | select(.type=="Ready")][0].status')" = True ]
	ctl exec ready -- rm /tmp/ready
	wait_for 10 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/ready | jq -e '.status.containerStatuses[0].ready == false'"
	[ "$(pod_field ready '.status.containerStatuses[0].restartCount')" = 0 ]
}

@test "a startup probe holds back liveness until it succeeds" {
	create_pod slow <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","sleep 4; touch /tmp/up; sleep 100"],"startupProbe":{"exec":{"command":["cat","/tmp/up"]},"periodSeconds":1,"failureThreshold":20},"livenessProbe":{"exec":{"command":["cat","/tmp/up"]},"periodSeconds":1,"failureThreshold":1}}]}'
	wait_for 20 phase_is slow Running
	[ "$(pod_field slow '.status.containerStatuses[0].started')" = false ]
	wait_for 20 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/slow | jq -e '.status.containerStatuses[0].started'"
	[ "$(pod_field slow '.status.containerStatuses[0].restartCount')" = 0 ]
}

@test "tcp probes run inside the pod's network namespace" {
	create_pod net <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","while true; do printf \"HTTP/1.0 200 OK\\r\\n\\r\\nok\" | nc -l -p 8080; done"],"readinessProbe":{"tcpSocket":{"port":8080},"periodSeconds":1}}]}'
	wait_for 20 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/net | jq -e '.status.containerStatuses[0].ready'"
	ctl probe net
	[ "$status" -eq 0 ]
	[[ "$output" == *readinessProbe*Success* ]]
	# nothing listens on 8080 on the host: the probe really ran in the pod
	run curl -s -m 1 http://127.0.0.1:8080/
	[ "$status" -ne 0 ]
}

# unhealthy_events NAME: the messages of the pod's Unhealthy events.
unhealthy_events() {
	api GET "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D$1"
	jq -r '.items[] | select(.reason == "Unhealthy") | .message' <<<"$output"
}

@test "httpGet probes: path, httpHeaders and kubelet's User-Agent reach the server in the pod; a 404 fails" {
	create_pod http <<<'{"containers":[
		{"name":"web","image":"@ROOTFS@","command":["sh","-c","mkdir -p /www && echo ok >/www/healthz && exec httpd -f -p 8080 -h /www"],"readinessProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":1}},
		{"name":"cap","image":"@ROOTFS@","command":["sh","-c","while true; do printf \"HTTP/1.0 204 No Content\\r\\n\\r\\n\" | nc -l -p 8081 >>/tmp/req; done"],"readinessProbe":{"httpGet":{"path":"/probe?x=1","port":8081,"httpHeaders":[{"name":"X-Probe","value":"husk"}]},"periodSeconds":1}},
		{"name":"missing","image":"@ROOTFS@","command":["sh","-c","mkdir -p /www && exec httpd -f -p 8082 -h /www"],"readinessProbe":{"httpGet":{"path":"/nope","port":8082},"periodSeconds":1}}]}'
	wait_for 20 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/http | jq -e '[.status.containerStatuses[] | select(.ready)] | length == 2'"
	[ "$(pod_field http '.status.containerStatuses[] | select(.name=="missing") | .ready')" = false ]
	ctl exec http -c cap -- cat /tmp/req
	[ "$status" -eq 0 ]
	[[ "$output" == *"GET /probe?x=1 HTTP/1.1"* ]]
	[[ "$output" == *"X-Probe: husk"* ]]
	[[ "$output" == *"User-Agent: kube-probe/"* ]]
	run unhealthy_events http
	[[ "$output" == *"Readiness probe failed: HTTP probe failed with statuscode: 404"* ]]
}

@test "httpGet scheme HTTPS: TLS, the certificate not verified, no proxy from huskd's environment, as kubelet" {
	command -v openssl >/dev/null || skip "needs openssl"
	# a proxy that refuses every connection, in huskd's environment
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
		ALL_PROXY=http://127.0.0.1:9 start_huskd "${HUSKD_ARGS[@]}"
	create_pod tls <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","sleep 1000; : tls-probe-marker"],"readinessProbe":{"httpGet":{"path":"/","port":8443,"scheme":"HTTPS"},"periodSeconds":1}}]}'
	wait_for 20 phase_is tls Running
	local pid d=$BATS_TEST_TMPDIR
	pid=$(pgrep -f tls-probe-marker | head -1)
	[ -n "$pid" ]
	[ "$(pod_field tls '.status.containerStatuses[0].ready')" = false ]
	# a self-signed server in the pod's network namespace
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=husk-probe -days 1 \
		-keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
	timeout 60 nsenter -t "$pid" -n openssl s_server -accept 8443 -www -quiet \
		-cert "$d/cert.pem" -key "$d/key.pem" >"$d/s_server.log" 2>&1 3>&- &
	local server=$!
	local ready=0
	wait_for 20 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/tls | jq -e '.status.containerStatuses[0].ready'" ||
		ready=$?
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null || true
	[ "$ready" -eq 0 ] || fail "not ready with a TLS server: $(cat "$d/s_server.log")"
}

@test "grpc probes (grpc.health.v1 over h2c) drive readiness from inside the pod's network namespace" {
	create_pod grpc <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["grpc-health","9090","/tmp/health"],"readinessProbe":{"grpc":{"port":9090},"periodSeconds":1,"failureThreshold":1}}]}'
	wait_for 20 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/grpc | jq -e '.status.containerStatuses[0].ready'"
	ctl probe grpc
	[ "$status" -eq 0 ]
	[[ "$output" == *readinessProbe*Success* ]]
	# the server answers NOT_SERVING: not ready, and the event says what it answered
	ctl exec grpc -- sh -c 'echo NOT_SERVING >/tmp/health'
	[ "$status" -eq 0 ]
	wait_for 10 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/grpc | jq -e '.status.containerStatuses[0].ready == false'"
	[ "$(pod_field grpc '[.status.conditions[] | select(.type=="Ready")][0].status')" = False ]
	run unhealthy_events grpc
	[[ "$output" == *'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")'* ]]
	ctl exec grpc -- rm /tmp/health
	wait_for 10 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/grpc | jq -e '.status.containerStatuses[0].ready'"
	# the calls reached the server in the pod (its log), nothing listens on the host
	ctl logs grpc
	[[ "$output" == *'check service="": NOT_SERVING'* ]]
	[[ "$output" == *'check service="": SERVING'* ]]
	run curl -s -m 1 http://127.0.0.1:9090/
	[ "$status" -ne 0 ]
	[ "$(pod_field grpc '.status.containerStatuses[0].restartCount')" = 0 ]
}

@test "grpc liveness: an unknown service restarts the container; a slow answer or no server fail with kubelet's words" {
	create_pod grpcl <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["grpc-health","9090","/tmp/health"],"ports":[{"name":"health","containerPort":9090}],"livenessProbe":{"grpc":{"port":9090,"service":"nosuch"},"periodSeconds":1,"failureThreshold":2}},{"name":"slow","image":"@ROOTFS@","command":["sh","-c","echo SLOW >/tmp/slow; exec grpc-health 9091 /tmp/slow"],"readinessProbe":{"grpc":{"port":9091},"periodSeconds":2,"timeoutSeconds":1}},{"name":"none","image":"@ROOTFS@","command":["sleep","100"],"readinessProbe":{"grpc":{"port":9099},"periodSeconds":1}}]}'
	wait_for 40 bash -c "[ \$(curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/grpcl | jq '.status.containerStatuses[] | select(.name==\"c\") | .restartCount') -ge 1 ]"
	run unhealthy_events grpcl
	[[ "$output" == *'Liveness probe failed: error: health rpc probe failed: rpc error: code = NotFound desc = unknown service'* ]]
	[[ "$output" == *'Readiness probe failed: timeout: health rpc did not complete within 1s'* ]]
	[[ "$output" == *'Readiness probe failed: timeout: failed to connect service "127.0.0.1:9099" within 1s'* ]]
	[ "$(pod_field grpcl '.status.containerStatuses[] | select(.name=="slow") | .ready')" = false ]
	[ "$(pod_field grpcl '.status.containerStatuses[] | select(.name=="none") | .restartCount')" = 0 ]
}

@test "a probe with no handler, two handlers or a bad grpc port is refused (422 naming the field)" {
	json=$(pod_json bad <<<'{"containers":[{"name":"c","image":"@ROOTFS@","livenessProbe":{"grpc":{"port":0}},"startupProbe":{"tcpSocket":{"port":80},"grpc":{"port":80}},"readinessProbe":{"periodSeconds":1}}]}')
	api POST /api/v1/namespaces/default/pods -H 'Content-Type: application/json' -d "$json"
	[ "$status" -eq 422 ]
	run jq -r '.details.causes[] | "\(.field): \(.message)"' <<<"$output"
	[[ "$output" == *"spec.containers[0].livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive"* ]]
	[[ "$output" == *"spec.containers[0].startupProbe.grpc: Forbidden: may not specify more than 1 handler type"* ]]
	[[ "$output" == *"spec.containers[0].readinessProbe: Required value: must specify a handler type"* ]]
	api GET /api/v1/namespaces/default/pods/bad
	[ "$status" -eq 404 ]
}

@test "logs: tail, timestamps, follow" {
	create_pod talk <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","echo one; echo two >&2; echo three; sleep 100"]}]}'
	wait_for 20 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/talk/log | grep -q three"
	ctl logs talk
	# stdout and stderr are separate pipes: their relative order is not kept
	[ "$(sort <<<"$output" | tr '\n' ,)" = "one,three,two," ]
	local last=${lines[-1]}
	ctl logs talk --tail 1
	[ "$output" = "$last" ]
	ctl logs talk --timestamps --tail 1
	[[ "$output" =~ ^20[0-9-]+T[0-9:.]+Z\ $last$ ]]
	run timeout 2 env HUSK_SOCKET="$SOCK" "$HUSKCTL_BIN" logs -f talk
	[ "$status" -eq 124 ]
	[[ "$output" == *three* ]]
}

@test "exec: stdout, stderr and the exit code" {
	create_pod ex <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 20 phase_is ex Running
	ctl exec ex -- sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = out ]
	[[ "$stderr" == err* ]]
	api POST /husk/v1/namespaces/default/pods/ex/exec -d '{"command":["hostname"]}'
	[ "$status" -eq 200 ]
	[ "$(jq -r .exitCode <<<"$output")" = 0 ]
}

@test "a process that ignores SIGTERM is killed after the grace period; delete leaves nothing" {
	create_pod stubborn <<<'{"terminationGracePeriodSeconds":2,"containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","trap \"\" TERM; while true; do sleep 1; done"]}]}'
	wait_for 20 phase_is stubborn Running
	local start=$SECONDS
	ctl delete pod stubborn
	[ "$status" -eq 0 ]
	[ "$output" = 'pod "stubborn" deleted' ]
	[ $((SECONDS - start)) -ge 2 ]
	[ $((SECONDS - start)) -lt 20 ]
	api GET /api/v1/namespaces/default/pods/stubborn
	[ "$status" -eq 404 ]
	run -0 ls "$PODS"
	[ -z "$(grep -v lock <<<"$output")" ]
}

@test "huskd SIGKILLed while pods run and exit finds them again, truthfully" {
	create_pod keeps <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	create_pod ends <<<'{"restartPolicy":"Never","containers":[{"name":"c","image":"@ROOTFS@","command":["sh","-c","sleep 3; exit 5"]}]}'
	wait_for 20 phase_is keeps Running
	wait_for 20 phase_is ends Running
	local uid
	uid=$(pod_field keeps .metadata.uid)
	kill -9 "$HUSKD_PID"
	wait "$HUSKD_PID" 2>/dev/null || true
	sleep 4 # "ends" exits while no huskd runs
	start_huskd "${HUSKD_ARGS[@]}"
	wait_for 20 phase_is ends Failed
	[ "$(pod_field ends '.status.containerStatuses[0].state.terminated.exitCode')" = 5 ]
	[ "$(pod_field keeps .status.phase)" = Running ]
	[ "$(pod_field keeps .metadata.uid)" = "$uid" ]
	[ "$(pod_field keeps '.status.containerStatuses[0].restartCount')" = 0 ]
	# no pod duplicated: one sandbox per pod
	[ "$(ls "$PODS" | grep -vc lock)" -eq 2 ]
}

@test "PATCH: labels change; an image change restarts that container once; other spec changes are 422" {
	create_pod pat <<<'{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 20 phase_is pat Running
	api PATCH /api/v1/namespaces/default/pods/pat -H 'Content-Type: application/strategic-merge-patch+json' -d '{"metadata":{"labels":{"tier":"web"}}}'
	[ "$status" -eq 200 ]
	api GET '/api/v1/namespaces/default/pods?labelSelector=tier%3Dweb'
	[ "$(jq -r '.items[0].metadata.name' <<<"$output")" = pat ]
	api PATCH /api/v1/namespaces/default/pods/pat -H 'Content-Type: application/strategic-merge-patch+json' -d '{"spec":{"restartPolicy":"Never"}}'
	[ "$status" -eq 422 ]
	[[ "$(jq -r .message <<<"$output")" == 'Pod "pat" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`'* ]]
	api PATCH /api/v1/namespaces/default/pods/pat -H 'Content-Type: application/strategic-merge-patch+json' -d '{"spec":{"containers":[{"name":"c","image":"'"$POD_ROOTFS"'/"}]}}'
	[ "$status" -eq 200 ]
	[ "$(jq -r '.spec.containers[0].image' <<<"$output")" = "$POD_ROOTFS/" ]
	[ "$(jq -r '.metadata.generation' <<<"$output")" = 2 ]
	wait_for 20 bash -c "[ \$(curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/pat | jq .status.containerStatuses[0].restartCount) = 1 ]"
	sleep 3
	[ "$(pod_field pat '.status.containerStatuses[0].restartCount')" = 1 ]
	api GET '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dpat'
	[[ "$(jq -r '.items[] | select(.reason == "Killing") | .message' <<<"$output")" == *"definition changed"* ]]
	api PATCH /api/v1/namespaces/default/pods/pat -H 'Content-Type: application/strategic-merge-patch+json' -d '{"spec":{"containers":"x"}}'
	[ "$status" -eq 400 ]
}

@test "watch streams ADDED, MODIFIED and DELETED" {
	curl -sN --unix-socket "$SOCK" 'http://huskd/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=20' >"$BATS_TEST_TMPDIR/watch" &
	local w=$!
	sleep 0.5
	create_pod w <<<'{"restartPolicy":"Never","containers":[{"name":"c","image":"@ROOTFS@","command":["true"]}]}'
	wait_for 20 phase_is w Succeeded
	ctl delete pod w
	sleep 0.5
	kill "$w" 2>/dev/null || true
	wait "$w" 2>/dev/null || true
	run jq -r .type "$BATS_TEST_TMPDIR/watch"
	[ "${lines[0]}" = ADDED ]
	[[ "$output" == *MODIFIED* ]]
	[ "${lines[-1]}" = DELETED ]
}

@test "huskctl apply: created, unchanged, configured; exit codes" {
	cat >"$BATS_TEST_TMPDIR/pod.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: app
  labels:
    app: one
spec:
  containers:
  - name: c
    image: $POD_ROOTFS
    command: ["sleep", "100"]
    env:
    - name: HUSK_TEST_TOKEN
      value: "$TOKEN"
YAML
	ctl apply -f "$BATS_TEST_TMPDIR/pod.yaml"
	[ "$output" = "pod/app created" ]
	ctl apply -f "$BATS_TEST_TMPDIR/pod.yaml"
	[ "$output" = "pod/app unchanged" ]
	sed -i 's/app: one/app: two/' "$BATS_TEST_TMPDIR/pod.yaml"
	ctl apply -f "$BATS_TEST_TMPDIR/pod.yaml"
	[ "$output" = "pod/app configured" ]
	[ "$(pod_field app .metadata.labels.app)" = two ]
	ctl get pod nope
	[ "$status" -eq 1 ]
	[ "$stderr" = 'Error from server (NotFound): pods "nope" not found' ]
	ctl frobnicate
	[ "$status" -eq 2 ]
	ctl get pod app -o json
	[ "$(jq -r .kind <<<"$output")" = Pod ]
	ctl get pod app -o yaml
	[[ "$output" == *"kind: Pod"* ]]
}

@test "a pod's cgroup is placed by its QoS class, not by its namespace" {
	api POST /api/v1/namespaces -d '{"metadata":{"name":"team"}}'
	create_pod cg team <<<'{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"],"resources":{"limits":{"cpu":"100m","memory":"64Mi"}}}]}'
	wait_for 20 phase_is cg Running team
	uid=$(pod_field cg .metadata.uid team)
	[ -d "/sys/fs/cgroup/memory$CGPARENT/kubepods/pod$uid" ]
	[ "$(cat "/sys/fs/cgroup/memory$CGPARENT/kubepods/pod$uid/memory.limit_in_bytes")" -eq $((64 << 20)) ]
	api DELETE /api/v1/namespaces/team/pods/cg
	wait_for 20 bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' --unix-socket $SOCK http://huskd/api/v1/namespaces/team/pods/cg) = 404 ]"
	run find /sys/fs/cgroup -maxdepth 4 -type d -path "*$TOKEN/kubepods*"
	[ -z "$output" ]
}

@test "huskd removes the --cgroup-parent it created when it stops" {
	create_pod gone <<<'{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 20 phase_is gone Running
	run find /sys/fs/cgroup -maxdepth 2 -type d -name "${CGPARENT#/}"
	[ -n "$output" ]
	api DELETE /api/v1/namespaces/default/pods/gone
	wait_for 20 no_pods_left
	kill "$HUSKD_PID"
	wait "$HUSKD_PID" || true
	run find /sys/fs/cgroup -maxdepth 2 -type d -name "${CGPARENT#/}"
	[ -z "$output" ]
}

@test "huskctl stop keeps the pod and ends it Succeeded or Failed" {
	create_pod halt <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 20 phase_is halt Running
	ctl stop halt --grace-period 1
	[ "$status" -eq 0 ]
	[ "$output" = "pod/halt stopped" ]
	wait_for 20 bash -c "curl -s --unix-socket $SOCK http://huskd/api/v1/namespaces/default/pods/halt | jq -e '.status.phase == \"Failed\" or .status.phase == \"Succeeded\"'"
	[ "$(pod_field halt '.status.containerStatuses[0].state.terminated.exitCode')" = 137 ]
	sleep 2
	[ "$(pod_field halt '.status.containerStatuses[0].restartCount')" = 0 ]
}

@test "activeDeadlineSeconds ends the pod Failed with DeadlineExceeded" {
	create_pod late <<<'{"activeDeadlineSeconds":3,"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	wait_for 20 phase_is late Running
	wait_for 20 phase_is late Failed
	[ "$(pod_field late .status.reason)" = DeadlineExceeded ]
	[ "$(pod_field late '.status.containerStatuses[0].state.terminated.exitCode')" = 137 ]
}

@test "containers of a pod are stopped in parallel: one grace period in total" {
	create_pod pair <<<'{"terminationGracePeriodSeconds":3,"containers":[{"name":"a","image":"@ROOTFS@","command":["sh","-c","trap \"\" TERM; while true; do sleep 1; done"]},{"name":"b","image":"@ROOTFS@","command":["sh","-c","trap \"\" TERM; while true; do sleep 1; done"]}]}'
	wait_for 20 phase_is pair Running
	[ "$(pod_field pair .spec.nodeName)" = "$(hostname)" ]
	local start=$SECONDS
	ctl delete pod pair
	[ "$status" -eq 0 ]
	[ $((SECONDS - start)) -ge 3 ]
	[ $((SECONDS - start)) -lt 6 ]
}

@test "huskctl: one resource table for get -o name, apply, and -f only follows for logs" {
	cat >"$BATS_TEST_TMPDIR/logs" <<-'Y'
	apiVersion: v1
	kind: ResourceQuota
	metadata:
	  name: q
	spec:
	  hard:
	    pods: "3"
	Y
	cd "$BATS_TEST_TMPDIR"
	ctl apply -f logs
	[ "$status" -eq 0 ]
	[ "$output" = "resourcequota/q created" ]
	ctl get quota -o name
	[ "$output" = "resourcequota/q" ]
	ctl get ns default -o name
	[ "$output" = "namespace/default" ]
	ctl logs nope -f
	[ "$status" -eq 1 ]
	[[ "$output" == *nope* ]]
}
