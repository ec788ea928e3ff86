/* Namespaces: create by flag, join by fd, id maps, time offsets. */
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../oci/cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct
{
  int flag;
  const char *proc_name;
} ns_table[OCI_NS__COUNT] = {
  [OCI_NS_PID] = { CLONE_NEWPID, "pid" },
  [OCI_NS_NETWORK] = { CLONE_NEWNET, "net" },
  [OCI_NS_MOUNT] = { CLONE_NEWNS, "mnt" },
  [OCI_NS_IPC] = { CLONE_NEWIPC, "ipc" },
  [OCI_NS_UTS] = { CLONE_NEWUTS, "uts" },
  [OCI_NS_USER] = { CLONE_NEWUSER, "user" },
  [OCI_NS_CGROUP] = { CLONE_NEWCGROUP, "cgroup" },
  [OCI_NS_TIME] = { CLONE_NEWTIME, "time" },
};

/* runc's join order: user first, mount late (paths of the others resolve in
 * the runtime's mount namespace), time last. */
static const enum oci_namespace_type join_order[OCI_NS__COUNT] = {
  OCI_NS_USER, OCI_NS_IPC, OCI_NS_UTS, OCI_NS_NETWORK,
  OCI_NS_PID, OCI_NS_CGROUP, OCI_NS_MOUNT, OCI_NS_TIME,
};

int
husk_ns_clone_flag (enum oci_namespace_type type)
{
  return (unsigned) type < OCI_NS__COUNT ? ns_table[type].flag : 0;
}

void
husk_ns_plan_reset (struct husk_ns_plan *plan)
{
  plan->clone_flags = 0;
  plan->create_time = false;
  plan->any_join = false;
  plan->children_joined = false;
  for (int i = 0; i < OCI_NS__COUNT; i++)
    plan->join_fds[i] = -1;
}

void
husk_ns_plan_clear (struct husk_ns_plan *plan)
{
  for (int i = 0; i < OCI_NS__COUNT; i++)
    if (plan->join_fds[i] >= 0)
      {
        close (plan->join_fds[i]);
        plan->join_fds[i] = -1;
      }
}

static int
open_join (struct husk_ns_plan *plan, const struct oci_namespace *ns, size_t index,
           struct husk_error **err)
{
  int fd;

  if (plan->join_fds[ns->type] >= 0)
    return husk_error_set (err, EINVAL, "linux.namespaces[%zu]: duplicate namespace \"%s\"",
                           index, oci_namespace_type_name (ns->type));
  fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_set (err, errno, "linux.namespaces[%zu]: open %s namespace `%s`", index,
                           oci_namespace_type_name (ns->type), ns->path);
  plan->join_fds[ns->type] = fd;
  plan->any_join = true;
  return 0;
}

int
husk_ns_plan_init (const struct oci_config *config, struct husk_ns_plan *plan,
                   struct husk_error **err)
{
  const struct oci_linux *l = config->linux_;

  husk_ns_plan_reset (plan);
  for (size_t i = 0; l && i < l->namespaces_len; i++)
    {
      const struct oci_namespace *ns = &l->namespaces[i];
      if ((unsigned) ns->type >= OCI_NS__COUNT)
        return husk_error_set (err, EINVAL, "linux.namespaces[%zu]: unknown type", i);
      if (ns->path && ns->path[0])
        {
          if (open_join (plan, ns, i, err) < 0)
            {
              husk_ns_plan_clear (plan);
              return -1;
            }
        }
      else if (ns->type == OCI_NS_TIME)
        plan->create_time = true;
      else
        plan->clone_flags |= ns_table[ns->type].flag;
    }
  return 0;
}

/* A namespace the container made at create (listed in its config without
 * a path) is surely not ours: opened without comparing.  The others (a
 * path given at create, or none listed: then the creator's) are joined
 * only where they differ from ours.  A user namespace is compared always:
 * setns into one's own is EINVAL. */
static bool
made_by_container (const struct oci_config *config, int type)
{
  const struct oci_namespace *ns = config ? oci_config_namespace (config, type) : NULL;
  return ns && !(ns->path && ns->path[0]) && type != OCI_NS_USER;
}

static int
differs_from_ours (const char *path, const char *name, bool *differs, struct husk_error **err)
{
  char self[64];
  struct stat theirs, ours;

  snprintf (self, sizeof self, "/proc/self/ns/%s", name);
  if (stat (path, &theirs) < 0)
    return husk_error_set (err, errno, "stat `%s`", path);
  *differs = !(stat (self, &ours) == 0 && ours.st_ino == theirs.st_ino
               && ours.st_dev == theirs.st_dev);
  return 0;
}

int
husk_ns_plan_from_pid (pid_t pid, const struct oci_config *config, struct husk_ns_plan *plan,
                       struct husk_error **err)
{
  husk_ns_plan_reset (plan);
  for (int t = 0; t < OCI_NS__COUNT; t++)
    {
      char path[64];
      bool differs = true;

      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, ns_table[t].proc_name);
      if (!made_by_container (config, t)
          && differs_from_ours (path, ns_table[t].proc_name, &differs, err) < 0)
        {
          if ((*err)->errnum == ENOENT && t == OCI_NS_TIME)
            {
              husk_error_release (err); /* kernel without time namespaces */
              continue;
            }
          husk_ns_plan_clear (plan);
          return -1;
        }
      if (!differs)
        continue;
      plan->join_fds[t] = open (path, O_RDONLY | O_CLOEXEC);
      if (plan->join_fds[t] < 0)
        {
          husk_ns_plan_clear (plan);
          return husk_error_set (err, errno, "open `%s`", path);
        }
      plan->any_join = true;
    }
  return 0;
}

int
husk_ns_join_for_children (struct husk_ns_plan *plan)
{
  int *pid_fd = &plan->join_fds[OCI_NS_PID];
  int own;

  if (*pid_fd < 0 || plan->join_fds[OCI_NS_USER] >= 0 || plan->join_fds[OCI_NS_TIME] >= 0
      || plan->create_time || plan->clone_flags)
    return -1;
  own = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  if (own < 0)
    return -1;
  if (setns (*pid_fd, CLONE_NEWPID) < 0)
    {
      close (own);
      return -1;
    }
  close (*pid_fd);
  *pid_fd = -1;
  plan->children_joined = true;
  return own;
}

int
husk_ns_restore_children (int *own_fd, struct husk_error **err)
{
  int ret = 0;

  if (*own_fd < 0)
    return 0;
  if (setns (*own_fd, CLONE_NEWPID) < 0)
    ret = husk_error_set (err, errno, "setns back to our own pid namespace");
  close (*own_fd);
  *own_fd = -1;
  return ret;
}

int
husk_ns_join (struct husk_ns_plan *plan, struct husk_error **err)
{
  for (int i = 0; i < OCI_NS__COUNT; i++)
    {
      enum oci_namespace_type t = join_order[i];
      if (plan->join_fds[t] < 0)
        continue;
      if (setns (plan->join_fds[t], ns_table[t].flag) < 0)
        return husk_error_set (err, errno, "setns %s namespace",
                               oci_namespace_type_name (t));
      close (plan->join_fds[t]);
      plan->join_fds[t] = -1;
    }
  return 0;
}

/* Errors name the config's field: the kernel's EINVAL alone does not say
 * which of the two maps it refused (overlapping ranges, a host id outside
 * the caller's). */
static int
write_map (pid_t pid, const char *field, const char *file, const struct oci_id_mapping *maps,
           size_t len, struct husk_error **err)
{
  char path[64], buf[4096];
  size_t used = 0;
  cleanup_close int fd = -1;

  for (size_t i = 0; i < len; i++)
    {
      int n = snprintf (buf + used, sizeof buf - used, "%u %u %u\n", maps[i].container_id,
                        maps[i].host_id, maps[i].size);
      if (n < 0 || (size_t) n >= sizeof buf - used)
        return husk_error_set (err, E2BIG, "%s: too many mappings for %s", field, file);
      used += (size_t) n;
    }
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_set (err, errno, "%s: open `%s`", field, path);
  if (write (fd, buf, used) != (ssize_t) used)
    return husk_error_set (err, errno, "%s: write `%s` (%.*s)", field, path,
                           used && buf[used - 1] == '\n' ? (int) used - 1 : (int) used, buf);
  return 0;
}

int
husk_ns_write_id_maps (pid_t pid, const struct oci_linux *l, struct husk_error **err)
{
  if (l == NULL)
    return 0;
  if (l->uid_mappings_len > 0
      && write_map (pid, "linux.uidMappings", "uid_map", l->uid_mappings, l->uid_mappings_len,
                    err) < 0)
    return -1;
  if (l->gid_mappings_len > 0
      && write_map (pid, "linux.gidMappings", "gid_map", l->gid_mappings, l->gid_mappings_len,
                    err) < 0)
    return -1;
  return 0;
}

int
husk_ns_write_time_offsets (const struct oci_time_offsets *offsets, struct husk_error **err)
{
  char buf[256];
  int used = 0;
  cleanup_close int fd = -1;

  if (offsets->monotonic.set)
    used += snprintf (buf + used, sizeof buf - (size_t) used, "monotonic %lld %u\n",
                      (long long) offsets->monotonic.secs, offsets->monotonic.nanosecs);
  if (offsets->boottime.set)
    used += snprintf (buf + used, sizeof buf - (size_t) used, "boottime %lld %u\n",
                      (long long) offsets->boottime.secs, offsets->boottime.nanosecs);
  if (used == 0)
    return 0;
  fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_set (err, errno, "open `/proc/self/timens_offsets`");
  if (write (fd, buf, (size_t) used) != used)
    return husk_error_set (err, errno, "write `/proc/self/timens_offsets`");
  return 0;
}
