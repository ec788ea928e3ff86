/* v2 counters for `events --stats`, in runc's v1-shaped fields (runc's
 * fs2 driver maps them the same way: usec to nsec, memory.events "max" as
 * the failcnt, io.stat keys as Read/Write ops). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "v2.h"

static int
cpu_stats (const char *dir, struct husk_cgroup_stats *st, struct husk_error **err)
{
  cleanup_free char *s = NULL;
  uint64_t v;
  if (cg_read (dir, "cpu.stat", &s, err) < 0)
    return -1;
  if (cg_keyed_u64 (s, "usage_usec", &v))
    st->cpu.total = v * 1000;
  if (cg_keyed_u64 (s, "user_usec", &v))
    st->cpu.user = v * 1000;
  if (cg_keyed_u64 (s, "system_usec", &v))
    st->cpu.kernel = v * 1000;
  cg_keyed_u64 (s, "nr_periods", &st->cpu.periods);
  cg_keyed_u64 (s, "nr_throttled", &st->cpu.throttled_periods);
  if (cg_keyed_u64 (s, "throttled_usec", &v))
    st->cpu.throttled_time = v * 1000;
  return 0;
}

static void
failcnt (const char *dir, const char *file, uint64_t *out)
{
  cleanup_free char *s = NULL;
  cleanup_error struct husk_error *e = NULL;
  if (cg_read (dir, file, &s, &e) == 0)
    cg_keyed_u64 (s, "max", out);
}

static int
memory_stats (const char *dir, struct husk_cgroup_stats *st, struct husk_error **err)
{
  cleanup_free char *s = NULL;
  if (!cg_has (dir, "memory.current"))
    return 0; /* memory controller not enabled here */
  st->memory.usage.set = true;
  st->memory.usage.usage = cg_read_u64_or_zero (dir, "memory.current");
  st->memory.usage.limit = cg_read_u64_or_zero (dir, "memory.max");
  st->memory.usage.max = cg_read_u64_or_zero (dir, "memory.peak");
  failcnt (dir, "memory.events", &st->memory.usage.failcnt);
  if (cg_has (dir, "memory.swap.current"))
    {
      st->memory.swap.set = true;
      st->memory.swap.usage = cg_read_u64_or_zero (dir, "memory.swap.current");
      st->memory.swap.limit = cg_read_u64_or_zero (dir, "memory.swap.max");
      st->memory.swap.max = cg_read_u64_or_zero (dir, "memory.swap.peak");
      failcnt (dir, "memory.swap.events", &st->memory.swap.failcnt);
    }
  if (cg_read (dir, "memory.stat", &s, err) < 0)
    return -1;
  cg_keyed_u64 (s, "file", &st->memory.cache);
  return husk_cg_stats_raw_parse (s, st, err);
}

static int
io_line (char *line, struct husk_cgroup_stats *st, struct husk_error **err)
{
  static const struct {
    const char *key;
    enum husk_cg_blkio_kind kind;
    const char *op;
  } keys[] = {
    { "rbytes=", HUSK_CG_BLKIO_SERVICE_BYTES, "Read" },
    { "wbytes=", HUSK_CG_BLKIO_SERVICE_BYTES, "Write" },
    { "rios=", HUSK_CG_BLKIO_SERVICED, "Read" },
    { "wios=", HUSK_CG_BLKIO_SERVICED, "Write" },
  };
  unsigned long long maj, min;
  char *save = NULL;
  if (sscanf (line, "%llu:%llu", &maj, &min) != 2)
    return 0;
  for (char *t = strtok_r (line, " ", &save); t; t = strtok_r (NULL, " ", &save))
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
      if (strncmp (t, keys[i].key, strlen (keys[i].key)) == 0 &&
          husk_cg_blkio_add (&st->blkio[keys[i].kind], maj, min, keys[i].op,
                             strtoull (t + strlen (keys[i].key), NULL, 10), err) < 0)
        return -1;
  return 0;
}

static int
io_stats (const char *dir, struct husk_cgroup_stats *st, struct husk_error **err)
{
  cleanup_free char *s = NULL;
  char *save = NULL;
  if (!cg_has (dir, "io.stat"))
    return 0;
  if (cg_read (dir, "io.stat", &s, err) < 0)
    return -1;
  for (char *line = strtok_r (s, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      cleanup_free char *copy = strdup (line);
      if (copy == NULL)
        return husk_error_set (err, ENOMEM, "stats");
      if (io_line (copy, st, err) < 0)
        return -1;
    }
  return 0;
}

static int
hugetlb_stats (const char *dir, struct husk_cgroup_stats *st, struct husk_error **err)
{
  cleanup_strv char **sizes = NULL;
  if (husk_cg_hugepage_sizes (&sizes, err) < 0)
    return -1;
  for (char **s = sizes; *s; s++)
    {
      char cur[64], ev[64];
      uint64_t fails = 0;
      snprintf (cur, sizeof cur, "hugetlb.%s.current", *s);
      snprintf (ev, sizeof ev, "hugetlb.%s.events", *s);
      if (!cg_has (dir, cur))
        continue;
      failcnt (dir, ev, &fails);
      if (husk_cg_hugetlb_add (st, *s, cg_read_u64_or_zero (dir, cur), 0, fails, err) < 0)
        return -1;
    }
  return 0;
}

/* Pressure files exist with CONFIG_PSI and psi=1; absent, nothing is said. */
static void
psi (const char *dir, const char *file, struct husk_cg_psi *out)
{
  cleanup_free char *s = NULL;
  cleanup_error struct husk_error *e = NULL;
  if (cg_read (dir, file, &s, &e) == 0)
    husk_cg_psi_parse (s, out);
}

int
cg_v2_stats (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err)
{
  psi (cg->dir, "cpu.pressure", &st->cpu.psi);
  psi (cg->dir, "memory.pressure", &st->memory.psi);
  psi (cg->dir, "io.pressure", &st->blkio_psi);
  if (cpu_stats (cg->dir, st, err) < 0 || memory_stats (cg->dir, st, err) < 0 ||
      io_stats (cg->dir, st, err) < 0 || hugetlb_stats (cg->dir, st, err) < 0)
    return -1;
  st->pids.current = cg_read_u64_or_zero (cg->dir, "pids.current");
  st->pids.limit = cg_read_u64_or_zero (cg->dir, "pids.max");
  if (st->pids.limit == UINT64_MAX)
    st->pids.limit = 0;
  return 0;
}
