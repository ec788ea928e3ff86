/* v1 counters for `events --stats`, read as runc's fs driver reads them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "v1.h"

/* A list file absent on this kernel leaves the list empty. */
static int
list_file (const char *dir, const char *file, struct husk_cg_u64_list *l, struct husk_error **err)
{
  cleanup_free char *s = NULL;
  if (!cg_has (dir, file))
    return 0;
  if (cg_read (dir, file, &s, err) < 0)
    return -1;
  return husk_cg_u64_list_parse (s, l, err);
}

static int
cpu_stats (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err)
{
  const char *acct = husk_cgroup_dir (cg, "cpuacct"), *cpu = husk_cgroup_dir (cg, "cpu");
  if (acct)
    {
      cleanup_free char *stat = NULL;
      uint64_t ticks = sysconf (_SC_CLK_TCK) > 0 ? (uint64_t) sysconf (_SC_CLK_TCK) : 100, v;
      st->cpu.total = cg_read_u64_or_zero (acct, "cpuacct.usage");
      if (list_file (acct, "cpuacct.usage_percpu", &st->cpu.percpu, err) < 0 ||
          list_file (acct, "cpuacct.usage_percpu_sys", &st->cpu.percpu_kernel, err) < 0 ||
          list_file (acct, "cpuacct.usage_percpu_user", &st->cpu.percpu_user, err) < 0)
        return -1;
      if (cg_read (acct, "cpuacct.stat", &stat, err) < 0)
        return -1;
      /* cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds. */
      if (cg_keyed_u64 (stat, "user", &v))
        st->cpu.user = v * (1000000000 / ticks);
      if (cg_keyed_u64 (stat, "system", &v))
        st->cpu.kernel = v * (1000000000 / ticks);
    }
  if (cpu)
    {
      cleanup_free char *stat = NULL;
      if (cg_read (cpu, "cpu.stat", &stat, err) < 0)
        return -1;
      cg_keyed_u64 (stat, "nr_periods", &st->cpu.periods);
      cg_keyed_u64 (stat, "nr_throttled", &st->cpu.throttled_periods);
      cg_keyed_u64 (stat, "throttled_time", &st->cpu.throttled_time);
    }
  return 0;
}

static void
memory_entry (const char *dir, const char *prefix, struct husk_cg_memory_entry *e)
{
  char file[64];
  snprintf (file, sizeof file, "%s.usage_in_bytes", prefix);
  if (!cg_has (dir, file))
    return;
  e->set = true;
  e->usage = cg_read_u64_or_zero (dir, file);
  snprintf (file, sizeof file, "%s.max_usage_in_bytes", prefix);
  e->max = cg_read_u64_or_zero (dir, file);
  snprintf (file, sizeof file, "%s.failcnt", prefix);
  e->failcnt = cg_read_u64_or_zero (dir, file);
  snprintf (file, sizeof file, "%s.limit_in_bytes", prefix);
  e->limit = cg_read_u64_or_zero (dir, file);
}

static int
memory_stats (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err)
{
  const char *dir = husk_cgroup_dir (cg, "memory");
  cleanup_free char *stat = NULL;
  if (dir == NULL)
    return 0;
  memory_entry (dir, "memory", &st->memory.usage);
  memory_entry (dir, "memory.memsw", &st->memory.swap);
  memory_entry (dir, "memory.kmem", &st->memory.kernel);
  memory_entry (dir, "memory.kmem.tcp", &st->memory.kernel_tcp);
  if (cg_read (dir, "memory.stat", &stat, err) < 0)
    return -1;
  cg_keyed_u64 (stat, "cache", &st->memory.cache);
  return husk_cg_stats_raw_parse (stat, st, err);
}

/* "8:0 Read 4096" lines; "Total N" lines are dropped, as runc does. */
static int
blkio_file (const char *dir, const char *file, struct husk_cg_blkio_list *l,
            struct husk_error **err)
{
  cleanup_free char *s = NULL;
  char *save = NULL;
  if (!cg_has (dir, file))
    return 0;
  if (cg_read (dir, file, &s, err) < 0)
    return -1;
  for (char *line = strtok_r (s, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long long maj, min, v;
      char op[16] = "";
      int n = sscanf (line, "%llu:%llu %15s %llu", &maj, &min, op, &v);
      if (n == 3)
        v = strtoull (op, NULL, 10), op[0] = '\0';
      if (n < 3)
        continue;
      if (husk_cg_blkio_add (l, maj, min, op, v, err) < 0)
        return -1;
    }
  return 0;
}

static int
blkio_stats (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err)
{
  const char *dir = husk_cgroup_dir (cg, "blkio");
  /* CFQ files when the kernel has them, else BFQ's, else throttling's. */
  static const char *const prefixes[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };
  if (dir == NULL)
    return 0;
  for (size_t i = 0; i < 3; i++)
    {
      char bytes[96], ios[96];
      snprintf (bytes, sizeof bytes, "%sio_service_bytes_recursive", prefixes[i]);
      snprintf (ios, sizeof ios, "%sio_serviced_recursive", prefixes[i]);
      if (blkio_file (dir, bytes, &st->blkio[HUSK_CG_BLKIO_SERVICE_BYTES], err) < 0 ||
          blkio_file (dir, ios, &st->blkio[HUSK_CG_BLKIO_SERVICED], err) < 0)
        return -1;
      if (st->blkio[HUSK_CG_BLKIO_SERVICE_BYTES].len > 0)
        break;
    }
  return 0;
}

static int
hugetlb_stats (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err)
{
  const char *dir = husk_cgroup_dir (cg, "hugetlb");
  cleanup_strv char **sizes = NULL;
  if (dir == NULL)
    return 0;
  if (husk_cg_hugepage_sizes (&sizes, err) < 0)
    return -1;
  for (char **s = sizes; *s; s++)
    {
      char u[64], m[64], f[64];
      snprintf (u, sizeof u, "hugetlb.%s.usage_in_bytes", *s);
      snprintf (m, sizeof m, "hugetlb.%s.max_usage_in_bytes", *s);
      snprintf (f, sizeof f, "hugetlb.%s.failcnt", *s);
      if (husk_cg_hugetlb_add (st, *s, cg_read_u64_or_zero (dir, u), cg_read_u64_or_zero (dir, m), cg_read_u64_or_zero (dir, f), err) < 0)
        return -1;
    }
  return 0;
}

int
cg_v1_stats (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err)
{
  const char *pids = husk_cgroup_dir (cg, "pids");
  if (cpu_stats (cg, st, err) < 0 || memory_stats (cg, st, err) < 0 ||
      blkio_stats (cg, st, err) < 0 || hugetlb_stats (cg, st, err) < 0)
    return -1;
  if (pids)
    {
      st->pids.current = cg_read_u64_or_zero (pids, "pids.current");
      st->pids.limit = cg_read_u64_or_zero (pids, "pids.max");
      if (st->pids.limit == UINT64_MAX)
        st->pids.limit = 0;
    }
  return 0;
}
