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
	local method=$1 path=$2 body=$BATS_TEST_TMPDIR/.tls.body
	shift 2
	status=$(curl -sk -o "$body" -w '%{http_code}' -X "$method" \
		-H "Authorization: Bearer $(cat "$STATE/pki/token")" \
		"https://127.0.0.1:$TLS_PORT$path" "$@") || status=000
	output=$(cat "$body")
	echo "$ tls $method $path -> $status: ${output:0:400}" >&2
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

		on $l POST '/api/v1/namespaces?dryRun=All' -d '{"metadata":{"name":"drynamespace"}}'
		[ "$status" -eq 201 ]
		on $l PATCH '/api/v1/namespaces/real?dryRun=All' -H "$merge" -d '{"metadata":{"labels":{"dry":"yes"}}}'
		[ "$status" -eq 200 ]
		[ "$(jq -r .metadata.labels.dry <<<"$output")" = yes ]
		on $l DELETE '/api/v1/namespaces/real?dryRun=All'
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
}
