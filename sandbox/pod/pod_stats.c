/* A container's resource usage, as the runtime's `events --stats` reports
 * it (runc's JSON: data.cpu.usage.total in ns, data.memory.usage.usage in
 * bytes), for huskd's stats endpoints: the CRI's ContainerStats. */
#include "pod_internal.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "pod_util.h"

static uint64_t
number_at (yajl_val root, const char *a, const char *b, const char *c, const char *d)
{
  const char *path[] = { a, b, c, d, NULL };
  yajl_val v = yajl_tree_get (root, path, yajl_t_number);
  return v && YAJL_IS_INTEGER (v) && YAJL_GET_INTEGER (v) > 0 ? (uint64_t) YAJL_GET_INTEGER (v)
                                                              : 0;
}

int
husk_pod_container_stats (const struct husk_sandbox_env *henv, const char *cid,
                          struct husk_pod_container_stats *out, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_free char *json = NULL, *name = NULL;
  cleanup_json yajl_val root = NULL;
  char sid[33];
  unsigned attempt;
  struct timespec now;
  const char *args[] = { "events", "--stats", cid, NULL };

  memset (out, 0, sizeof *out);
  if (pod_env_resolve (henv, &env, err) < 0
      || pod_split_container_id (cid, sid, &name, &attempt, err) < 0)
    return -1;
  clock_gettime (CLOCK_REALTIME, &now);
  out->timestamp = (int64_t) now.tv_sec * 1000000000LL + now.tv_nsec;
  if (pod_runtime (&env, args, 10, &json, err) < 0)
    return husk_error_wrap (err, "stats of `%s`", cid);
  if (json_doc_parse ("events --stats", json, strlen (json), &root, err) < 0)
    return husk_error_wrap (err, "stats of `%s`", cid);
  out->cpu_usage_ns = number_at (root, "data", "cpu", "usage", "total");
  out->memory_usage = number_at (root, "data", "memory", "usage", "usage");
  out->memory_cache = number_at (root, "data", "memory", "stats", "cache");
  return 0;
}
