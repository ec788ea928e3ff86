#!/usr/bin/env bats
# process.capabilities: the five sets as the kernel shows them to the
# process (husk-checker reads CapBnd/CapEff/CapPrm/CapInh/CapAmb).  The
# plain "every set equal" case and the unknown name in the bounding set
# are in ../security.bats.

load ../helpers
load common

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# Five different sets: ambient within permitted and inheritable.
five_sets() {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_AUDIT_WRITE"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_KILL"],
		"inheritable": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
}

@test "capabilities: root gets bounding, permitted, inheritable and ambient exactly" {
	five_sets
	run_checker caps
	jq_ok '(.caps.bounding | sort) == ["CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"]'
	jq_ok '(.caps.inheritable | sort) == ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"]'
	jq_ok '.caps.ambient == ["CAP_NET_BIND_SERVICE"]'
	# noNewPrivileges keeps execve from raising root's permitted set
	jq_ok '(.caps.permitted | sort) == ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
	# and execve as uid 0 makes effective the whole permitted set
	jq_ok '(.caps.effective | sort) == (.caps.permitted | sort)'
}

@test "capabilities: the effective set is exactly the configured one for a non-root user" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
	run_checker caps
	local s
	for s in bounding permitted effective inheritable ambient; do
		jq_ok "(.caps.$s | sort) == [\"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]"
	done
}

@test "capabilities: a non-root user keeps exactly the ambient set across execve" {
	five_sets
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_checker caps ids
	jq_ok '.ids.uid == 1000'
	jq_ok '(.caps.bounding | length) == 5'
	jq_ok '(.caps.inheritable | sort) == ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"]'
	jq_ok '.caps.ambient == ["CAP_NET_BIND_SERVICE"]'
	jq_ok '.caps.permitted == ["CAP_NET_BIND_SERVICE"]'
	jq_ok '.caps.effective == ["CAP_NET_BIND_SERVICE"]'
}

@test "capabilities: a non-root user without ambient caps has none" {
	five_sets
	update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities.ambient = []'
	run_checker caps
	jq_ok '.caps.permitted == [] and .caps.effective == [] and .caps.ambient == []'
	jq_ok '(.caps.bounding | length) == 5'
}

@test "capabilities: empty sets leave the process without any capability" {
	update_config '.process.capabilities = {"bounding": [], "permitted": [], "effective": [],
		"inheritable": [], "ambient": []}'
	run_checker caps
	jq_ok '.caps.bounding == [] and .caps.permitted == [] and .caps.effective == []'
	jq_ok '.caps.inheritable == [] and .caps.ambient == []'
}

@test "capabilities: a dropped capability is really gone (chown fails without CAP_CHOWN)" {
	set_args /bin/chown 1000 /tmp
	husk run "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	update_config '.process.capabilities.bounding += ["CAP_CHOWN"]
		| .process.capabilities.effective += ["CAP_CHOWN"]
		| .process.capabilities.permitted += ["CAP_CHOWN"]'
	husk run "$CID"
	[ "$status" -eq 0 ]
}

@test "capabilities: an unknown name in the ambient set is a warning naming it" {
	# config.md: "MUST be logged as a warning"; runc and crun run without it
	update_config '.process.capabilities.ambient += ["CAP_HUSK_BOGUS"]'
	run_checker caps
	[[ "$stderr" == *CAP_HUSK_BOGUS* ]]
	jq_ok '.caps.ambient | index("CAP_HUSK_BOGUS") == null'
	if is_husk; then
		[[ "$stderr" == *process.capabilities.ambient* ]]
	fi
}

@test "capabilities: exec --cap with an unknown name is a warning naming it" {
	run_detached
	husk exec --cap CAP_HUSK_BOGUS "$CID" /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" == *CAP_HUSK_BOGUS* ]]
}
