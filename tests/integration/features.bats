#!/usr/bin/env bats
# husk features: what the runtime supports, as JSON.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "features: JSON with the OCI version range" {
	husk_stdout features
	[ "$status" -eq 0 ]
	jq_ok '.ociVersionMin | test("^1\\.0")'
	jq_ok '.ociVersionMax | test("^1\\.")'
}

@test "features: lists hooks, namespaces, capabilities and mount options" {
	husk_stdout features
	[ "$status" -eq 0 ]
	jq_ok '.hooks | index("createRuntime") and index("poststop")'
	local ns
	for ns in pid network mount ipc uts user cgroup; do
		jq_ok ".linux.namespaces | index(\"$ns\")"
	done
	jq_ok '.linux.capabilities | index("CAP_SYS_ADMIN")'
	jq_ok '.mountOptions | index("ro") and index("nosuid") and index("rbind")'
}

@test "features: seccomp actions and architectures" {
	husk_stdout features
	[ "$status" -eq 0 ]
	jq_ok '.linux.seccomp.enabled == true'
	jq_ok '.linux.seccomp.actions | index("SCMP_ACT_ERRNO")'
	jq_ok '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")'
}
