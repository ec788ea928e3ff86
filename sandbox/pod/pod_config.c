/* config.json for a container of a pod: the pod's description turned into
 * an OCI runtime spec that joins the holder's namespaces by path. */
#include "pod_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_writer.h"
#include "../../oci/spec_default.h"
#include "pod_util.h"

/* Docker's and containerd's default set: what a Kubernetes container gets
 * unless its securityContext adds or drops. */
static const char *const default_caps[] = {
  "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",     "CAP_FOWNER",          "CAP_MKNOD",
  "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",     "CAP_SETFCAP",         "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
};

static const char *const all_caps[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
  "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
  "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
  "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};

#define N_ALL_CAPS (sizeof all_caps / sizeof all_caps[0])

static bool
cap_matches (const char *spec_name, const char *cap)
{
  if (strcasecmp (spec_name, "ALL") == 0)
    return true;
  if (strncasecmp (spec_name, "CAP_", 4) == 0)
    spec_name += 4;
  return strcasecmp (spec_name, cap + 4) == 0;
}

static bool
in_list (char *const *list, size_t len, const char *cap)
{
  for (size_t i = 0; i < len; i++)
    if (cap_matches (list[i], cap))
      return true;
  return false;
}

static bool
is_default_cap (const char *cap)
{
  for (size_t i = 0; i < sizeof default_caps / sizeof default_caps[0]; i++)
    if (strcmp (default_caps[i], cap) == 0)
      return true;
  return false;
}

/* What "all" is, for a privileged container and `add: [ALL]`: the caps
 * this process can hand out (its bounding set; all_caps is in capability
 * number order), as containerd's WithAllCurrentCapabilities.  A machine
 * without CAP_SYS_RESOURCE cannot give it: asking would fail the runtime's
 * capset. */
static bool
can_grant (size_t cap)
{
  return prctl (PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0) == 1;
}

/* Added by name (granted or not: the runtime says why it cannot), or by
 * ALL when this process can grant it. */
static bool
added (const struct pod_capabilities *c, size_t cap)
{
  for (size_t i = 0; i < c->add_len; i++)
    if (strcasecmp (c->add[i], "ALL") == 0 ? can_grant (cap)
                                            : cap_matches (c->add[i], all_caps[cap]))
      return true;
  return false;
}

/* Kubernetes applies drop before add, so `drop: [ALL], add: [NET_ADMIN]`
 * leaves exactly NET_ADMIN. */
static bool
cap_on (const struct pod_security_context *sc, size_t cap)
{
  const struct pod_capabilities *c = &sc->capabilities;
  return (sc->privileged && can_grant (cap))
         || (is_default_cap (all_caps[cap]) && !in_list (c->drop, c->drop_len, all_caps[cap]))
         || added (c, cap);
}

bool
pod_config_has_cap (const struct pod_security_context *sc, const char *cap)
{
  for (size_t i = 0; i < N_ALL_CAPS; i++)
    if (strcmp (all_caps[i], cap) == 0)
      return cap_on (sc, i);
  return false;
}

static void
write_cap_set (struct jw *w, const char *key, const struct pod_security_context *sc)
{
  jw_key (w, key);
  jw_array_open (w);
  for (size_t i = 0; i < N_ALL_CAPS; i++)
    {
      if (cap_on (sc, i))
        jw_string (w, all_caps[i]);
    }
  jw_array_close (w);
}

static void
write_capabilities (struct jw *w, const struct pod_security_context *sc)
{
  jw_key (w, "capabilities");
  jw_open (w);
  write_cap_set (w, "bounding", sc);
  write_cap_set (w, "effective", sc);
  write_cap_set (w, "permitted", sc);
  jw_close (w);
}

static void
write_user (struct jw *w, const struct pod_config_input *in)
{
  const struct pod_security_context *c = &in->container->security_context;
  const struct pod_security_context *p = &in->pod->security_context;
  /* The image's User (names resolved in its rootfs), then runAsUser/Group. */
  long long uid = in->image_user.set ? in->image_user.uid : 0;
  long long gid = in->image_user.set ? in->image_user.gid : 0;

  if (c->run_as_user.set || p->run_as_user.set)
    uid = c->run_as_user.set ? c->run_as_user.value : p->run_as_user.value;
  if (c->run_as_group.set || p->run_as_group.set)
    gid = c->run_as_group.set ? c->run_as_group.value : p->run_as_group.value;
  jw_key (w, "user");
  jw_open (w);
  jw_key_int (w, "uid", uid);
  jw_key_int (w, "gid", gid);
  const struct pod_security_context *groups = c->supplemental_groups_len ? c : p;
  if (p->fs_group.set || groups->supplemental_groups_len || in->image_gids_len)
    {
      jw_key (w, "additionalGids");
      jw_array_open (w);
      for (size_t i = 0; i < in->image_gids_len; i++)
        yajl_gen_integer (w->g, in->image_gids[i]);
      if (p->fs_group.set)
        yajl_gen_integer (w->g, p->fs_group.value);
      for (size_t i = 0; i < groups->supplemental_groups_len; i++)
        yajl_gen_integer (w->g, groups->supplemental_groups[i]);
      jw_array_close (w);
    }
  jw_close (w);
}

static int
write_args (struct jw *w, const struct pod_config_input *in, struct husk_error **err)
{
  const struct pod_container *c = in->container;
  char *const *entry = c->command ? c->command : in->image ? in->image->entrypoint : NULL;
  char *const *args = c->args ? c->args : (c->command == NULL && in->image) ? in->image->cmd : NULL;

  if ((entry == NULL || entry[0] == NULL) && (args == NULL || args[0] == NULL))
    return husk_error_set (err, EINVAL,
                           "container `%s`: no command (neither command/args nor an image "
                           "entrypoint/cmd)",
                           c->name);
  jw_key (w, "args");
  jw_array_open (w);
  for (char *const *a = entry; a && *a; a++)
    jw_string (w, *a);
  for (char *const *a = args; a && *a; a++)
    jw_string (w, *a);
  jw_array_close (w);
  return 0;
}

static void
write_env (struct jw *w, const struct pod_config_input *in)
{
  bool has_path = false;

  jw_key (w, "env");
  jw_array_open (w);
  for (char **e = in->image ? in->image->env : NULL; e && *e; e++)
    {
      has_path |= strncmp (*e, "PATH=", 5) == 0;
      jw_string (w, *e);
    }
  if (!has_path)
    jw_string (w, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (size_t i = 0; i < in->container->env_len; i++)
    {
      cleanup_free char *kv = pod_path ("%s=%s", in->container->env[i].name,
                                        in->container->env[i].value);
      if (kv)
        jw_string (w, kv);
    }
  cleanup_free char *host = pod_path ("HOSTNAME=%s", in->pod->hostname);
  if (host)
    jw_string (w, host);
  jw_array_close (w);
}

static int
write_process (struct jw *w, const struct pod_config_input *in, struct husk_error **err)
{
  const struct pod_container *c = in->container;
  const char *cwd = c->working_dir ? c->working_dir
                    : (in->image && in->image->working_dir && in->image->working_dir[0])
                        ? in->image->working_dir
                        : "/";
  const oci_opt_bool *ape = &c->security_context.allow_privilege_escalation;

  jw_key (w, "process");
  jw_open (w);
  jw_key_bool (w, "terminal", c->tty); /* the holder takes the pty master */
  write_user (w, in);
  if (write_args (w, in, err) < 0)
    return -1;
  write_env (w, in);
  jw_key_string (w, "cwd", cwd);
  write_capabilities (w, &c->security_context);
  jw_key_bool (w, "noNewPrivileges", ape->set && !ape->value);
  if (c->cri.oom_score_adj.set)
    jw_key_int (w, "oomScoreAdj", c->cri.oom_score_adj.value);
  jw_close (w);
  return 0;
}

/* ---- mounts ---- */

static void
write_mount (struct jw *w, const char *dest, const char *type, const char *src,
             const char *const *options)
{
  jw_open (w);
  jw_key_string (w, "destination", dest);
  jw_key_string (w, "type", type);
  jw_key_string (w, "source", src);
  jw_key_strv (w, "options", options);
  jw_close (w);
}

static void
write_base_mounts (struct jw *w, const struct pod_config_input *in, const char *pod_dir)
{
  bool priv = in->container->security_context.privileged;
  const char *const sys_opts[] = { "nosuid", "noexec", "nodev", priv ? "rw" : "ro", NULL };
  const char *const bind_ro[] = { "rbind", "ro", "nosuid", "nodev", NULL };
  const char *const bind_rw[] = { "rbind", "rw", "nosuid", "nodev", NULL };
  cleanup_free char *hosts = pod_path ("%s/etc/hosts", pod_dir);
  cleanup_free char *hostname = pod_path ("%s/etc/hostname", pod_dir);
  cleanup_free char *resolv = pod_path ("%s/etc/resolv.conf", pod_dir);
  cleanup_free char *shm = pod_path ("%s/shm", pod_dir);

  write_mount (w, "/proc", "proc", "proc", (const char *const[]) { NULL });
  write_mount (w, "/dev", "tmpfs", "tmpfs",
               (const char *const[]) { "nosuid", "strictatime", "mode=755", "size=65536k", NULL });
  write_mount (w, "/dev/pts", "devpts", "devpts",
               (const char *const[]) { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                       "mode=0620", "gid=5", NULL });
  write_mount (w, "/dev/mqueue", "mqueue", "mqueue",
               (const char *const[]) { "nosuid", "noexec", "nodev", NULL });
  write_mount (w, "/sys", "sysfs", "sysfs", sys_opts);
  write_mount (w, "/sys/fs/cgroup", "cgroup", "cgroup",
               (const char *const[]) { "nosuid", "noexec", "nodev", "relatime", "ro", NULL });
  /* Kubernetes gives the pod one /dev/shm, so POSIX shared memory is shared
   * like SysV IPC is. */
  write_mount (w, "/dev/shm", "bind", shm, bind_rw);
  write_mount (w, "/etc/hosts", "bind", hosts, bind_rw);
  write_mount (w, "/etc/hostname", "bind", hostname, bind_ro);
  write_mount (w, "/etc/resolv.conf", "bind", resolv, bind_ro);
}

/* Kubernetes' mountPropagation as a bind's option (NULL: the runtime's
 * default, rprivate). */
static const char *
mount_propagation (const struct pod_volume_mount *m)
{
  const char *p = m->mount_propagation;
  if (p && strcmp (p, "Bidirectional") == 0)
    return "rshared";
  if (p && strcmp (p, "HostToContainer") == 0)
    return "rslave";
  return p && strcmp (p, "None") == 0 ? "rprivate" : NULL;
}

/* The root's propagation, as containerd sets it: a Bidirectional mount
 * needs a shared root for its mounts to reach the host, HostToContainer a
 * slave one for the host's to come in. */
static const char *
rootfs_propagation (const struct pod_container *c)
{
  const char *best = NULL;
  for (size_t i = 0; i < c->volume_mounts_len; i++)
    {
      const char *p = mount_propagation (&c->volume_mounts[i]);
      if (p && strcmp (p, "rshared") == 0)
        return "rshared";
      if (p && strcmp (p, "rslave") == 0)
        best = "rslave";
    }
  return best;
}

static int
write_volume_mounts (struct jw *w, const struct pod_config_input *in, struct husk_error **err)
{
  for (size_t i = 0; i < in->container->volume_mounts_len; i++)
    {
      const struct pod_volume_mount *m = &in->container->volume_mounts[i];
      const struct pod_volume *vol = pod_spec_find_volume (in->pod, m->name);
      cleanup_free char *src = NULL;

      if (pod_volume_source (in->env, in->sandbox_id, vol, m, &src, err) < 0)
        return husk_error_wrap (err, "container `%s`: volumeMounts[%zu]", in->container->name,
                                i);
      write_mount (w, m->mount_path, "bind", src,
                   (const char *const[]) { "rbind", m->read_only ? "ro" : "rw",
                                           mount_propagation (m), NULL });
    }
  return 0;
}

static int
write_mounts (struct jw *w, const struct pod_config_input *in, struct husk_error **err)
{
  cleanup_free char *pod_dir = pod_sandbox_dir (in->env, in->sandbox_id);

  if (pod_dir == NULL)
    return husk_error_set (err, ENOMEM, "config.json");
  jw_key (w, "mounts");
  jw_array_open (w);
  write_base_mounts (w, in, pod_dir);
  if (write_volume_mounts (w, in, err) < 0)
    return -1;
  jw_array_close (w);
  return 0;
}


/* ---- linux ---- */

static void
write_namespace (struct jw *w, const char *type, pid_t pid, const char *ns)
{
  jw_open (w);
  jw_key_string (w, "type", type);
  if (pid > 0)
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, ns);
      jw_key_string (w, "path", path);
    }
  jw_close (w);
}

/* The PID namespace: the container's own option (CRI) or the pod's
 * (hostPID, shareProcessNamespace).  Node: the host's, no entry. */
static void
write_pid_namespace (struct jw *w, const struct pod_config_input *in)
{
  enum pod_pid_mode mode = in->container->cri.pid;

  if (mode == POD_PID_DEFAULT)
    mode = in->pod->host_pid ? POD_PID_NODE : POD_PID_POD;
  if (mode == POD_PID_NODE)
    return;
  write_namespace (w, "pid",
                   mode == POD_PID_TARGET ? in->target_pid
                   : mode == POD_PID_POD  ? in->pid1
                                          : 0,
                   "pid");
}

/* hostNetwork pods run in the host's net, ipc and uts (their holder has
 * none of its own), hostIPC ones in its ipc: no entry at all. */
static void
write_namespaces (struct jw *w, const struct pod_config_input *in)
{
  jw_key (w, "namespaces");
  jw_array_open (w);
  if (!in->pod->host_network)
    {
      write_namespace (w, "network", in->holder_pid, "net");
      write_namespace (w, "uts", in->holder_pid, "uts");
    }
  if (!in->pod->host_network && !in->pod->host_ipc)
    write_namespace (w, "ipc", in->holder_pid, "ipc");
  write_namespace (w, "mount", 0, NULL);
  write_pid_namespace (w, in);
  jw_array_close (w);
}

/* A CRI container's resources as kubelet computed them: no conversion. */
static void
write_cri_resources (struct jw *w, const struct pod_cri_linux *x)
{
  if (x->memory_limit.set || x->memory_swap.set)
    {
      jw_key (w, "memory");
      jw_open (w);
      /* the CRI's 0 is "not set" */
      if (x->memory_limit.set && x->memory_limit.value != 0)
        jw_key_int (w, "limit", x->memory_limit.value);
      if (x->memory_swap.set && x->memory_swap.value != 0)
        jw_key_int (w, "swap", x->memory_swap.value);
      jw_close (w);
    }
  jw_key (w, "cpu");
  jw_open (w);
  if (x->cpu_shares.set && x->cpu_shares.value != 0)
    jw_key_int (w, "shares", x->cpu_shares.value);
  if (x->cpu_quota.set && x->cpu_quota.value != 0)
    jw_key_int (w, "quota", x->cpu_quota.value);
  if (x->cpu_period.set && x->cpu_period.value != 0)
    jw_key_int (w, "period", x->cpu_period.value);
  if (x->cpuset_cpus && x->cpuset_cpus[0])
    jw_key_string (w, "cpus", x->cpuset_cpus);
  if (x->cpuset_mems && x->cpuset_mems[0])
    jw_key_string (w, "mems", x->cpuset_mems);
  jw_close (w);
  if (x->hugepages_len)
    {
      jw_key (w, "hugepageLimits");
      jw_array_open (w);
      for (size_t i = 0; i < x->hugepages_len; i++)
        {
          jw_open (w);
          jw_key_string (w, "pageSize", x->hugepages[i].page_size);
          jw_key_int (w, "limit", x->hugepages[i].limit);
          jw_close (w);
        }
      jw_array_close (w);
    }
  if (x->unified.len)
    jw_key_map (w, "unified", &x->unified);
}

/* Everything denied, then the CRI's devices (the runtime adds the
 * standard ones).  (A privileged container too: a pod's cgroup may not
 * allow every device, and its child cannot.) */
static void
write_device_rules (struct jw *w, const struct pod_config_input *in)
{
  jw_key (w, "devices");
  jw_array_open (w);
  jw_open (w);
  jw_key_bool (w, "allow", false);
  jw_key_string (w, "access", "rwm");
  jw_close (w);
  for (size_t i = 0; i < in->devices_len; i++)
    {
      const struct pod_config_device *d = &in->devices[i];
      jw_open (w);
      jw_key_bool (w, "allow", true);
      jw_key_string (w, "type", d->type);
      jw_key_int (w, "major", d->major);
      jw_key_int (w, "minor", d->minor);
      jw_key_string (w, "access", d->access);
      jw_close (w);
    }
  jw_array_close (w);
}

static void
write_devices (struct jw *w, const struct pod_config_input *in)
{
  if (in->devices_len == 0)
    return;
  jw_key (w, "devices");
  jw_array_open (w);
  for (size_t i = 0; i < in->devices_len; i++)
    {
      const struct pod_config_device *d = &in->devices[i];
      jw_open (w);
      jw_key_string (w, "path", d->path);
      jw_key_string (w, "type", d->type);
      jw_key_int (w, "major", d->major);
      jw_key_int (w, "minor", d->minor);
      jw_key_int (w, "fileMode", d->mode);
      jw_key_int (w, "uid", d->uid);
      jw_key_int (w, "gid", d->gid);
      jw_close (w);
    }
  jw_array_close (w);
}

/* cpu.shares from requests and a CFS quota from limits, as the kubelet
 * computes them (MilliCPUToShares / MilliCPUToQuota with a 100 ms period). */
static void
write_resources (struct jw *w, const struct pod_config_input *in)
{
  const struct pod_resources *r = &in->container->resources;

  jw_key (w, "resources");
  jw_open (w);
  write_device_rules (w, in);
  if (in->container->cri.resources)
    {
      write_cri_resources (w, &in->container->cri);
      jw_close (w);
      return;
    }
  if (r->limits_memory.set)
    {
      jw_key (w, "memory");
      jw_open (w);
      jw_key_int (w, "limit", r->limits_memory.value);
      jw_close (w);
    }
  if (r->requests_cpu_milli.set || r->limits_cpu_milli.set)
    {
      jw_key (w, "cpu");
      jw_open (w);
      jw_key_int (w, "shares", pod_cpu_shares (r));
      if (r->limits_cpu_milli.set)
        {
          long long quota = r->limits_cpu_milli.value * 100;
          jw_key_int (w, "quota", quota < 1000 ? 1000 : quota);
          jw_key_int (w, "period", 100000);
        }
      jw_close (w);
    }
  jw_close (w);
}

/* The CRI's lists when it gives them (kubelet always does), else the
 * runtime defaults containerd and Docker use. */
static void
write_masked (struct jw *w, const struct pod_security_context *sc)
{
  if (sc->masked_paths_len || sc->readonly_paths_len)
    {
      jw_key_strv (w, "maskedPaths", (const char *const *) sc->masked_paths);
      jw_key_strv (w, "readonlyPaths", (const char *const *) sc->readonly_paths);
      return;
    }
  jw_key_strv (w, "maskedPaths",
               (const char *const[]) { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                       "/proc/latency_stats", "/proc/timer_list",
                                       "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                                       "/sys/firmware", "/sys/devices/virtual/powercap", NULL });
  jw_key_strv (w, "readonlyPaths",
               (const char *const[]) { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                       "/proc/sysrq-trigger", NULL });
}

/* The pod's securityContext.sysctls, set by the runtime in the namespaces
 * the container joins (net.*, kernel.shm*, fs.mqueue.*: the pod's). */
static void
write_sysctls (struct jw *w, const struct pod_security_context *sc)
{
  if (sc->sysctls_len == 0)
    return;
  jw_key (w, "sysctl");
  jw_open (w);
  for (size_t i = 0; i < sc->sysctls_len; i++)
    jw_key_string (w, sc->sysctls[i].name, sc->sysctls[i].value);
  jw_close (w);
}

static int
write_linux (struct jw *w, const struct pod_config_input *in, struct husk_error **err)
{
  const struct pod_container *c = in->container;
  const struct pod_security_context *sc = &c->security_context;
  /* the container's seccompProfile, else the pod's */
  const struct pod_security_context *seccomp
      = sc->seccomp_type ? sc : &in->pod->security_context;
  struct pod_cgroup pod_cg __attribute__ ((cleanup (pod_cgroup_clear))) = { 0 };
  cleanup_free char *cg = NULL;

  if (pod_cgroup_load (in->env, in->sandbox_id, &pod_cg, err) < 0)
    return -1;
  if ((cg = pod_cgroup_container_path (&pod_cg, in->cid)) == NULL)
    return husk_error_set (err, ENOMEM, "cgroupsPath");
  jw_key (w, "linux");
  jw_open (w);
  write_namespaces (w, in);
  jw_key_string (w, "cgroupsPath", cg);
  write_resources (w, in);
  write_devices (w, in);
  write_sysctls (w, &in->pod->security_context);
  if (rootfs_propagation (c))
    jw_key_string (w, "rootfsPropagation", rootfs_propagation (c));
  /* a privileged container runs unconfined, as kubelet's runtimes do */
  if (!sc->privileged)
    {
      write_masked (w, sc);
      if (in->seccomp)
        {
          jw_key (w, "seccomp");
          jw_value (w, in->seccomp);
        }
      else if (seccomp && seccomp->seccomp_type && strcmp (seccomp->seccomp_type, "RuntimeDefault") == 0)
        pod_seccomp_write_default (w, sc);
    }
  jw_close (w);
  return 0;
}

int
pod_config_generate (const struct pod_config_input *in, char **json, size_t *len,
                     struct husk_error **err)
{
  cleanup_jw struct jw w = { 0 };

  if (jw_init (&w, "  ", err) < 0)
    return -1;
  jw_open (&w);
  jw_key_string (&w, "ociVersion", "1.2.0");
  if (write_process (&w, in, err) < 0)
    return -1;
  jw_key (&w, "root");
  jw_open (&w);
  jw_key_string (&w, "path", "rootfs");
  jw_key_bool (&w, "readonly", in->container->security_context.read_only_root_filesystem);
  jw_close (&w);
  if (write_mounts (&w, in, err) < 0)
    return -1;
  jw_key (&w, "annotations");
  jw_open (&w);
  jw_key_string (&w, "io.kubernetes.pod.name", in->pod->name);
  jw_key_string (&w, "io.kubernetes.pod.namespace", in->pod->namespace_);
  jw_key_string (&w, "io.kubernetes.container.name", in->container->name);
  jw_key_string (&w, "io.kubernetes.cri.sandbox-id", in->sandbox_id);
  jw_close (&w);
  if (write_linux (&w, in, err) < 0)
    return -1;
  jw_close (&w);
  return jw_finish (&w, "config.json", json, len, err);
}
