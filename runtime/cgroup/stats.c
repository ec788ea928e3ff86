/* `runc events --stats` "data" object from the counters v1 or v2 read.
 * Field names and omitted zero values follow runc's types/events.go, so
 * tools written against runc read ours. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "internal.h"
#include "stats.h"

HUSK_DEFINE_CLEANUP (struct yajl_gen_t, yajl_gen_free)
#define cleanup_gen __attribute__ ((cleanup (yajl_gen_freep)))

static void
key (yajl_gen g, const char *k)
{
  yajl_gen_string (g, (const unsigned char *) k, strlen (k));
}

static void
num (yajl_gen g, const char *k, uint64_t v, bool omit_zero)
{
  char buf[24];
  if (omit_zero && v == 0)
    return;
  key (g, k);
  snprintf (buf, sizeof buf, "%" PRIu64, v);
  yajl_gen_number (g, buf, strlen (buf));
}

static void
list (yajl_gen g, const char *k, const struct husk_cg_u64_list *l)
{
  char buf[24];
  if (l->len == 0)
    return;
  key (g, k);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < l->len; i++)
    {
      snprintf (buf, sizeof buf, "%" PRIu64, l->v[i]);
      yajl_gen_number (g, buf, strlen (buf));
    }
  yajl_gen_array_close (g);
}

static void
gen_psi_line (yajl_gen g, const char *k, const struct husk_cg_psi_line *l)
{
  key (g, k);
  yajl_gen_map_open (g);
  key (g, "avg10");
  yajl_gen_number (g, l->avg10[0] ? l->avg10 : "0", strlen (l->avg10[0] ? l->avg10 : "0"));
  key (g, "avg60");
  yajl_gen_number (g, l->avg60[0] ? l->avg60 : "0", strlen (l->avg60[0] ? l->avg60 : "0"));
  key (g, "avg300");
  yajl_gen_number (g, l->avg300[0] ? l->avg300 : "0", strlen (l->avg300[0] ? l->avg300 : "0"));
  num (g, "total", l->total, false);
  yajl_gen_map_close (g);
}

static void
gen_psi (yajl_gen g, const struct husk_cg_psi *psi)
{
  if (!psi->set)
    return;
  key (g, "psi");
  yajl_gen_map_open (g);
  gen_psi_line (g, "some", &psi->some);
  gen_psi_line (g, "full", &psi->full);
  yajl_gen_map_close (g);
}

void
husk_cg_psi_parse (const char *content, struct husk_cg_psi *psi)
{
  for (const char *line = content; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL)
    {
      struct husk_cg_psi_line *l = strncmp (line, "some ", 5) == 0   ? &psi->some
                                   : strncmp (line, "full ", 5) == 0 ? &psi->full
                                                                     : NULL;
      unsigned long long total = 0;
      if (l && sscanf (line + 5, "avg10=%15s avg60=%15s avg300=%15s total=%llu", l->avg10,
                       l->avg60, l->avg300, &total) == 4)
        {
          l->total = total;
          psi->set = true;
        }
    }
}

static void
gen_cpu (yajl_gen g, const struct husk_cgroup_stats *st)
{
  key (g, "cpu");
  yajl_gen_map_open (g);
  key (g, "usage");
  yajl_gen_map_open (g);
  num (g, "total", st->cpu.total, true);
  list (g, "percpu", &st->cpu.percpu);
  list (g, "percpu_kernel", &st->cpu.percpu_kernel);
  list (g, "percpu_user", &st->cpu.percpu_user);
  num (g, "kernel", st->cpu.kernel, false);
  num (g, "user", st->cpu.user, false);
  yajl_gen_map_close (g);
  key (g, "throttling");
  yajl_gen_map_open (g);
  num (g, "periods", st->cpu.periods, true);
  num (g, "throttled_periods", st->cpu.throttled_periods, true);
  num (g, "throttled_time", st->cpu.throttled_time, true);
  yajl_gen_map_close (g);
  gen_psi (g, &st->cpu.psi);
  yajl_gen_map_close (g);
}

static void
gen_mem_entry (yajl_gen g, const char *k, const struct husk_cg_memory_entry *e)
{
  if (!e->set)
    return;
  key (g, k);
  yajl_gen_map_open (g);
  num (g, "limit", e->limit, false);
  num (g, "usage", e->usage, true);
  num (g, "max", e->max, true);
  num (g, "failcnt", e->failcnt, false);
  yajl_gen_map_close (g);
}

static void
gen_memory (yajl_gen g, const struct husk_cgroup_stats *st)
{
  key (g, "memory");
  yajl_gen_map_open (g);
  num (g, "cache", st->memory.cache, true);
  gen_mem_entry (g, "usage", &st->memory.usage);
  gen_mem_entry (g, "swap", &st->memory.swap);
  gen_mem_entry (g, "kernel", &st->memory.kernel);
  gen_mem_entry (g, "kernelTCP", &st->memory.kernel_tcp);
  if (st->memory.raw_len > 0)
    {
      key (g, "raw");
      yajl_gen_map_open (g);
      for (size_t i = 0; i < st->memory.raw_len; i++)
        num (g, st->memory.raw_keys[i], st->memory.raw_values[i], false);
      yajl_gen_map_close (g);
    }
  gen_psi (g, &st->memory.psi);
  yajl_gen_map_close (g);
}

static void
gen_blkio (yajl_gen g, const struct husk_cgroup_stats *st)
{
  static const char *const names[HUSK_CG_BLKIO__COUNT] = {
    [HUSK_CG_BLKIO_SERVICE_BYTES] = "ioServiceBytesRecursive",
    [HUSK_CG_BLKIO_SERVICED] = "ioServicedRecursive",
  };
  key (g, "blkio");
  yajl_gen_map_open (g);
  for (int k = 0; k < HUSK_CG_BLKIO__COUNT; k++)
    {
      if (st->blkio[k].len == 0)
        continue;
      key (g, names[k]);
      yajl_gen_array_open (g);
      for (size_t i = 0; i < st->blkio[k].len; i++)
        {
          const struct husk_cg_blkio_entry *e = &st->blkio[k].v[i];
          yajl_gen_map_open (g);
          num (g, "major", e->major, true);
          num (g, "minor", e->minor, true);
          if (e->op[0])
            {
              key (g, "op");
              key (g, e->op);
            }
          num (g, "value", e->value, true);
          yajl_gen_map_close (g);
        }
      yajl_gen_array_close (g);
    }
  gen_psi (g, &st->blkio_psi);
  yajl_gen_map_close (g);
}

static void
gen_rest (yajl_gen g, const struct husk_cgroup_stats *st)
{
  key (g, "pids");
  yajl_gen_map_open (g);
  num (g, "current", st->pids.current, true);
  num (g, "limit", st->pids.limit, true);
  yajl_gen_map_close (g);
  gen_blkio (g, st);
  key (g, "hugetlb");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < st->hugetlb_len; i++)
    {
      key (g, st->hugetlb[i].page_size);
      yajl_gen_map_open (g);
      num (g, "usage", st->hugetlb[i].usage, true);
      num (g, "max", st->hugetlb[i].max, true);
      num (g, "failcnt", st->hugetlb[i].failcnt, false);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
  key (g, "intel_rdt");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
  key (g, "network_interfaces");
  yajl_gen_null (g);
}

int
husk_cgroup_stats_json (struct husk_cgroup *cg, char **json, struct husk_error **err)
{
  struct husk_cgroup_stats st = { 0 };
  cleanup_gen yajl_gen g = NULL;
  const unsigned char *buf;
  size_t len;
  int r;

  r = cg->ops->stats (cg, &st, err);
  if (r == 0 && (g = yajl_gen_alloc (NULL)) == NULL)
    r = husk_error_set (err, ENOMEM, "stats");
  if (r == 0)
    {
      yajl_gen_map_open (g);
      gen_cpu (g, &st);
      gen_memory (g, &st);
      gen_rest (g, &st);
      yajl_gen_map_close (g);
      if (yajl_gen_get_buf (g, &buf, &len) != yajl_gen_status_ok || (*json = strndup ((const char *) buf, len)) == NULL)
        r = husk_error_set (err, ENOMEM, "stats: JSON generation failed");
    }
  husk_cg_stats_clear (&st);
  return r;
}

void
husk_cg_stats_clear (struct husk_cgroup_stats *st)
{
  free (st->cpu.percpu.v);
  free (st->cpu.percpu_kernel.v);
  free (st->cpu.percpu_user.v);
  for (size_t i = 0; i < st->memory.raw_len; i++)
    free (st->memory.raw_keys[i]);
  free (st->memory.raw_keys);
  free (st->memory.raw_values);
  for (int k = 0; k < HUSK_CG_BLKIO__COUNT; k++)
    free (st->blkio[k].v);
  for (size_t i = 0; i < st->hugetlb_len; i++)
    free (st->hugetlb[i].page_size);
  free (st->hugetlb);
  memset (st, 0, sizeof *st);
}

int
husk_cg_u64_list_parse (const char *content, struct husk_cg_u64_list *out,
                        struct husk_error **err)
{
  const char *p = content;
  while (*p)
    {
      char *end;
      uint64_t v = strtoull (p, &end, 10);
      uint64_t *nv;
      if (end == p)
        {
          p++;
          continue;
        }
      nv = realloc (out->v, (out->len + 1) * sizeof *nv);
      if (nv == NULL)
        return husk_error_set (err, ENOMEM, "stats");
      out->v = nv;
      nv[out->len++] = v;
      p = end;
    }
  return 0;
}

int
husk_cg_stats_raw_parse (const char *content, struct husk_cgroup_stats *st,
                         struct husk_error **err)
{
  for (const char *line = content; *line;)
    {
      size_t klen = strcspn (line, " \n");
      const char *next = line + strcspn (line, "\n");
      if (line[klen] == ' ')
        {
          char **nk = realloc (st->memory.raw_keys, (st->memory.raw_len + 1) * sizeof *nk);
          uint64_t *nv;
          if (nk == NULL)
            return husk_error_set (err, ENOMEM, "stats");
          st->memory.raw_keys = nk;
          nv = realloc (st->memory.raw_values, (st->memory.raw_len + 1) * sizeof *nv);
          if (nv == NULL || (nk[st->memory.raw_len] = strndup (line, klen)) == NULL)
            return husk_error_set (err, ENOMEM, "stats");
          st->memory.raw_values = nv;
          nv[st->memory.raw_len++] = strtoull (line + klen + 1, NULL, 10);
        }
      line = *next ? next + 1 : next;
    }
  return 0;
}

int
husk_cg_blkio_add (struct husk_cg_blkio_list *l, uint64_t major, uint64_t minor, const char *op,
                   uint64_t value, struct husk_error **err)
{
  struct husk_cg_blkio_entry *nv = realloc (l->v, (l->len + 1) * sizeof *nv);
  if (nv == NULL)
    return husk_error_set (err, ENOMEM, "stats");
  l->v = nv;
  nv += l->len++;
  nv->major = major;
  nv->minor = minor;
  snprintf (nv->op, sizeof nv->op, "%s", op);
  nv->value = value;
  return 0;
}

int
husk_cg_hugetlb_add (struct husk_cgroup_stats *st, const char *size, uint64_t usage,
                     uint64_t max, uint64_t failcnt, struct husk_error **err)
{
  struct husk_cg_hugetlb *nv = realloc (st->hugetlb, (st->hugetlb_len + 1) * sizeof *nv);
  if (nv == NULL)
    return husk_error_set (err, ENOMEM, "stats");
  st->hugetlb = nv;
  nv += st->hugetlb_len;
  if ((nv->page_size = strdup (size)) == NULL)
    return husk_error_set (err, ENOMEM, "stats");
  st->hugetlb_len++;
  nv->usage = usage;
  nv->max = max;
  nv->failcnt = failcnt;
  return 0;
}

/* "hugepages-2048kB" -> "2MB", the cgroup files' spelling. */
static char *
page_size_name (const char *dirname)
{
  static const char *const units[] = { "KB", "MB", "GB", "TB", "PB" };
  unsigned long long kb;
  size_t u = 0;
  char *out = NULL;
  if (sscanf (dirname, "hugepages-%llukB", &kb) != 1)
    return NULL;
  while (kb >= 1024 && kb % 1024 == 0 && u < 4)
    kb /= 1024, u++;
  if (asprintf (&out, "%llu%s", kb, units[u]) < 0)
    return NULL;
  return out;
}

int
husk_cg_hugepage_sizes (char ***sizes, struct husk_error **err)
{
  cleanup_dir DIR *d = opendir ("/sys/kernel/mm/hugepages");
  cleanup_strv char **v = calloc (1, sizeof *v);
  size_t n = 0;
  struct dirent *de;
  if (v == NULL)
    return husk_error_set (err, ENOMEM, "hugepage sizes");
  while (d && (de = readdir (d)) != NULL)
    {
      char *name = page_size_name (de->d_name);
      char **nv;
      if (name == NULL)
        continue;
      nv = realloc (v, (n + 2) * sizeof *nv);
      if (nv == NULL)
        {
          free (name);
          return husk_error_set (err, ENOMEM, "hugepage sizes");
        }
      v = nv;
      v[n++] = name;
      v[n] = NULL;
    }
  *sizes = steal_pointer (&v);
  return 0;
}
