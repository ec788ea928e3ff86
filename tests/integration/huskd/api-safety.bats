#!/usr/bin/env bats
# huskd as an attacker or a careless client drives it (issue 12): dry runs
# that change nothing, watches that miss nothing, 404s with details,
# validation as the API server does it, and unauthenticated peers that
# cannot tie the TLS listener up.  Through the unix socket and the TLS
# listener (both are checked where both serve).

load ../helpers
load ../pod/pod_helpers
load huskd_helpers

setup() { HUSKD_TLS=1 setup_huskd; }
teardown() { teardown_huskd; }

# on LISTENER METHOD PATH [curl args]: api over "unix" or "tls".
on() {
	local where=$1
	shift
	if [ "$where" = unix ]; then
		api "$@"
		return
	fi
	tls "$@"
}

revision() { curl -s --unix-socket "$SOCK" http://huskd/api/v1/pods | jq -r .metadata.resourceVersion; }
event_count() { curl -s --unix-socket "$SOCK" http://huskd/api/v1/events | jq '.items | length'; }

sleeper_json() {
	pod_json "$1" <<<'{"terminationGracePeriodSeconds": 1, "containers": [{"name": "c", "image": "@ROOTFS@", "command": ["sleep", "1000"]}]}'
}

@test "dryRun=All changes nothing for any verb of any resource, on both listeners" {
	create_pod keep <<<'{"terminationGracePeriodSeconds": 1, "containers": [{"name": "c", "image": "@ROOTFS@", "command": ["sleep", "1000"]}]}'
	wait_for 30 phase_is keep Running
	local cid
	cid=$(pod_field keep '.status.containerStatuses[0].containerID')
	api POST /api/v1/namespaces -d '{"metadata":{"name":"real"}}'
	[ "$status" -eq 201 ]
	api POST /api/v1/namespaces/default/resourcequotas -d '{"metadata":{"name":"q"},"spec":{"hard":{"pods":"10"}}}'
	[ "$status" -eq 201 ]
	api POST /api/v1/namespaces/default/limitranges -d '{"metadata":{"name":"lr"},"spec":{"limits":[{"type":"Container","max":{"cpu":"4"}}]}}'
	[ "$status" -eq 201 ]
	sleep 1
	local rv events merge='Content-Type: application/merge-patch+json'
	rv=$(revision)
	events=$(event_count)
	for l in unix tls; do
		on $l POST '/api/v1/namespaces/default/pods?dryRun=All' -d "$(sleeper_json dry)"
		[ "$status" -eq 201 ]
		[ "$(jq -r .metadata.name <<<"$output")" = dry ]
		on $l PATCH '/api/v1/namespaces/default/pods/keep?dryRun=All' -H "$merge" -d '{"metadata":{"labels":{"dry":"yes"}}}'
		[ "$status" -eq 200 ]
		[ "$(jq -r .metadata.labels.dry <<<"$output")" = yes ]
		on $l PUT '/api/v1/namespaces/default/pods/keep?dryRun=All' -d "$(pod_field keep '.metadata.labels={"put":"yes"}')"
		[ "$status" -eq 200 ]
		[ "$(jq -r .metadata.labels.put <<<"$output")" = yes ]
		on $l DELETE '/api/v1/namespaces/default/pods/keep?dryRun=All'
		[ "$status" -eq 200 ]
		[ "$(jq -r '.metadata.deletionTimestamp != null' <<<"$output")" = true ]
		on $l DELETE '/api/v1/namespaces/default/pods/keep?dryRun=All&gracePeriodSeconds=0'
		[ "$status" -eq 200 ]
		# kubectl delete sends its options as a DeleteOptions body
		on $l DELETE /api/v1/namespaces/default/pods/keep -d '{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"],"gracePeriodSeconds":0}'
		[ "$status" -eq 200 ]

		on $l POST '/api/v1/namespaces?dryRun=All' -d '{"metadata":{"name":"drynamespace"}}'
		[ "$status" -eq 201 ]
		on $l PATCH '/api/v1/namespaces/real?dryRun=All' -H "$merge" -d '{"metadata":{"labels":{"dry":"yes"}}}'
		[ "$status" -eq 200 ]
		[ "$(jq -r .metadata.labels.dry <<<"$output")" = yes ]
		on $l DELETE '/api/v1/namespaces/real?dryRun=All'
		[ "$status" -eq 200 ]
		on $l DELETE /api/v1/namespaces/real -d '{"dryRun":["All"]}'
		[ "$status" -eq 200 ]
		[ "$(jq -r .status.phase <<<"$output")" = Terminating ]

		for kind in resourcequotas:q:'{"spec":{"hard":{"pods":"10"}}}' limitranges:lr:'{"spec":{"limits":[{"type":"Container","max":{"cpu":"4"}}]}}' \
			events:ev:'{"involvedObject":{"kind":"Pod","name":"keep","namespace":"default"},"reason":"Dry","message":"m","type":"Normal"}'; do
			local res=${kind%%:*} rest=${kind#*:}
			local name=${rest%%:*} body=${rest#*:}
			on $l POST "/api/v1/namespaces/default/$res?dryRun=All" -d "$(jq -c --arg n "dry$name" '.metadata.name=$n' <<<"$body")"
			[ "$status" -eq 201 ]
			if [ "$res" != events ]; then
				on $l PATCH "/api/v1/namespaces/default/$res/$name?dryRun=All" -H "$merge" -d '{"metadata":{"labels":{"dry":"yes"}}}'
				[ "$status" -eq 200 ]
				[ "$(jq -r .metadata.labels.dry <<<"$output")" = yes ]
				on $l DELETE "/api/v1/namespaces/default/$res/$name?dryRun=All"
				[ "$status" -eq 200 ]
				on $l DELETE "/api/v1/namespaces/default/$res/$name" -d '{"dryRun":["All"]}'
				[ "$status" -eq 200 ]
			fi
		done
	done
	sleep 2
	# nothing was written: same revision, same events, the objects as they were
	[ "$(revision)" = "$rv" ]
	[ "$(event_count)" = "$events" ]
	api GET /api/v1/namespaces/default/pods/dry
	[ "$status" -eq 404 ]
	[ "$(pod_field keep '.metadata.labels // {} | has("dry") or has("put")')" = false ]
	[ "$(pod_field keep '.metadata.deletionTimestamp')" = null ]
	[ "$(pod_field keep '.status.containerStatuses[0].containerID')" = "$cid" ]
	[ "$(pod_field keep '.status.containerStatuses[0].restartCount')" = 0 ]
	phase_is keep Running
	api GET /api/v1/namespaces/drynamespace
	[ "$status" -eq 404 ]
	api GET /api/v1/namespaces/real
	[ "$(jq -r '.status.phase + " " + (.metadata.labels.dry // "none")' <<<"$output")" = "Active none" ]
	api GET /api/v1/namespaces/default/resourcequotas/dryq
	[ "$status" -eq 404 ]
	api GET /api/v1/namespaces/default/resourcequotas/q
	[ "$status" -eq 200 ]
	api GET /api/v1/namespaces/default/limitranges/lr
	[ "$status" -eq 200 ]
	[ "$(jq -r '.metadata.labels.dry // "none"' <<<"$output")" = none ]
}

@test "dryRun values other than All are refused as kube-apiserver refuses them" {
	api DELETE '/api/v1/namespaces/default/pods/x?dryRun=Some'
	[ "$status" -eq 422 ]
	[ "$(jq -r .reason <<<"$output")" = Invalid ]
	[ "$(jq -r .message <<<"$output")" = 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"' ]
	[ "$(jq -r '.details.kind + " " + .details.causes[0].field' <<<"$output")" = "DeleteOptions dryRun" ]
	api POST '/api/v1/namespaces?dryRun=All&dryRun=' -d '{"metadata":{"name":"nope"}}'
	[ "$status" -eq 422 ]
	[ "$(jq -r .message <<<"$output")" = 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"All", ""}: supported values: "All"' ]
	api GET /api/v1/namespaces/nope
	[ "$status" -eq 404 ]
	api DELETE /api/v1/namespaces/default/pods/x -d '{"kind":"DeleteOptions","dryRun":["all"]}'
	[ "$status" -eq 422 ]
	[[ "$(jq -r .message <<<"$output")" == *'[]string{"all"}'* ]]
}

@test "a watch from a resourceVersion before a deletion delivers the DELETED event; a version past the window is 410 Expired" {
	create_pod gone <<<'{"terminationGracePeriodSeconds": 1, "containers": [{"name": "c", "image": "@ROOTFS@", "command": ["sleep", "1000"]}]}'
	wait_for 30 phase_is gone Running
	local rv
	rv=$(revision)
	api DELETE '/api/v1/namespaces/default/pods/gone?gracePeriodSeconds=1'
	wait_for 30 no_pods_left
	for l in unix tls; do
		if [ $l = unix ]; then
			run timeout 3 curl -sN --unix-socket "$SOCK" "http://huskd/api/v1/namespaces/default/pods?watch=1&resourceVersion=$rv&fieldSelector=metadata.name%3Dgone"
		else
			run timeout 3 curl -skN -H "Authorization: Bearer $(cat "$STATE/pki/token")" \
				"https://127.0.0.1:$TLS_PORT/api/v1/namespaces/default/pods?watch=1&resourceVersion=$rv&fieldSelector=metadata.name%3Dgone"
		fi
		echo "$output" | jq -c '[.type, .object.metadata.name]' >&2
		# every change since: the graceful delete (MODIFIED), then DELETED
		[ "$(jq -rs 'map(.type) | .[-1]' <<<"$output")" = DELETED ]
		[ "$(jq -rs 'map(select(.type == "DELETED")) | .[0].object.metadata.name' <<<"$output")" = gone ]
		[ "$(jq -rs 'map(select(.type == "ADDED")) | length' <<<"$output")" = 0 ]
	done
	# a window of 512 changes: 600 writes later, $rv is gone from it
	for i in $(seq 300); do
		curl -s --unix-socket "$SOCK" -X POST http://huskd/api/v1/namespaces/default/limitranges \
			-d "{\"metadata\":{\"name\":\"l$i\"},\"spec\":{\"limits\":[]}}" >/dev/null
		curl -s --unix-socket "$SOCK" -X DELETE "http://huskd/api/v1/namespaces/default/limitranges/l$i" >/dev/null
	done
	run timeout 3 curl -sN --unix-socket "$SOCK" "http://huskd/api/v1/namespaces/default/pods?watch=1&resourceVersion=$rv"
	[ "$status" -eq 0 ] # the stream ends by itself after the error
	[ "$(jq -r '.type + " " + (.object.code | tostring) + " " + .object.reason' <<<"$output")" = "ERROR 410 Expired" ]
	[[ "$(jq -r .object.message <<<"$output")" == "too old resource version: $rv ("* ]]
	# from the current version: nothing old, then what happens next
	rv=$(revision)
	run timeout 2 curl -sN --unix-socket "$SOCK" "http://huskd/api/v1/namespaces/default/pods?watch=1&resourceVersion=$rv"
	[ -z "$output" ]
}

@test "every 404 carries details: named objects say name and kind, unknown paths an empty one" {
	for l in unix tls; do
		on $l GET /api/v1/namespaces/default/pods/missing
		[ "$status" -eq 404 ]
		[ "$(jq -c .details <<<"$output")" = '{"name":"missing","kind":"pods"}' ]
		on $l GET /api/v1/namespaces/default/widgets
		[ "$status" -eq 404 ]
		[ "$(jq -c .details <<<"$output")" = '{}' ]
		[ "$(jq -r .message <<<"$output")" = "the server could not find the requested resource" ]
		on $l PATCH /api/v1/namespaces/default/pods/missing/ephemeralcontainers -H 'Content-Type: application/strategic-merge-patch+json' -d '{}'
		[ "$status" -eq 404 ]
		[ "$(jq -r '.details | has("name")' <<<"$output")" = true ]
		on $l GET /api/v2/pods
		[ "$status" -eq 404 ]
		[ "$(jq -c .details <<<"$output")" = '{}' ]
	done
}

@test "labels, annotations, quantities, apiVersion, field selectors and log options are validated as kube-apiserver does" {
	local long63 long64 msg
	long63=$(printf 'a%.0s' $(seq 63))
	long64=${long63}a
	# label keys: prefix/name syntax and limits; values: 63 characters
	api POST /api/v1/namespaces/default/pods -d "$(sleeper_json badlabel | jq -c '.metadata.labels={"a/b/c":"x"}')"
	[ "$status" -eq 422 ]
	[[ "$(jq -r .message <<<"$output")" == 'Pod "badlabel" is invalid: metadata.labels: Invalid value: "a/b/c": a qualified name must consist of'* ]]
	api POST /api/v1/namespaces/default/pods -d "$(sleeper_json badlabel | jq -c --arg k "$long64" '.metadata.labels={($k):"x"}')"
	[ "$status" -eq 422 ]
	[ "$(jq -r .details.causes[0].message <<<"$output")" = "Invalid value: \"$long64\": name part must be no more than 63 characters" ]
	api POST /api/v1/namespaces/default/pods -d "$(sleeper_json badlabel | jq -c --arg k "$long64" '.metadata.labels={"ok":$k}')"
	[ "$status" -eq 422 ]
	[ "$(jq -r .details.causes[0].message <<<"$output")" = "Invalid value: \"$long64\": must be no more than 63 characters" ]
	api POST /api/v1/namespaces/default/pods -d "$(sleeper_json badlabel | jq -c '.metadata.labels={"Example.com/x":"v"}')"
	[ "$status" -eq 422 ]
	[[ "$(jq -r .details.causes[0].message <<<"$output")" == 'Invalid value: "Example.com/x": prefix part a lowercase RFC 1123 subdomain'* ]]
	api POST /api/v1/namespaces/default/pods -d "$(sleeper_json badlabel | jq -c '.metadata.labels={"v":"-bad"}')"
	[ "$status" -eq 422 ]
	# annotations: key syntax, 256 KiB in all
	head -c 262200 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
	sleeper_json bigann | jq -c --rawfile v "$BATS_TEST_TMPDIR/big" '.metadata.annotations={"a":$v}' >"$BATS_TEST_TMPDIR/body"
	api POST /api/v1/namespaces/default/pods --data-binary "@$BATS_TEST_TMPDIR/body"
	[ "$status" -eq 422 ]
	[ "$(jq -r .message <<<"$output")" = 'Pod "bigann" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes' ]
	api POST /api/v1/namespaces -d '{"metadata":{"name":"annns","annotations":{"/x":"y"}}}'
	[ "$status" -eq 422 ]
	[ "$(jq -r .details.causes[0].message <<<"$output")" = 'Invalid value: "/x": prefix part must be non-empty' ]
	# quantities: not one is a decoding error (400), a negative one 422
	msg="quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)\$'"
	api POST /api/v1/namespaces/default/resourcequotas -d '{"metadata":{"name":"q"},"spec":{"hard":{"pods":"1x1"}}}'
	[ "$status" -eq 400 ]
	[ "$(jq -r .message <<<"$output")" = "ResourceQuota in version \"v1\" cannot be handled as a ResourceQuota: $msg" ]
	api POST /api/v1/namespaces/default/resourcequotas -d '{"metadata":{"name":"q"},"spec":{"hard":{"pods":"1.5"}}}'
	[ "$status" -eq 422 ]
	[ "$(jq -r .message <<<"$output")" = 'ResourceQuota "q" is invalid: spec.hard[pods]: Invalid value: "1.5": must be an integer' ]
	api POST /api/v1/namespaces/default/limitranges -d '{"metadata":{"name":"lr"},"spec":{"limits":[{"type":"Container","max":{"cpu":"-1e999"}}]}}'
	[ "$status" -eq 422 ]
	[ "$(jq -r .message <<<"$output")" = 'LimitRange "lr" is invalid: spec.limits[0].max[cpu]: Invalid value: "-1e999": must be greater than or equal to 0' ]
	api POST /api/v1/namespaces/default/pods -d "$(sleeper_json qq | jq -c '.spec.containers[0].resources={"limits":{"memory":"12QQ"}}')"
	[ "$status" -eq 400 ]
	[ "$(jq -r .message <<<"$output")" = "Pod in version \"v1\" cannot be handled as a Pod: $msg" ]
	api POST /api/v1/namespaces/default/pods -d "$(sleeper_json neg | jq -c '.spec.containers[0].resources={"requests":{"cpu":"-1"}}')"
	[ "$status" -eq 422 ]
	[[ "$(jq -r .message <<<"$output")" == *'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0'* ]]
	api GET /api/v1/namespaces/default/resourcequotas/q
	[ "$status" -eq 404 ]
	# an existing quota patched with a bad quantity is refused too
	api POST /api/v1/namespaces/default/resourcequotas -d '{"metadata":{"name":"q"},"spec":{"hard":{"pods":"2"}}}'
	[ "$status" -eq 201 ]
	api PATCH /api/v1/namespaces/default/resourcequotas/q -H 'Content-Type: application/merge-patch+json' -d '{"spec":{"hard":{"pods":"1x1"}}}'
	[ "$status" -eq 400 ]
	api GET /api/v1/namespaces/default/resourcequotas/q
	[ "$(jq -r .spec.hard.pods <<<"$output")" = 2 ]
	# apiVersion: only v1 is served
	api POST /api/v1/namespaces/default/pods -d "$(sleeper_json v2 | jq -c '.apiVersion="v2"')"
	[ "$status" -eq 400 ]
	[ "$(jq -r .message <<<"$output")" = 'the API version in the data (v2) does not match the expected API version (v1)' ]
	api POST /api/v1/namespaces -d '{"apiVersion":"apps/v1","kind":"Namespace","metadata":{"name":"appsns"}}'
	[ "$status" -eq 400 ]
	api GET /api/v2/namespaces/default/pods
	[ "$status" -eq 404 ]
	# field selectors: only the fields the resource converts
	api GET '/api/v1/namespaces/default/pods?fieldSelector=spec.foo%3Dbar'
	[ "$status" -eq 400 ]
	[ "$(jq -r .message <<<"$output")" = 'Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=bar": field label not supported: spec.foo' ]
	api GET '/api/v1/namespaces/default/resourcequotas?fieldSelector=status.phase%3DX'
	[ "$status" -eq 400 ]
	[[ "$(jq -r .message <<<"$output")" == *'"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"' ]]
	api GET '/api/v1/namespaces/default/pods?watch=1&fieldSelector=nope%3D1'
	[ "$status" -eq 400 ]
	api GET '/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning,spec.nodeName%3Dx'
	[ "$status" -eq 200 ]
	# log options
	create_pod logs <<<'{"terminationGracePeriodSeconds": 1, "containers": [{"name": "c", "image": "@ROOTFS@", "command": ["sh", "-c", "echo hi; sleep 1000"]}]}'
	api GET '/api/v1/namespaces/default/pods/logs/log?tailLines=-1'
	[ "$status" -eq 422 ]
	[ "$(jq -r .message <<<"$output")" = 'PodLogOptions "logs" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0' ]
	api GET '/api/v1/namespaces/default/pods/logs/log?limitBytes=-5'
	[ "$status" -eq 422 ]
	[ "$(jq -r .message <<<"$output")" = 'PodLogOptions "logs" is invalid: limitBytes: Invalid value: -5: must be greater than 0' ]
	api GET '/api/v1/namespaces/default/pods/logs/log?tailLines=x'
	[ "$status" -eq 400 ]
	# a JSON patch that does not apply names the operation and path
	api PATCH /api/v1/namespaces/default/pods/logs -H 'Content-Type: application/json-patch+json' \
		-d '[{"op":"add","path":"/metadata/labels","value":{}},{"op":"replace","path":"/metadata/nothere/x","value":"1"}]'
	[ "$status" -eq 422 ]
	[[ "$(jq -r .message <<<"$output")" == *'operation 1: replace operation does not apply: doc is missing path: "/metadata/nothere/x"'* ]]
}

@test "TLS: a POST without credentials is answered 401 on its headers and closed, however slowly its body comes" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	run python3 "$BATS_TEST_DIRNAME/tls_peers.py" drip "$TLS_PORT" 30
	[ "$status" -eq 0 ]
	read -r answered closed secs <<<"$output"
	[ "$answered" -eq 30 ]
	[ "$closed" -eq 30 ]
	awk -v s="$secs" 'BEGIN { exit !(s < 5) }'
	# and huskd serves the rest as before
	on tls GET /api/v1/namespaces/default/pods
	[ "$status" -eq 200 ]
}

@test "TLS: the bearer scheme in any case; a wrong or empty token is 401 and closes the connection" {
	local token
	token=$(cat "$STATE/pki/token")
	for scheme in Bearer bearer BEARER; do
		run curl -sk -H "Authorization: $scheme $token" "https://127.0.0.1:$TLS_PORT/api/v1/namespaces/default/pods"
		[ "$(jq -r .kind <<<"$output")" = PodList ]
	done
	run curl -sk -H "Authorization: Bearer" "https://127.0.0.1:$TLS_PORT/api/v1/pods"
	[ "$(jq -r .code <<<"$output")" = 401 ]
	run curl -sk -H "Authorization: Basic $token" "https://127.0.0.1:$TLS_PORT/api/v1/pods"
	[ "$(jq -r .code <<<"$output")" = 401 ]
	# a token that is a prefix of the real one is no token
	run curl -sk -H "Authorization: Bearer ${token:0:8}" "https://127.0.0.1:$TLS_PORT/api/v1/pods"
	[ "$(jq -r .code <<<"$output")" = 401 ]
	# an authenticated connection's later request without the token: 401, then closed
	run curl -skv "https://127.0.0.1:$TLS_PORT/api/v1/pods" -H "Authorization: Bearer $token" --next -sk "https://127.0.0.1:$TLS_PORT/api/v1/pods"
	[[ "$output" == *'"kind":"PodList"'* ]]
	[[ "$output" == *'"code":401'* ]]
	[[ "$output" == *"Connection: close"* ]]
}

@test "TLS: silent peers are closed after the deadline, at most 64 wait at once, and clients are still served" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	python3 "$BATS_TEST_DIRNAME/tls_peers.py" idle "$TLS_PORT" 70 >"$BATS_TEST_TMPDIR/idle" &
	local peers=$!
	sleep 1
	# 70 silent peers: the oldest 6 are gone already, real clients get in
	on tls GET /api/v1/namespaces/default/pods
	[ "$status" -eq 200 ]
	(umask 077 && HUSK_SOCKET=$SOCK "$HUSKCTL_BIN" kubeconfig >"$BATS_TEST_TMPDIR/kubeconfig")
	if command -v kubectl >/dev/null; then
		run kubectl --kubeconfig "$BATS_TEST_TMPDIR/kubeconfig" get ns default -o name
		[ "$output" = namespace/default ]
	fi
	wait "$peers"
	read -r closed early first last <<<"$(cat "$BATS_TEST_TMPDIR/idle")"
	echo "closed=$closed early=$early first=$first last=$last" >&2
	[ "$closed" -eq 70 ]
	# 6 over the cap, and one more for each client that came in meanwhile
	[ "$early" -ge 6 ]
	[ "$early" -le 9 ]
	# the others at the 10 s deadline, not at the 60 s I/O timeout
	awk -v s="$last" 'BEGIN { exit !(s < 13) }'
	awk -v s="$last" 'BEGIN { exit !(s >= 9) }'
}
