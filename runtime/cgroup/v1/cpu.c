/* v1 cpu and cpuset controllers. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "v1.h"

static int
set_shares (const char *dir, uint64_t shares, struct husk_error **err)
{
  uint64_t got = 0;
  if (cg_write_u64 (dir, "cpu.shares", shares, err) < 0)
    return -1;
  /* The kernel clamps silently; like runc, tell the user. */
  if (cg_read_u64 (dir, "cpu.shares", &got, err) < 0)
    return -1;
  if (got != shares)
    return husk_error_set (err, EINVAL,
                           "linux.resources.cpu.shares: %" PRIu64 " is out of range: the %s is %" PRIu64,
                           shares, shares > got ? "maximum" : "minimum", got);
  return 0;
}

static int
set_period_quota (const char *dir, const struct oci_cpu *c, struct husk_error **err)
{
  bool period = c->period.set && c->period.value != 0;
  bool quota = c->quota.set && c->quota.value != 0;
  if (period)
    {
      cleanup_error struct husk_error *e = NULL;
      if (cg_write_u64 (dir, "cpu.cfs_period_us", c->period.value, &e) < 0)
        {
          /* The kernel checks the period against the current quota: when
           * both move, the quota has to go first. */
          if (e->errnum != EINVAL || !quota)
            return husk_error_propagate (err, &e);
          if (cg_write_i64 (dir, "cpu.cfs_quota_us", c->quota.value, err) < 0 ||
              cg_write_u64 (dir, "cpu.cfs_period_us", c->period.value, err) < 0)
            return -1;
        }
    }
  if (c->burst.set && cg_write_u64 (dir, "cpu.cfs_burst_us", c->burst.value, err) < 0)
    return -1;
  if (quota && cg_write_i64 (dir, "cpu.cfs_quota_us", c->quota.value, err) < 0)
    return -1;
  return 0;
}

int
cg_v1_cpu_apply (const char *dir, const struct oci_resources *r, bool update,
                 struct husk_error **err)
{
  const struct oci_cpu *c = r ? r->cpu : NULL;
  bool wanted;
  if (c == NULL)
    return 0;
  wanted = (c->shares.set && c->shares.value) || c->quota.set || c->period.set || c->burst.set ||
           c->realtime_period.set || c->realtime_runtime.set || c->idle.set;
  if (!wanted)
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("cpu", "linux.resources.cpu", err);
  if (c->shares.set && c->shares.value != 0 && set_shares (dir, c->shares.value, err) < 0)
    return -1;
  if (set_period_quota (dir, c, err) < 0)
    return -1;
  if (c->idle.set && cg_write_i64 (dir, "cpu.idle", c->idle.value, err) < 0)
    return -1;
  /* rt_period first: the runtime is checked against it. */
  if (c->realtime_period.set && c->realtime_period.value != 0 &&
      cg_write_u64 (dir, "cpu.rt_period_us", c->realtime_period.value, err) < 0)
    return -1;
  if (c->realtime_runtime.set && c->realtime_runtime.value != 0 &&
      cg_write_i64 (dir, "cpu.rt_runtime_us", c->realtime_runtime.value, err) < 0)
    return -1;
  return 0;
}

int
cg_v1_cpuset_apply (const char *dir, const struct oci_resources *r, bool update,
                    struct husk_error **err)
{
  const struct oci_cpu *c = r ? r->cpu : NULL;
  if (c == NULL || ((c->cpus == NULL || !*c->cpus) && (c->mems == NULL || !*c->mems)))
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("cpuset", "linux.resources.cpu.cpus", err);
  return cg_write_cpuset (dir, c, err);
}

/* `made`: the directory was just made by us, so its value is empty (or,
 * with the parent's cgroup.clone_children, the parent's already): the
 * parent's is written without reading ours first. */
static int
copy_if_empty (const char *parent, const char *dir, const char *file, bool made,
               struct husk_error **err)
{
  cleanup_free char *mine = NULL, *theirs = NULL;
  if (!made)
    {
      if (cg_read_value (dir, file, &mine, err) < 0)
        return -1;
      if (strspn (mine, " \n") != strlen (mine))
        return 0;
    }
  if (cg_read_value (parent, file, &theirs, err) < 0)
    return -1;
  theirs[strcspn (theirs, "\n")] = '\0';
  if (*theirs == '\0')
    return 0;
  return cg_write (dir, file, theirs, err);
}

int
cg_v1_cpuset_init (const char *mountpoint, const char *dir, const char *created_top,
                   struct husk_error **err)
{
  /* Top down, so each level copies from an already filled parent. */
  cleanup_free char *cur = strdup (dir);
  size_t base = strlen (mountpoint), made_from = created_top ? strlen (created_top) : SIZE_MAX;
  if (cur == NULL)
    return husk_error_set (err, ENOMEM, "cpuset");
  for (char *p = cur + base + 1; p <= cur + strlen (dir); p++)
    {
      if (*p != '/' && *p != '\0')
        continue;
      {
        char saved = *p;
        cleanup_free char *parent = NULL;
        bool made = (size_t) (p - cur) >= made_from;
        *p = '\0';
        parent = strndup (cur, strrchr (cur, '/') - cur);
        if (parent == NULL)
          return husk_error_set (err, ENOMEM, "cpuset");
        if (copy_if_empty (parent, cur, "cpuset.cpus", made, err) < 0 ||
            copy_if_empty (parent, cur, "cpuset.mems", made, err) < 0)
          return -1;
        *p = saved;
        if (saved == '\0')
          break;
      }
    }
  return 0;
}
