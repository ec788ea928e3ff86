/* tests/fixtures/specs/kitchen-sink.json uses every field of runtime-spec
 * 1.2 (Linux); each one is asserted here as parsed. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "tap.h"

static void
check_top (const struct oci_config *c)
{
  is_str (c->oci_version, "1.2.0", "ociVersion");
  is_str (c->root->path, "/var/lib/husk/rootfs", "root.path");
  ok (c->root->readonly, "root.readonly");
  is_str (c->hostname, "sink", "hostname");
  is_str (c->domainname, "example.org", "domainname");
  is_int (c->annotations.len, 2, "annotations");
  is_str (oci_map_get (&c->annotations, "org.example.key"), "value", "annotation value");
  is_str (oci_map_get (&c->annotations, "com.example.empty"), "", "empty annotation");
  ok (oci_map_get (&c->annotations, "absent") == NULL, "absent annotation");
  is_int (c->mounts_len, 2, "mounts");
  is_str (c->mounts[1].destination, "/data", "mounts[1].destination");
  is_str (c->mounts[1].source, "/srv/data", "mounts[1].source");
  is_str (c->mounts[1].type, "bind", "mounts[1].type");
  is_int (c->mounts[1].options_len, 3, "mounts[1].options");
  is_str (c->mounts[1].options[2], "idmap", "mounts[1].options[2]");
  is_int (c->mounts[1].uid_mappings_len, 1, "mounts[1].uidMappings");
  is_int (c->mounts[1].uid_mappings[0].host_id, 100000, "mounts[1].uidMappings[0].hostID");
  is_int (c->mounts[1].gid_mappings[0].host_id, 200000, "mounts[1].gidMappings[0].hostID");
  is_int (c->mounts[1].gid_mappings[0].size, 65536, "mounts[1].gidMappings[0].size");
}

static void
check_hooks (const struct oci_hooks *h)
{
  is_int (h->prestart.len, 1, "hooks.prestart");
  is_str (h->prestart.hooks[0].path, "/usr/bin/prestart", "prestart path");
  ok (!h->prestart.hooks[0].timeout.set, "prestart: no timeout");
  is_int (h->create_runtime.len, 1, "hooks.createRuntime");
  is_str (h->create_runtime.hooks[0].args[1], "create-runtime", "createRuntime args[1]");
  is_int (h->create_runtime.hooks[0].args_len, 2, "createRuntime args");
  is_str (h->create_runtime.hooks[0].env[0], "A=1", "createRuntime env");
  ok (h->create_runtime.hooks[0].timeout.set && h->create_runtime.hooks[0].timeout.value == 5,
      "createRuntime timeout");
  is_str (h->create_container.hooks[0].path, "/usr/bin/cc", "createContainer");
  is_str (h->start_container.hooks[0].path, "/usr/bin/sc", "startContainer");
  is_int (h->poststart.len, 2, "poststart");
  is_str (h->poststart.hooks[1].path, "/usr/bin/ps2", "poststart[1]");
  is_int (h->poststop.hooks[0].timeout.value, 60, "poststop timeout");
}

static void
check_process (const struct oci_process *p)
{
  ok (p->terminal, "process.terminal");
  ok (p->console_size && p->console_size->height == 25 && p->console_size->width == 80,
      "process.consoleSize");
  is_int (p->user.uid, 1000, "user.uid");
  is_int (p->user.gid, 1001, "user.gid");
  ok (p->user.umask.set && p->user.umask.value == 18, "user.umask");
  is_int (p->user.additional_gids_len, 2, "user.additionalGids");
  is_int (p->user.additional_gids[1], 4294967295u, "additionalGids[1] is UINT32_MAX");
  is_str (p->user.username, "app", "user.username");
  is_int (p->args_len, 3, "args");
  is_str (p->args[2], "ünïcödé", "args[2] (UTF-8)");
  ok (p->args[3] == NULL, "args NULL terminated");
  is_str (p->command_line, "app.exe --flag", "commandLine");
  is_str (p->env[1], "EMPTY=", "env[1]");
  is_str (p->cwd, "/work", "cwd");
  is_int (p->capabilities->bounding_len, 2, "capabilities.bounding");
  is_int (p->capabilities->inheritable_len, 0, "capabilities.inheritable");
  is_str (p->capabilities->ambient[0], "CAP_KILL", "capabilities.ambient");
  is_int (p->rlimits_len, 2, "rlimits");
  is_int (p->rlimits[0].hard, 4096, "rlimits[0].hard");
  ok (p->rlimits[1].soft == UINT64_MAX && p->rlimits[1].hard == UINT64_MAX,
      "rlimits[1] unlimited (UINT64_MAX)");
  ok (p->no_new_privileges, "noNewPrivileges");
  is_str (p->apparmor_profile, "husk-default", "apparmorProfile");
  ok (p->oom_score_adj.set && p->oom_score_adj.value == -500, "oomScoreAdj");
  is_str (p->scheduler->policy, "SCHED_DEADLINE", "scheduler.policy");
  ok (p->scheduler->nice.set && p->scheduler->nice.value == -5, "scheduler.nice");
  ok (p->scheduler->priority.set && p->scheduler->priority.value == 0, "scheduler.priority");
  is_str (p->scheduler->flags[0], "SCHED_FLAG_RESET_ON_FORK", "scheduler.flags");
  is_int (p->scheduler->runtime.value, 1000000, "scheduler.runtime");
  is_int (p->scheduler->deadline.value, 2000000, "scheduler.deadline");
  is_int (p->scheduler->period.value, 3000000, "scheduler.period");
  is_str (p->selinux_label, "system_u:system_r:container_t:s0", "selinuxLabel");
  is_str (p->io_priority->class, "IOPRIO_CLASS_BE", "ioPriority.class");
  is_int (p->io_priority->priority, 4, "ioPriority.priority");
  is_str (p->exec_cpu_affinity->initial, "0-1", "execCPUAffinity.initial");
  is_str (p->exec_cpu_affinity->final, "1", "execCPUAffinity.final");
}

static void
check_linux_ns (const struct oci_config *c)
{
  const struct oci_linux *l = c->linux_;
  const struct oci_namespace *net = oci_config_namespace (c, OCI_NS_NETWORK);

  is_int (l->namespaces_len, 8, "linux.namespaces");
  for (int t = 0; t < OCI_NS__COUNT; t++)
    ok (oci_config_namespace (c, (enum oci_namespace_type) t) != NULL, "namespace %s",
        oci_namespace_type_name ((enum oci_namespace_type) t));
  is_str (net ? net->path : NULL, "/var/run/netns/sink", "network namespace path");
  ok (oci_config_namespace (c, OCI_NS_PID)->path == NULL, "pid namespace has no path");
  is_int (l->uid_mappings_len, 1, "uidMappings");
  is_int (l->gid_mappings_len, 2, "gidMappings");
  is_int (l->gid_mappings[1].container_id, 1000, "gidMappings[1].containerID");
  is_int (l->gid_mappings[1].host_id, 101000, "gidMappings[1].hostID");
  is_int (l->gid_mappings[1].size, 64536, "gidMappings[1].size");
  ok (l->time_offsets.monotonic.set && l->time_offsets.monotonic.secs == -86400
          && l->time_offsets.monotonic.nanosecs == 500, "timeOffsets.monotonic");
  ok (l->time_offsets.boottime.set && l->time_offsets.boottime.secs == 3600,
      "timeOffsets.boottime");
  is_int (l->devices_len, 2, "devices");
  is_str (l->devices[0].path, "/dev/fuse", "devices[0].path");
  is_int (l->devices[0].major, 10, "devices[0].major");
  is_int (l->devices[0].minor, 229, "devices[0].minor");
  ok (l->devices[0].file_mode.set && l->devices[0].file_mode.value == 0666, "devices[0].fileMode");
  ok (l->devices[0].uid.set && l->devices[0].gid.set, "devices[0].uid/gid");
  ok (!l->devices[1].file_mode.set, "devices[1] has no fileMode");
  is_int (l->net_devices_len, 2, "netDevices");
  is_str (l->net_devices[0].host_name, "eth1", "netDevices key");
  is_str (l->net_devices[0].name, "net0", "netDevices name");
  ok (l->net_devices[1].name == NULL, "netDevices name optional");
  is_str (l->cgroups_path, "/husk/sink", "cgroupsPath");
}

static void
check_resources (const struct oci_resources *r)
{
  is_int (r->devices_len, 2, "resources.devices");
  ok (r->devices[1].allow && r->devices[1].major.value == 10 && r->devices[1].minor.set,
      "resources.devices[1]");
  is_str (r->devices[1].type, "c", "resources.devices[1].type");
  is_int (r->memory->limit.value, 536870912, "memory.limit");
  ok (r->memory->swap.set && r->memory->swap.value == -1, "memory.swap -1");
  ok (r->memory->kernel_tcp.set, "memory.kernelTCP");
  is_int (r->memory->swappiness.value, 60, "memory.swappiness");
  ok (r->memory->disable_oom_killer.set && !r->memory->disable_oom_killer.value,
      "memory.disableOOMKiller");
  ok (r->memory->use_hierarchy.value && r->memory->check_before_update.value, "memory bools");
  is_int (r->cpu->shares.value, 1024, "cpu.shares");
  is_int (r->cpu->quota.value, 50000, "cpu.quota");
  is_int (r->cpu->burst.value, 10000, "cpu.burst");
  is_int (r->cpu->realtime_runtime.value, 950000, "cpu.realtimeRuntime");
  is_str (r->cpu->cpus, "0-1", "cpu.cpus");
  ok (r->cpu->idle.set && r->cpu->idle.value == 0, "cpu.idle");
  is_int (r->pids->limit, 64, "pids.limit");
  is_int (r->block_io->weight.value, 500, "blockIO.weight");
  is_int (r->block_io->weight_device[0].leaf_weight.value, 200, "weightDevice leafWeight");
  is_int (r->block_io->throttle_write_bps_device[0].rate, 2097152, "throttleWriteBpsDevice");
  is_int (r->block_io->throttle_read_iops_device[0].minor, 16, "throttleReadIOPSDevice");
  is_int (r->block_io->throttle_write_iops_device[0].rate, 200, "throttleWriteIOPSDevice");
  is_str (r->hugepage_limits[0].page_size, "2MB", "hugepageLimits");
  is_int (r->network->class_id.value, 1048577, "network.classID");
  is_int (r->network->priorities[0].priority, 500, "network.priorities");
  is_str (r->rdma[0].device, "mlx5_1", "rdma device");
  is_int (r->rdma[0].hca_objects.value, 10000, "rdma hcaObjects");
  is_str (oci_map_get (&r->unified, "io.max"), "8:0 rbps=1048576", "unified");
}

static void
check_linux_rest (const struct oci_linux *l)
{
  const struct oci_seccomp *s = l->seccomp;

  is_str (l->intel_rdt->clos_id, "guaranteed", "intelRdt.closID");
  ok (l->intel_rdt->enable_cmt && l->intel_rdt->enable_mbm, "intelRdt.enableCMT/MBM");
  is_str (l->intel_rdt->mem_bw_schema, "MB:0=20", "intelRdt.memBwSchema");
  is_str (oci_map_get (&l->sysctl, "net.ipv4.ip_forward"), "1", "sysctl");
  is_int (s->default_action, OCI_SCMP_ACT_ERRNO, "seccomp.defaultAction");
  is_int (s->default_errno_ret.value, 1, "seccomp.defaultErrnoRet");
  is_str (s->architectures[1], "SCMP_ARCH_X86", "seccomp.architectures");
  is_str (s->flags[0], "SECCOMP_FILTER_FLAG_LOG", "seccomp.flags");
  is_str (s->listener_path, "/run/seccomp-agent.sock", "seccomp.listenerPath");
  is_str (s->listener_metadata, "meta", "seccomp.listenerMetadata");
  is_int (s->syscalls_len, 4, "seccomp.syscalls");
  is_int (s->syscalls[0].names_len, 2, "syscalls[0].names");
  is_int (s->syscalls[2].errno_ret.value, 38, "syscalls[2].errnoRet");
  is_int (s->syscalls[2].args[0].op, OCI_SCMP_CMP_MASKED_EQ, "syscalls[2].args[0].op");
  is_int (s->syscalls[2].args[0].value, 2114060288, "syscalls[2].args[0].value");
  ok (s->syscalls[2].args[0].value_two.set, "syscalls[2].args[0].valueTwo");
  is_int (s->syscalls[3].action, OCI_SCMP_ACT_NOTIFY, "syscalls[3].action");
  is_str (l->rootfs_propagation, "rslave", "rootfsPropagation");
  is_str (l->masked_paths[0], "/proc/kcore", "maskedPaths");
  is_str (l->readonly_paths[0], "/proc/sys", "readonlyPaths");
  is_str (l->mount_label, "system_u:object_r:container_file_t:s0", "mountLabel");
  is_str (l->personality->domain, "LINUX32", "personality.domain");
  ok (l->personality->flags_len == 0 && l->personality->flags, "personality.flags empty");
}

int
main (void)
{
  cleanup_error struct husk_error *err = NULL;
  struct oci_config *c = NULL;

  if (!ok (oci_config_parse_file (HUSK_SPEC_FIXTURES "/kitchen-sink.json", &c, &err) == 0,
           "kitchen-sink.json parses"))
    {
      printf ("# %s\n", err->message);
      return tap_done ();
    }
  check_top (c);
  check_hooks (&c->hooks);
  check_process (c->process);
  check_linux_ns (c);
  check_resources (c->linux_->resources);
  check_linux_rest (c->linux_);
  oci_config_free (c);
  return tap_done ();
}
