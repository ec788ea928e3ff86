/* Validation of a parsed config as one table of checks (after runc's
 * libcontainer/configs/validate), run once after parsing.  Parsing has
 * already checked JSON types, required fields and integer ranges; these
 * checks are about meaning: paths absolute, names known, fields that only
 * make sense with a namespace that is there. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config_internal.h"
#include "spec_names.h"
#include "sysctl_key.h"

struct vctx {
  const char *filename;
  const char *pp; /* the prefix of process paths: "process." or "" */
  const struct oci_config *c;
  const struct oci_linux *l; /* never NULL: an empty one when absent */
  struct husk_error **err;
};

/* fmt starts with the JSON path: "mounts[%zu].destination: ..." */
__attribute__ ((format (printf, 2, 3))) static int
vfail (struct vctx *v, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  jr_sanitize (msg);
  return husk_error_set (v->err, 0, "%s: %s", v->filename, msg ? msg : "invalid config");
}

static bool
has_ns (struct vctx *v, enum oci_namespace_type t)
{
  for (size_t i = 0; i < v->l->namespaces_len; i++)
    if (v->l->namespaces[i].type == t)
      return true;
  return false;
}

static bool
is_abs (const char *p)
{
  return p != NULL && p[0] == '/';
}

static int
check_version (struct vctx *v)
{
  const char *ver = v->c->oci_version;

  if (ver == NULL)
    return vfail (v, "ociVersion: required");
  if (strncmp (ver, "1.", 2) != 0)
    return vfail (v, "ociVersion: unsupported version \"%.64s\" (husk implements 1.x)", ver);
  return 0;
}

static int
check_root (struct vctx *v)
{
  if (v->c->root == NULL)
    return vfail (v, "root: required");
  if (v->c->root->path == NULL || v->c->root->path[0] == '\0')
    return vfail (v, "root.path: required");
  return 0;
}

static int
check_id_map_pair (struct vctx *v, size_t i, const struct oci_mount *m)
{
  if ((m->uid_mappings_len == 0) != (m->gid_mappings_len == 0))
    return vfail (v, "mounts[%zu]: uidMappings and gidMappings must be given together", i);
  return 0;
}

static int
check_mounts (struct vctx *v)
{
  for (size_t i = 0; i < v->c->mounts_len; i++)
    {
      const struct oci_mount *m = &v->c->mounts[i];
      if (!is_abs (m->destination))
        return vfail (v, "mounts[%zu].destination: must be absolute, got \"%.256s\"", i,
                      m->destination ? m->destination : "");
      if (check_id_map_pair (v, i, m) < 0)
        return -1;
    }
  return 0;
}

static int
check_hook_list (struct vctx *v, const char *name, const struct oci_hook_list *list)
{
  for (size_t i = 0; i < list->len; i++)
    {
      const struct oci_hook *h = &list->hooks[i];
      if (!is_abs (h->path))
        return vfail (v, "hooks.%s[%zu].path: must be absolute, got \"%.256s\"", name, i,
                      h->path ? h->path : "");
      if (h->timeout.set && h->timeout.value <= 0)
        return vfail (v, "hooks.%s[%zu].timeout: must be greater than zero, got %lld", name, i,
                      (long long) h->timeout.value);
    }
  return 0;
}

static int
check_hooks (struct vctx *v)
{
  const struct oci_hooks *h = &v->c->hooks;

  if (check_hook_list (v, "prestart", &h->prestart) < 0
      || check_hook_list (v, "createRuntime", &h->create_runtime) < 0
      || check_hook_list (v, "createContainer", &h->create_container) < 0
      || check_hook_list (v, "startContainer", &h->start_container) < 0
      || check_hook_list (v, "poststart", &h->poststart) < 0
      || check_hook_list (v, "poststop", &h->poststop) < 0)
    return -1;
  return 0;
}

static int
check_namespaces (struct vctx *v)
{
  bool seen[OCI_NS__COUNT] = { false };

  for (size_t i = 0; i < v->l->namespaces_len; i++)
    {
      const struct oci_namespace *ns = &v->l->namespaces[i];
      const char *name = oci_namespace_type_name (ns->type);
      if (seen[ns->type])
        return vfail (v, "linux.namespaces[%zu].type: duplicate namespace \"%s\"", i, name);
      seen[ns->type] = true;
      if (ns->path && !is_abs (ns->path))
        return vfail (v, "linux.namespaces[%zu].path: must be absolute, got \"%.256s\"", i,
                      ns->path);
    }
  return 0;
}

static int
check_user_mappings (struct vctx *v)
{
  bool user = has_ns (v, OCI_NS_USER);

  if (!user && v->l->uid_mappings_len > 0)
    return vfail (v, "linux.uidMappings: given without a user namespace");
  if (!user && v->l->gid_mappings_len > 0)
    return vfail (v, "linux.gidMappings: given without a user namespace");
  return 0;
}

static int
check_time_offset (struct vctx *v, const char *name, const struct oci_time_offset *o)
{
  if (o->set && !has_ns (v, OCI_NS_TIME))
    return vfail (v, "linux.timeOffsets.%s: given without a time namespace", name);
  if (o->nanosecs >= 1000000000u)
    return vfail (v, "linux.timeOffsets.%s.nanosecs: %u is out of range (0..999999999)", name,
                  o->nanosecs);
  return 0;
}

static int
check_time_offsets (struct vctx *v)
{
  if (check_time_offset (v, "monotonic", &v->l->time_offsets.monotonic) < 0
      || check_time_offset (v, "boottime", &v->l->time_offsets.boottime) < 0)
    return -1;
  return 0;
}

static int
check_uts (struct vctx *v)
{
  if (v->c->hostname && v->c->hostname[0] && !has_ns (v, OCI_NS_UTS))
    return vfail (v, "hostname: \"%.64s\" needs a new uts namespace", v->c->hostname);
  if (v->c->domainname && v->c->domainname[0] && !has_ns (v, OCI_NS_UTS))
    return vfail (v, "domainname: \"%.64s\" needs a new uts namespace", v->c->domainname);
  return 0;
}

static const char *const ipc_sysctls[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
  "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
};

/* A sysctl is only allowed when it lives in a namespace the container has
 * of its own, else it would change the host (runc's rule). */
static int
check_one_sysctl (struct vctx *v, const char *key)
{
  cleanup_free char *name = oci_sysctl_key_path (key);

  if (name == NULL && errno == ENOMEM)
    return husk_error_set (v->err, ENOMEM, "%s: linux.sysctl", v->filename);
  if (name == NULL)
    return vfail (v, "linux.sysctl: \"%.128s\" is not a sysctl name (empty, \".\" or \"..\" "
                  "component)", key);
  for (char *p = name; *p; p++)
    if (*p == '/')
      *p = '.'; /* the checks below read the dotted form */
  if (oci_name_in (ipc_sysctls, name) || strncmp (name, "fs.mqueue.", 10) == 0)
    return has_ns (v, OCI_NS_IPC)
               ? 0
               : vfail (v, "linux.sysctl: \"%.128s\" needs a new ipc namespace", key);
  if (strncmp (name, "net.", 4) == 0)
    return has_ns (v, OCI_NS_NETWORK)
               ? 0
               : vfail (v, "linux.sysctl: \"%.128s\" needs a new network namespace", key);
  if (strcmp (name, "kernel.hostname") == 0)
    return vfail (v, "linux.sysctl: \"kernel.hostname\" is not allowed, use the hostname field");
  if (strcmp (name, "kernel.domainname") == 0 && has_ns (v, OCI_NS_UTS))
    return 0;
  return vfail (v, "linux.sysctl: \"%.128s\" is not in a namespace of the container's own", key);
}

static int
check_sysctl (struct vctx *v)
{
  for (size_t i = 0; i < v->l->sysctl.len; i++)
    if (check_one_sysctl (v, v->l->sysctl.keys[i]) < 0)
      return -1;
  return 0;
}

static int
check_rlimits (struct vctx *v, const struct oci_process *p)
{
  for (size_t i = 0; i < p->rlimits_len; i++)
    {
      const struct oci_rlimit *rl = &p->rlimits[i];
      if (oci_rlimit_from_name (rl->type) < 0)
        return vfail (v, "%srlimits[%zu].type: unknown rlimit \"%.64s\"", v->pp, i, rl->type);
      if (rl->soft > rl->hard)
        return vfail (v, "%srlimits[%zu]: soft limit %llu is above hard limit %llu", v->pp, i,
                      (unsigned long long) rl->soft, (unsigned long long) rl->hard);
      for (size_t j = 0; j < i; j++)
        if (strcmp (p->rlimits[j].type, rl->type) == 0)
          return vfail (v, "%srlimits[%zu].type: duplicate rlimit \"%s\"", v->pp, i, rl->type);
    }
  return 0;
}

static int
check_scheduler (struct vctx *v, const struct oci_scheduler *s)
{
  if (s == NULL)
    return 0;
  if (!oci_name_in (oci_names_sched_policies, s->policy))
    return vfail (v, "%sscheduler.policy: unknown policy \"%.64s\"", v->pp, s->policy);
  for (size_t i = 0; i < s->flags_len; i++)
    if (!oci_name_in (oci_names_sched_flags, s->flags[i]))
      return vfail (v, "%sscheduler.flags[%zu]: unknown flag \"%.64s\"", v->pp, i, s->flags[i]);
  if (s->nice.set && (s->nice.value < -20 || s->nice.value > 19))
    return vfail (v, "%sscheduler.nice: %lld is out of range (-20..19)", v->pp,
                  (long long) s->nice.value);
  return 0;
}

static int
check_process_fields (struct vctx *v, const struct oci_process *p)
{
  if (p->args_len == 0)
    return vfail (v, "%sargs: at least one entry is required", v->pp);
  if (!is_abs (p->cwd))
    return vfail (v, "%scwd: must be absolute, got \"%.256s\"", v->pp, p->cwd ? p->cwd : "");
  if (p->oom_score_adj.set && (p->oom_score_adj.value < -1000 || p->oom_score_adj.value > 1000))
    return vfail (v, "%soomScoreAdj: %lld is out of range (-1000..1000)", v->pp,
                  (long long) p->oom_score_adj.value);
  if (p->io_priority && !oci_name_in (oci_names_ioprio_classes, p->io_priority->class))
    return vfail (v, "%sioPriority.class: unknown class \"%.64s\"", v->pp,
                  p->io_priority->class);
  if (p->io_priority && (p->io_priority->priority < 0 || p->io_priority->priority > 7))
    return vfail (v, "%sioPriority.priority: %lld is out of range (0..7)", v->pp,
                  (long long) p->io_priority->priority);
  return 0;
}

static int
check_process_of (struct vctx *v, const struct oci_process *p)
{
  if (p == NULL)
    return 0;
  if (check_process_fields (v, p) < 0 || check_rlimits (v, p) < 0
      || check_scheduler (v, p->scheduler) < 0)
    return -1;
  return 0;
}

static int
check_process (struct vctx *v)
{
  return check_process_of (v, v->c->process);
}

static int
check_devices (struct vctx *v)
{
  for (size_t i = 0; i < v->l->devices_len; i++)
    {
      const struct oci_device *d = &v->l->devices[i];
      if (d->type == NULL || strlen (d->type) != 1 || !strchr ("cbup", d->type[0]))
        return vfail (v, "linux.devices[%zu].type: unknown device type \"%.16s\"", i,
                      d->type ? d->type : "");
      if (!is_abs (d->path))
        return vfail (v, "linux.devices[%zu].path: must be absolute, got \"%.256s\"", i,
                      d->path ? d->path : "");
    }
  return 0;
}

static int
check_device_cgroup (struct vctx *v, const struct oci_resources *res)
{
  for (size_t i = 0; i < res->devices_len; i++)
    {
      const struct oci_device_cgroup *d = &res->devices[i];
      if (d->type && (strlen (d->type) != 1 || !strchr ("acb", d->type[0])))
        return vfail (v, "linux.resources.devices[%zu].type: unknown device type \"%.16s\"", i,
                      d->type);
      if (d->access && strspn (d->access, "rwm") != strlen (d->access))
        return vfail (v, "linux.resources.devices[%zu].access: \"%.16s\" is not a subset of rwm",
                      i, d->access);
    }
  return 0;
}

static int
check_weight (struct vctx *v, const char *path, oci_opt_u64 w)
{
  /* 0 is "not set": dockerd always sends "weight": 0, and runc skips it. */
  if (w.set && w.value != 0 && (w.value < 10 || w.value > 1000))
    return vfail (v, "linux.resources.blockIO.%s: %llu is out of range (10..1000)", path,
                  (unsigned long long) w.value);
  return 0;
}

static int
check_resources (struct vctx *v)
{
  const struct oci_resources *res = v->l->resources;

  if (res == NULL)
    return 0;
  if (check_device_cgroup (v, res) < 0)
    return -1;
  /* UINT64_MAX is Go's uint64(-1): "not set" for runc, sent by podman */
  if (res->memory && res->memory->swappiness.set && res->memory->swappiness.value > 100
      && res->memory->swappiness.value != UINT64_MAX)
    return vfail (v, "linux.resources.memory.swappiness: %llu is out of range (0..100)",
                  (unsigned long long) res->memory->swappiness.value);
  if (res->block_io
      && (check_weight (v, "weight", res->block_io->weight) < 0
          || check_weight (v, "leafWeight", res->block_io->leaf_weight) < 0))
    return -1;
  return 0;
}

/* ".." would step out of the tree.  A systemd "slice:prefix:name" is
 * checked by the driver, which alone knows whether --systemd-cgroup was
 * given (runtime/cgroup). */
static int
check_cgroups_path (struct vctx *v)
{
  const char *p = v->l->cgroups_path;

  if (p == NULL)
    return 0;
  for (const char *s = p; (s = strstr (s, "..")) != NULL; s += 2)
    if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
      return vfail (v, "linux.cgroupsPath: \"%.256s\" must not contain \"..\"", p);
  return 0;
}

static int
check_seccomp_syscalls (struct vctx *v, const struct oci_seccomp *s, bool *notify)
{
  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      const struct oci_seccomp_syscall *sc = &s->syscalls[i];
      if (sc->names_len == 0)
        return vfail (v, "linux.seccomp.syscalls[%zu].names: at least one name is required", i);
      if (sc->action == OCI_SCMP_ACT_NOTIFY)
        *notify = true;
      for (size_t j = 0; j < sc->args_len; j++)
        if (sc->args[j].index > 5)
          return vfail (v, "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range "
                        "(0..5)", i, j, sc->args[j].index);
    }
  return 0;
}

static int
check_seccomp (struct vctx *v)
{
  const struct oci_seccomp *s = v->l->seccomp;
  bool notify;

  if (s == NULL)
    return 0;
  notify = s->default_action == OCI_SCMP_ACT_NOTIFY;
  for (size_t i = 0; i < s->architectures_len; i++)
    if (!oci_name_in (oci_names_seccomp_archs, s->architectures[i]))
      return vfail (v, "linux.seccomp.architectures[%zu]: unknown architecture \"%.64s\"", i,
                    s->architectures[i]);
  for (size_t i = 0; i < s->flags_len; i++)
    if (!oci_name_in (oci_names_seccomp_flags, s->flags[i]))
      return vfail (v, "linux.seccomp.flags[%zu]: unknown flag \"%.64s\"", i, s->flags[i]);
  if (check_seccomp_syscalls (v, s, &notify) < 0)
    return -1;
  if (notify && (s->listener_path == NULL || s->listener_path[0] == '\0'))
    return vfail (v, "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY");
  if (s->listener_path && s->listener_path[0] && !is_abs (s->listener_path))
    return vfail (v, "linux.seccomp.listenerPath: must be absolute, got \"%.256s\"",
                  s->listener_path);
  return 0;
}

static int
check_path_list (struct vctx *v, const char *name, char **paths, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!is_abs (paths[i]))
      return vfail (v, "linux.%s[%zu]: must be absolute, got \"%.256s\"", name, i, paths[i]);
  return 0;
}

static int
check_linux_misc (struct vctx *v)
{
  const struct oci_linux *l = v->l;

  if (l->rootfs_propagation && l->rootfs_propagation[0]
      && !oci_name_in (oci_names_rootfs_propagation, l->rootfs_propagation))
    return vfail (v, "linux.rootfsPropagation: unknown propagation \"%.64s\"",
                  l->rootfs_propagation);
  if (l->personality && !oci_name_in (oci_names_personality_domains, l->personality->domain))
    return vfail (v, "linux.personality.domain: unknown domain \"%.64s\"",
                  l->personality->domain);
  if (check_path_list (v, "maskedPaths", l->masked_paths, l->masked_paths_len) < 0
      || check_path_list (v, "readonlyPaths", l->readonly_paths, l->readonly_paths_len) < 0)
    return -1;
  return 0;
}

/* Interface names: at most 15 bytes, no '/', ':' or spaces (the kernel's
 * dev_valid_name plus what ip(8) refuses). */
static bool
valid_ifname (const char *n)
{
  size_t len = n ? strlen (n) : 0;
  return len > 0 && len < 16 && strcmp (n, ".") && strcmp (n, "..") && !strpbrk (n, "/: \t\n");
}

static int
check_net_devices (struct vctx *v)
{
  for (size_t i = 0; i < v->l->net_devices_len; i++)
    {
      const struct oci_net_device *d = &v->l->net_devices[i];
      if (!valid_ifname (d->host_name))
        return vfail (v, "linux.netDevices: invalid interface name \"%.64s\"", d->host_name);
      if (d->name && !valid_ifname (d->name))
        return vfail (v, "linux.netDevices[\"%s\"].name: invalid interface name \"%.64s\"",
                      d->host_name, d->name);
      if (!has_ns (v, OCI_NS_NETWORK))
        return vfail (v, "linux.netDevices: given without a network namespace");
    }
  return 0;
}

typedef int (*check_fn) (struct vctx *v);

/* Run in order; the first failure is reported. */
static const struct {
  const char *what;
  check_fn fn;
} checks[] = {
  { "ociVersion major is 1", check_version },
  { "root.path is given", check_root },
  { "mount destinations are absolute", check_mounts },
  { "process args, cwd, rlimits, scheduler", check_process },
  { "hook paths absolute, timeouts positive", check_hooks },
  { "namespaces known, not repeated, paths absolute", check_namespaces },
  { "uid/gid mappings only with a user namespace", check_user_mappings },
  { "time offsets only with a time namespace", check_time_offsets },
  { "hostname/domainname only with a uts namespace", check_uts },
  { "sysctls only in namespaces of the container", check_sysctl },
  { "devices typed and absolute", check_devices },
  { "resources within range", check_resources },
  { "cgroupsPath does not climb", check_cgroups_path },
  { "seccomp names known", check_seccomp },
  { "propagation, personality, masked/readonly paths", check_linux_misc },
  { "netDevices names valid", check_net_devices },
};

int
oci_config_validate (const char *filename, const struct oci_config *config,
                     struct husk_error **err)
{
  static const struct oci_linux empty_linux;
  struct vctx v = {
    .filename = filename ? filename : "config.json",
    .pp = "process.",
    .c = config,
    .l = config->linux_ ? config->linux_ : &empty_linux,
    .err = err,
  };

  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
    if (checks[i].fn (&v) < 0)
      return -1;
  return 0;
}

int
oci_process_validate (const char *filename, const struct oci_process *process,
                      struct husk_error **err)
{
  struct vctx v = { .filename = filename ? filename : "process.json", .pp = "", .err = err };
  return check_process_of (&v, process);
}
