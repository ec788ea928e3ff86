/* v1 memory controller: limits, swap (memsw = memory + swap), OOM events. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/eventfd.h>

#include "v1.h"
#include "../../errors.h"

/* ENOTSUP as the kernel spells it internally; seen from cgroup writes. */
#define KERNEL_ENOTSUPP 524

static int
set_limit (const char *dir, int64_t limit, struct husk_error **err)
{
  cleanup_error struct husk_error *e = NULL;
  uint64_t usage = 0, peak = 0;

  if (limit == 0)
    return 0;
  if (cg_write_i64 (dir, "memory.limit_in_bytes", limit, &e) == 0)
    return 0;
  if (e->errnum != EBUSY)
    return husk_error_propagate (err, &e);
  /* The kernel could not reclaim down to the limit: say so with the
   * numbers, as runc does, rather than "Device or resource busy". */
  husk_error_release (&e);
  if (cg_read_u64 (dir, "memory.usage_in_bytes", &usage, &e) < 0
      || cg_read_u64 (dir, "memory.max_usage_in_bytes", &peak, &e) < 0)
    husk_error_release (&e);
  return husk_error_plain (err, EBUSY,
                           "linux.resources.memory.limit: unable to set memory limit to %" PRId64
                           " (current usage: %" PRIu64 ", peak usage: %" PRIu64 ")",
                           limit, usage, peak);
}

static int
set_swap (const char *dir, int64_t swap, struct husk_error **err)
{
  if (swap == 0)
    return 0;
  return cg_write_i64 (dir, "memory.memsw.limit_in_bytes", swap, err);
}

/* As runc's setMemoryAndSwap: the kernel wants memsw >= limit at every
 * step, so the order of the two writes depends on where the values move. */
static int
set_memory_and_swap (const char *dir, const struct oci_memory *m, struct husk_error **err)
{
  int64_t limit = m->limit.set ? m->limit.value : 0;
  int64_t swap = m->swap.set ? m->swap.value : 0;
  uint64_t cur = 0;

  if (limit == -1 && swap == 0 && cg_has (dir, "memory.memsw.limit_in_bytes"))
    swap = -1;
  if (swap != 0 && !cg_has (dir, "memory.memsw.limit_in_bytes"))
    return husk_error_set (err, ENOTSUP,
                           "linux.resources.memory.swap: \"%s/memory.memsw.limit_in_bytes\" is "
                           "missing (swap accounting is off in this kernel)",
                           dir);
  if (limit != 0 && swap != 0)
    {
      if (cg_read_u64 (dir, "memory.limit_in_bytes", &cur, err) < 0)
        return -1;
      if (swap == -1 || cur < (uint64_t) swap)
        return set_swap (dir, swap, err) < 0 ? -1 : set_limit (dir, limit, err);
    }
  if (set_limit (dir, limit, err) < 0)
    return -1;
  return set_swap (dir, swap, err);
}

/* kernel memory limits are gone from new kernels: like runc, a missing or
 * refusing file is not an error. */
static int
set_kernel (const char *dir, const char *file, const oci_opt_i64 *v, struct husk_error **err)
{
  cleanup_error struct husk_error *e = NULL;
  if (!v->set || v->value == 0 || !cg_has (dir, file))
    return 0;
  if (cg_write_i64 (dir, file, v->value, &e) == 0)
    return 0;
  if (e->errnum == EOPNOTSUPP || e->errnum == KERNEL_ENOTSUPP)
    return 0;
  return husk_error_propagate (err, &e);
}

static int
set_misc (const char *dir, const struct oci_memory *m, struct husk_error **err)
{
  if (m->reservation.set && m->reservation.value != 0 &&
      cg_write_i64 (dir, "memory.soft_limit_in_bytes", m->reservation.value, err) < 0)
    return -1;
  if (set_kernel (dir, "memory.kmem.limit_in_bytes", &m->kernel, err) < 0 ||
      set_kernel (dir, "memory.kmem.tcp.limit_in_bytes", &m->kernel_tcp, err) < 0)
    return -1;
  if (m->disable_oom_killer.set && m->disable_oom_killer.value &&
      cg_write (dir, "memory.oom_control", "1", err) < 0)
    return -1;
  if (m->use_hierarchy.set &&
      cg_write (dir, "memory.use_hierarchy", m->use_hierarchy.value ? "1" : "0", err) < 0)
    return -1;
  if (m->swappiness.set && (int64_t) m->swappiness.value != -1)
    {
      if (m->swappiness.value > 100)
        return husk_error_set (err, EINVAL,
                               "linux.resources.memory.swappiness: %" PRIu64
                               " is out of range 0-100",
                               m->swappiness.value);
      if (cg_write_u64 (dir, "memory.swappiness", m->swappiness.value, err) < 0)
        return -1;
    }
  return 0;
}

/* Zeros, false and swappiness -1 ask for nothing (runc skips them): such
 * a memory object needs no memory hierarchy. */
static bool
memory_wanted (const struct oci_memory *m)
{
  return (m->limit.set && m->limit.value) || (m->reservation.set && m->reservation.value)
         || (m->swap.set && m->swap.value) || (m->kernel.set && m->kernel.value)
         || (m->kernel_tcp.set && m->kernel_tcp.value)
         || (m->swappiness.set && (int64_t) m->swappiness.value != -1)
         || (m->disable_oom_killer.set && m->disable_oom_killer.value) || m->use_hierarchy.set;
}

int
cg_v1_memory_apply (const char *dir, const struct oci_resources *r, bool update,
                    struct husk_error **err)
{
  const struct oci_memory *m = r ? r->memory : NULL;
  if (m == NULL)
    return 0;
  if (dir == NULL && !memory_wanted (m))
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("memory", "linux.resources.memory", err);
  if (set_memory_and_swap (dir, m, err) < 0)
    return -1;
  return set_misc (dir, m, err);
}

int
cg_v1_oom_fd (struct husk_cgroup *cg, int *fd, struct husk_error **err)
{
  const char *dir = husk_cgroup_dir (cg, "memory");
  cleanup_free char *path = NULL;
  cleanup_close int efd = -1, ofd = -1;

  if (dir == NULL)
    return cg_v1_not_mounted ("memory", "oom notification", err);
  path = cg_join (dir, "memory.oom_control");
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "oom notification");
  efd = eventfd (0, EFD_CLOEXEC);
  if (efd < 0)
    return husk_error_set (err, errno, "eventfd");
  ofd = open (path, O_RDONLY | O_CLOEXEC);
  if (ofd < 0)
    return husk_error_set (err, errno, "open \"%s\"", path);
  /* The kernel keeps its own reference to the eventfd: oom_control's fd
   * is only needed while registering. */
  if (cg_writef (dir, "cgroup.event_control", err, "%d %d", efd, ofd) < 0)
    return -1;
  *fd = steal_fd (&efd);
  return 0;
}

int
cg_v1_oom_count (struct husk_cgroup *cg, uint64_t *count, struct husk_error **err)
{
  const char *dir = husk_cgroup_dir (cg, "memory");
  cleanup_free char *content = NULL;
  if (dir == NULL)
    return cg_v1_not_mounted ("memory", "oom count", err);
  if (cg_read (dir, "memory.oom_control", &content, err) < 0)
    return -1;
  *count = 0;
  cg_keyed_u64 (content, "oom_kill", count);
  return 0;
}
