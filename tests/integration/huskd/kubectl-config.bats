#!/usr/bin/env bats
# ConfigMaps, Secrets and the downward API through the real kubectl against
# huskd's TLS listener: the objects (create from literals and files, get,
# describe, watch, patch, immutable, Secret types, base64, quota counts),
# and pods reading them through env, envFrom and configMap / secret /
# downwardAPI / projected volumes updated in place as the kubelet does.
# kubectl-config-1.20.bats is this file under another name (Debian's
# kubectl 1.20).

load ../helpers
load ../pod/pod_helpers
load huskd_helpers
load kubectl_helpers


setup() {
	if kubectl_is_120; then
		ensure_old_kubectl
		export PATH=${KUBECTL_OLD%/kubectl}:$PATH
	fi
	command -v kubectl >/dev/null || skip "kubectl is not installed"
	huskd_kubeconfig
}
teardown() { teardown_huskd; }


running() { kubectl get pod "$1" ${2:+-n "$2"} --no-headers 2>/dev/null | grep -q Running; }

@test "ConfigMaps and Secrets: create from literals and files, get, describe, patch, watch, delete" {
	printf 'line1\nline2\n' >"$BATS_TEST_TMPDIR/app.conf"
	k create configmap cfg --from-literal=mode=fast --from-file="$BATS_TEST_TMPDIR/app.conf"
	[ "$status" -eq 0 ]
	[ "$output" = "configmap/cfg created" ]
	k get cm
	[[ "${lines[0]}" == NAME*DATA*AGE ]]
	[[ "${lines[1]}" =~ ^cfg\ +2\ + ]]
	k get configmap cfg -o jsonpath='{.data.mode}|{.data.app\.conf}'
	[ "$output" = "fast|line1
line2" ]
	k describe configmap cfg
	[[ "$output" == *"Name:"*cfg* ]]
	[[ "$output" == *mode*fast* ]]
	k create secret generic creds --from-literal=user=admin --from-literal=pass='s3cr3t!'
	[ "$output" = "secret/creds created" ]
	k get secrets
	[[ "${lines[0]}" == NAME*TYPE*DATA*AGE ]]
	[[ "${lines[1]}" =~ ^creds\ +Opaque\ +2\ + ]]
	k get secret creds -o jsonpath='{.data.pass}'
	[ "$(base64 -d <<<"$output")" = 's3cr3t!' ]
	k describe secret creds
	[[ "$output" == *"Type:"*Opaque* ]]
	[[ "$output" == *"pass:"*"7 bytes"* ]]
	k create secret docker-registry regcred --docker-server=registry.test:5000 \
		--docker-username=bob --docker-password=hunter2
	[ "$status" -eq 0 ]
	k get secret regcred -o jsonpath='{.type}'
	[ "$output" = kubernetes.io/dockerconfigjson ]
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=t -days 1 \
		-keyout "$BATS_TEST_TMPDIR/k.pem" -out "$BATS_TEST_TMPDIR/c.pem" 2>/dev/null
	k create secret tls web-tls --cert="$BATS_TEST_TMPDIR/c.pem" --key="$BATS_TEST_TMPDIR/k.pem"
	[ "$output" = "secret/web-tls created" ]
	k get secret web-tls --no-headers
	[[ "$output" =~ ^web-tls\ +kubernetes.io/tls\ +2 ]]
	# watch sees a change
	(timeout 10 kubectl get cm --watch-only -o name >"$BATS_TEST_TMPDIR/watch" 2>&1 &)
	sleep 1.5
	k patch configmap cfg -p '{"data":{"mode":"slow"}}'
	[ "$output" = "configmap/cfg patched" ]
	wait_for 8 grep -q configmap/cfg "$BATS_TEST_TMPDIR/watch"
	k get cm cfg -o jsonpath='{.data.mode}'
	[ "$output" = slow ]
	k label secret creds tier=gold
	[ "$output" = "secret/creds labeled" ]
	k get secrets -l tier=gold -o name
	[ "$output" = secret/creds ]
	k delete configmap cfg
	[ "$output" = 'configmap "cfg" deleted' ]
	k get configmap cfg
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'configmaps "cfg" not found'* ]]
}

@test "Secret and ConfigMap admission: base64, keys, types, stringData, immutable, quota counts" {
	cat >"$BATS_TEST_TMPDIR/bad.yaml" <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: bad}
data: {k: "not base64!"}
YAML
	k apply -f "$BATS_TEST_TMPDIR/bad.yaml"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'illegal base64 data at input byte 3'* ]]
	k create configmap keys --from-literal='a b=1'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'a valid config key must consist of alphanumeric characters'* ]]
	cat >"$BATS_TEST_TMPDIR/tls.yaml" <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: half}
type: kubernetes.io/tls
data: {tls.crt: "eA=="}
YAML
	k apply -f "$BATS_TEST_TMPDIR/tls.yaml"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'data[tls.key]: Required value'* ]]
	cat >"$BATS_TEST_TMPDIR/sd.yaml" <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: sd}
stringData: {token: plain-text}
immutable: true
YAML
	k apply -f "$BATS_TEST_TMPDIR/sd.yaml"
	[ "$output" = "secret/sd created" ]
	k get secret sd -o json
	[ "$(jq -r '.data.token | @base64d' <<<"$output")" = plain-text ]
	[ "$(jq -r '.stringData // "none"' <<<"$output")" = none ]
	[ "$(jq -r .type <<<"$output")" = Opaque ]
	k patch secret sd -p '{"stringData":{"token":"changed"}}'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'field is immutable when `immutable` is set'* ]]
	k patch secret sd -p '{"type":"kubernetes.io/tls"}'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'type: Invalid value'*'field is immutable'* ]]
	k create secret generic s1 --from-literal=a=1
	k create quota objs --hard=configmaps=1,count/secrets=2
	[ "$status" -eq 0 ]
	k create configmap one --from-literal=a=1
	[ "$status" -eq 0 ]
	k create configmap two --from-literal=a=1
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'configmaps "two" is forbidden: exceeded quota: objs, requested: configmaps=1, used: configmaps=1, limited: configmaps=1'* ]]
	k create secret generic s2 --from-literal=a=1
	[ "$status" -ne 0 ]
	[[ "$stderr" == *'exceeded quota: objs, requested: count/secrets=1, used: count/secrets=2, limited: count/secrets=2'* ]]
	k get quota objs -o jsonpath='{.status.used.configmaps} {.status.used.count/secrets}'
	[ "$output" = "1 2" ]
	k delete configmap one
	k get quota objs -o jsonpath='{.status.used.configmaps}'
	[ "$output" = 0 ]
}

@test "one manifest: a Namespace, a ConfigMap, a Secret and a Pod reading both through env and volumes; deleting the namespace removes all" {
	cat >"$BATS_TEST_TMPDIR/app.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data:
  color: blue
  app.properties: |
    size=10
---
apiVersion: v1
kind: Secret
metadata: {name: login, namespace: shop}
type: Opaque
data:
  password: $(printf 'pa55' | base64)
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: $POD_ROOTFS
    command: ["sh", "-c", "echo color=\$COLOR pw=\$PASSWORD; sleep 1000"]
    env:
    - {name: HUSK_TEST_TOKEN, value: "$TOKEN"}
    - name: COLOR
      valueFrom: {configMapKeyRef: {name: settings, key: color}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: login, key: password}}
    envFrom:
    - {prefix: CFG_, configMapRef: {name: settings}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: sec, mountPath: /etc/sec}
  volumes:
  - name: cfg
    configMap: {name: settings}
  - name: sec
    secret: {secretName: login, defaultMode: 0400}
YAML
	k apply -f "$BATS_TEST_TMPDIR/app.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"namespace/shop created"*"configmap/settings created"*"secret/login created"*"pod/app created"* ]]
	wait_for 30 running app shop
	wait_for 10 bash -c "kubectl logs -n shop app 2>/dev/null | grep -qx 'color=blue pw=pa55'"
	k exec -n shop app -- sh -c 'echo $CFG_color; cat /etc/cfg/color; echo; cat /etc/cfg/app.properties; cat /etc/sec/password'
	[ "$output" = "blue
blue
size=10
pa55" ]
	# the kubelet's layout: ..data -> timestamped dir, keys through ..data; read-only
	k exec -n shop app -- sh -c 'readlink /etc/cfg/..data; readlink /etc/cfg/color; stat -L -c %a /etc/sec/password; touch /etc/cfg/x 2>&1'
	[[ "${lines[0]}" =~ ^\.\.20[0-9_]+\.[0-9]+$ ]]
	[ "${lines[1]}" = ..data/color ]
	[ "${lines[2]}" = 400 ]
	[[ "$output" == *"Read-only file system"* ]]
	# secrets are on a tmpfs in huskd's state dir, which only root may enter
	run stat -c %a "$STATE/volumes"
	[ "$output" = 700 ]
	uid=$(kubectl get pod app -n shop -o jsonpath='{.metadata.uid}')
	run stat -f -c %T "$STATE/volumes/$uid"
	[ "$output" = tmpfs ]
	# updated in place when the ConfigMap changes (the env keeps its value)
	k patch configmap settings -n shop -p '{"data":{"color":"green"}}'
	wait_for 15 bash -c "kubectl exec -n shop app -- cat /etc/cfg/color 2>/dev/null | grep -qx green"
	k exec -n shop app -- sh -c 'echo $COLOR'
	[ "$output" = blue ]
	k delete namespace shop
	[ "$status" -eq 0 ]
	wait_for 30 bash -c "! kubectl get namespace shop >/dev/null 2>&1"
	k get configmaps,secrets,pods -n shop
	[[ "$output$stderr" != *settings* && "$output$stderr" != *login* ]]
	[ ! -e "$STATE/volumes/$uid" ]
}

@test "downward API: fieldRef and resourceFieldRef env, downwardAPI and projected volumes with items and modes" {
	k create configmap pcm --from-literal=a=1 --from-literal=b=2
	k create secret generic psec --from-literal=token=t0k
	cat >"$BATS_TEST_TMPDIR/dw.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: dw
  labels: {app: dw, tier: web}
  annotations: {note: hi}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: $POD_ROOTFS
    command: ["sh", "-c", "sleep 1000"]
    resources:
      limits: {cpu: 500m, memory: 64Mi}
    env:
    - {name: HUSK_TEST_TOKEN, value: "$TOKEN"}
    - {name: MY_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: MY_NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: MY_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    - {name: MY_TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
    - {name: MY_NOTE, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['note']"}}}
    - {name: MY_SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
    - {name: MY_NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: MY_HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
    - {name: CPU_M, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
    - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: OPT, valueFrom: {configMapKeyRef: {name: nosuch, key: x, optional: true}}}
    volumeMounts:
    - {name: info, mountPath: /etc/info}
    - {name: all, mountPath: /etc/all}
  volumes:
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: sub/name, fieldRef: {fieldPath: metadata.name}, mode: 0600}
  - name: all
    projected:
      defaultMode: 0440
      sources:
      - configMap: {name: pcm, items: [{key: a, path: conf/a}]}
      - secret: {name: psec}
      - configMap: {name: missing, optional: true}
      - downwardAPI: {items: [{path: mem, resourceFieldRef: {containerName: c, resource: limits.memory}}]}
YAML
	k apply -f "$BATS_TEST_TMPDIR/dw.yaml"
	[ "$output" = "pod/dw created" ]
	wait_for 30 running dw
	uid=$(kubectl get pod dw -o jsonpath='{.metadata.uid}')
	k exec dw -- sh -c 'echo "$MY_NAME|$MY_NS|$MY_UID|$MY_TIER|$MY_NOTE|$MY_SA|$CPU_M|$MEM_MI|${OPT-unset}"'
	[ "$output" = "dw|default|$uid|web|hi|default|500|64|unset" ]
	k exec dw -- sh -c 'echo $MY_NODE; echo $MY_HOST_IP'
	[ -n "${lines[0]}" ]
	[[ "${lines[1]}" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
	k exec dw -- cat /etc/info/labels
	[ "$output" = 'app="dw"
tier="web"' ]
	k exec dw -- sh -c 'cat /etc/info/sub/name; echo; stat -L -c %a /etc/info/sub/name /etc/all/conf/a /etc/all/token'
	[ "$output" = "dw
600
440
440" ]
	k exec dw -- sh -c 'cat /etc/all/conf/a /etc/all/token /etc/all/mem; ls /etc/all'
	[ "$output" = "1t0k67108864conf
mem
token" ]
}

@test "a missing ConfigMap, Secret or key is CreateContainerConfigError with the kubelet's message, until it exists" {
	cat >"$BATS_TEST_TMPDIR/miss.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: miss}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: $POD_ROOTFS
    command: ["sh", "-c", "echo v=\$V; sleep 1000"]
    env:
    - {name: HUSK_TEST_TOKEN, value: "$TOKEN"}
    - {name: V, valueFrom: {configMapKeyRef: {name: later, key: k}}}
YAML
	k apply -f "$BATS_TEST_TMPDIR/miss.yaml"
	wait_for 15 bash -c "kubectl get pod miss --no-headers | grep -q CreateContainerConfigError"
	k get pod miss -o jsonpath='{.status.containerStatuses[0].state.waiting.message}'
	[ "$output" = 'configmap "later" not found' ]
	k get events --field-selector involvedObject.name=miss
	[[ "$output" == *Failed*'Error: configmap "later" not found'* ]]
	k create configmap later --from-literal=other=1
	wait_for 15 bash -c "kubectl get pod miss -o jsonpath='{.status.containerStatuses[0].state.waiting.message}' | grep -qx \"couldn't find key k in ConfigMap default/later\""
	k patch configmap later -p '{"data":{"k":"now"}}'
	wait_for 20 running miss
	wait_for 10 bash -c "kubectl logs miss 2>/dev/null | grep -qx v=now"
	# a secret volume whose Secret is missing: FailedMount, the pod waits
	cat >"$BATS_TEST_TMPDIR/vol.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: vol}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: $POD_ROOTFS
    command: ["sh", "-c", "sleep 1000"]
    env: [{name: HUSK_TEST_TOKEN, value: "$TOKEN"}]
    volumeMounts: [{name: s, mountPath: /s}]
  volumes:
  - {name: s, secret: {secretName: absent}}
YAML
	k apply -f "$BATS_TEST_TMPDIR/vol.yaml"
	wait_for 15 bash -c "kubectl get events --field-selector involvedObject.name=vol | grep -q FailedMount"
	k get events --field-selector involvedObject.name=vol
	[[ "$output" == *'MountVolume.SetUp failed for volume "s" : secret "absent" not found'* ]]
	k get pod vol --no-headers
	[[ "$output" != *Running* ]]
	k create secret generic absent --from-literal=x=y
	wait_for 20 running vol
	k exec vol -- cat /s/x
	[ "$output" = y ]
}
