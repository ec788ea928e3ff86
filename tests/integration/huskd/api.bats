#!/usr/bin/env bats
# The Kubernetes API surface of huskd over its unix socket: discovery,
# Status errors for hostile or malformed requests, namespaces, quotas,
# many clients at once.  The daemon must keep serving after each.

load ../helpers
load ../pod/pod_helpers
load huskd_helpers

setup() { setup_huskd; }
teardown() { teardown_huskd; }

@test "the socket is root-only" {
	run stat -c %a "$SOCK"
	[ "$output" = 600 ]
}

@test "discovery: /api, /apis, /api/v1, /version, /healthz" {
	api GET /api
	[ "$status" -eq 200 ]
	[ "$(jq -r '.versions[0]' <<<"$output")" = v1 ]
	api GET /apis
	[ "$(jq -r '.kind + " " + (.groups | length | tostring)' <<<"$output")" = "APIGroupList 3" ]
	api GET /api/v1
	[ "$(jq -r '.resources[] | select(.name == "pods") | .shortNames[0]' <<<"$output")" = po ]
	[ "$(jq -r '.resources[] | select(.name == "namespaces") | .namespaced' <<<"$output")" = false ]
	api GET /version
	[[ "$(jq -r .gitVersion <<<"$output")" == v1.* ]]
	api GET /healthz
	[ "$output" = ok ]
}

@test "default and kube-system namespaces always exist" {
	api GET /api/v1/namespaces
	[ "$status" -eq 200 ]
	run jq -r '.items[].metadata.name' <<<"$output"
	[[ "$output" == *default* ]]
	[[ "$output" == *kube-system* ]]
}

@test "malformed requests get Status errors and huskd keeps serving" {
	api POST /api/v1/namespaces/default/pods -d '{"metadata": '
	[ "$status" -eq 400 ]
	[ "$(jq -r '.kind + "/" + .reason' <<<"$output")" = Status/BadRequest ]

	api POST /api/v1/namespaces/default/pods -d '{"metadata":{"name":"x"},"spec":{"containers":"no"}}'
	[ "$status" -eq 400 ]
	[[ "$(jq -r .message <<<"$output")" == *"cannot unmarshal string into Go struct field spec.containers"* ]]

	api POST /api/v1/namespaces/default/pods -d '{"kind":"Service","metadata":{"name":"x"}}'
	[ "$status" -eq 400 ]

	api POST /api/v1/namespaces/default/pods -H 'Content-Type: text/csv' -d 'a,b'
	[ "$status" -eq 415 ]
	[ "$(jq -r .reason <<<"$output")" = UnsupportedMediaType ]

	head -c 4000000 /dev/zero | tr '\0' ' ' >"$BATS_TEST_TMPDIR/big"
	api POST /api/v1/namespaces/default/pods --data-binary "@$BATS_TEST_TMPDIR/big"
	[ "$status" -eq 413 ]

	api GET /api/v1/namespaces/default/widgets
	[ "$status" -eq 404 ]
	[ "$(jq -r .reason <<<"$output")" = NotFound ]

	api GET /api/v1/namespaces/default/pods/%2e%2e/x
	[ "$status" -eq 400 ]

	api PUT /api/v1/namespaces/default/pods
	[ "$status" -eq 405 ]

	api GET /healthz
	[ "$status" -eq 200 ]
}

@test "an invalid pod is answered 422 with causes naming each field" {
	api POST /api/v1/namespaces/default/pods -d '{"metadata":{"name":"Bad_Name"},"spec":{"restartPolicy":"Sometimes","containers":[{"name":"a"},{"name":"a","image":"x","ports":[{"containerPort":70000}]}]}}'
	[ "$status" -eq 422 ]
	[ "$(jq -r .reason <<<"$output")" = Invalid ]
	run jq -r '.details.causes[].field' <<<"$output"
	[ "${lines[0]}" = metadata.name ]
	[ "${lines[1]}" = "spec.containers[0].image" ]
	[ "${lines[2]}" = "spec.containers[1].name" ]
	[ "${lines[3]}" = "spec.containers[1].ports[0].containerPort" ]
	[ "${lines[4]}" = spec.restartPolicy ]
	api POST /api/v1/namespaces/default/pods -d '{"metadata":{"name":"x"},"spec":{"containers":[{"name":"c"}]}}'
	[ "$(jq -r .message <<<"$output")" = 'Pod "x" is invalid: spec.containers[0].image: Required value' ]
}

@test "names are unique per namespace: a duplicate is 409 AlreadyExists" {
	create_pod dup <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	api POST /api/v1/namespaces/default/pods -d "$(pod_json dup <<<'{"containers":[{"name":"c","image":"@ROOTFS@"}]}')"
	[ "$status" -eq 409 ]
	[ "$(jq -r .message <<<"$output")" = 'pods "dup" already exists' ]
	api GET /api/v1/namespaces/default/pods/nope
	[ "$status" -eq 404 ]
	[ "$(jq -r .message <<<"$output")" = 'pods "nope" not found' ]
}

@test "a pod in a missing namespace is 404; namespaces are created and deleted" {
	api POST /api/v1/namespaces/team/pods -d "$(pod_json p <<<'{"containers":[{"name":"c","image":"x"}]}')"
	[ "$status" -eq 404 ]
	[ "$(jq -r .message <<<"$output")" = 'namespaces "team" not found' ]
	api POST /api/v1/namespaces -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}}'
	[ "$status" -eq 201 ]
	api POST /api/v1/namespaces -d '{"metadata":{"name":"Team!"}}'
	[ "$status" -eq 422 ]
	api DELETE /api/v1/namespaces/team
	[ "$status" -eq 200 ]
	wait_for 10 bash -c "curl -s -o /dev/null -w '%{http_code}' --unix-socket $SOCK http://huskd/api/v1/namespaces/team | grep -q 404"
}

@test "a ResourceQuota refuses the second pod with Kubernetes' message" {
	api POST /api/v1/namespaces -d '{"metadata":{"name":"q"}}'
	api POST /api/v1/namespaces/q/resourcequotas -d '{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"one-pod"},"spec":{"hard":{"pods":"1"}}}'
	[ "$status" -eq 201 ]
	# the create answer already carries what the quota controller computes
	[ "$(jq -cS .status <<<"$output")" = '{"hard":{"pods":"1"},"used":{"pods":"0"}}' ]
	create_pod first q <<<'{"containers":[{"name":"c","image":"@ROOTFS@","command":["sleep","100"]}]}'
	api POST /api/v1/namespaces/q/pods -d "$(pod_json second <<<'{"containers":[{"name":"c","image":"@ROOTFS@"}]}')"
	[ "$status" -eq 403 ]
	[ "$(jq -r .reason <<<"$output")" = Forbidden ]
	[ "$(jq -r .message <<<"$output")" = 'pods "second" is forbidden: exceeded quota: one-pod, requested: pods=1, used: pods=1, limited: pods=1' ]
	api GET /api/v1/namespaces/q/resourcequotas/one-pod
	[ "$(jq -r .status.used.pods <<<"$output")" = 1 ]
}

@test "a LimitRange fills defaults and enforces max" {
	api POST /api/v1/namespaces/default/limitranges -d '{"metadata":{"name":"lr"},"spec":{"limits":[{"type":"Container","default":{"memory":"64Mi"},"max":{"cpu":"1"}}]}}'
	[ "$status" -eq 201 ]
	api POST /api/v1/namespaces/default/pods -d "$(pod_json big <<<'{"containers":[{"name":"c","image":"@ROOTFS@","resources":{"limits":{"cpu":"2"}}}]}')"
	[ "$status" -eq 403 ]
	[ "$(jq -r .message <<<"$output")" = 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2' ]
	api POST /api/v1/namespaces/default/pods?dryRun=All -d "$(pod_json small <<<'{"containers":[{"name":"c","image":"@ROOTFS@"}]}')"
	[ "$status" -eq 201 ]
	[ "$(jq -r '.spec.containers[0].resources.limits.memory' <<<"$output")" = 64Mi ]
}

@test "50 concurrent clients are all served" {
	local i pids=()
	for i in $(seq 50); do
		curl -s -o /dev/null -w '%{http_code}\n' --unix-socket "$SOCK" \
			http://huskd/api/v1/namespaces/default/pods >>"$BATS_TEST_TMPDIR/codes" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(grep -c '^200$' "$BATS_TEST_TMPDIR/codes")" -eq 50 ]
}

@test "a client that sends half a request and goes silent does not block others" {
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"meta")
time.sleep(5)
' "$SOCK" &
	local slow=$!
	sleep 0.5
	api GET /api/v1/namespaces
	[ "$status" -eq 200 ]
	kill "$slow" 2>/dev/null || true
	wait "$slow" 2>/dev/null || true
	api GET /healthz
	[ "$status" -eq 200 ]
}

@test "a media type that only prefixes a JSON one is refused" {
	for ct in 'application/' 'application/merge' 'application/json-patch' 'application/jso'; do
		api POST /api/v1/namespaces/default/pods -H "Content-Type: $ct" -d '{"metadata":{"name":"x"}}'
		[ "$status" -eq 415 ]
	done
	api POST /api/v1/namespaces/default/pods -H 'Content-Type: application/json; charset=utf-8' -d '{"metadata":{"name":"x"},"spec":{"containers":"no"}}'
	[ "$status" -eq 400 ]
	api PATCH /api/v1/namespaces/default/pods/nope -H 'Content-Type: application/json-patch+json' -d '[]'
	[ "$status" -eq 404 ]
}
