#include "quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "quantity.h"
#include "resources.h"

/* The resources a quota may name, with where the pod's value comes from. */
static const struct {
  const char *name;
  int res; /* enum api_res, or -1 for the pod count */
  bool binary;
} quota_keys[] = {
  { "cpu", API_REQ_CPU, false },           { "limits.cpu", API_LIM_CPU, false },
  { "limits.memory", API_LIM_MEM, true },  { "memory", API_REQ_MEM, true },
  { "pods", -1, false },                   { "requests.cpu", API_REQ_CPU, false },
  { "requests.memory", API_REQ_MEM, true },
};
#define N_KEYS (sizeof quota_keys / sizeof quota_keys[0])

int
api_pod_counts_for_quota (yajl_val pod)
{
  const char *phase = jv_str (jv_get (pod, "status"), "phase");
  return !phase || (strcmp (phase, "Succeeded") && strcmp (phase, "Failed"));
}

static long long
pod_value (yajl_val pod, size_t key)
{
  struct api_pod_resources r;
  if (quota_keys[key].res < 0)
    return 1000;
  api_pod_resources (pod, &r);
  return r.v[quota_keys[key].res];
}

static long long
used_value (yajl_val *pods, size_t np, size_t key)
{
  long long sum = 0;
  for (size_t i = 0; i < np; i++)
    if (api_pod_counts_for_quota (pods[i]))
      sum += pod_value (pods[i], key);
  return sum;
}

static void
append (FILE *f, bool *first, const char *name, long long milli, bool binary)
{
  char q[32];
  api_quantity_format (milli, binary, q);
  fprintf (f, "%s%s=%s", *first ? "" : ",", name, q);
  *first = false;
}

static struct api_status *
exceeded (yajl_val pod, const char *quota_name, const bool *over, const long long *req,
          const long long *used, const long long *hard)
{
  cleanup_free char *a = NULL, *b = NULL, *c = NULL;
  size_t la, lb, lc;
  FILE *fa = open_memstream (&a, &la), *fb = open_memstream (&b, &lb),
       *fc = open_memstream (&c, &lc);
  bool f1 = true, f2 = true, f3 = true;
  for (size_t k = 0; k < N_KEYS; k++)
    if (over[k])
      {
        append (fa, &f1, quota_keys[k].name, req[k], quota_keys[k].binary);
        append (fb, &f2, quota_keys[k].name, used[k], quota_keys[k].binary);
        append (fc, &f3, quota_keys[k].name, hard[k], quota_keys[k].binary);
      }
  fclose (fa);
  fclose (fb);
  fclose (fc);
  return api_forbidden ("pods", jv_str (jv_get (pod, "metadata"), "name"),
                        "exceeded quota: %s, requested: %s, used: %s, limited: %s", quota_name,
                        a, b, c);
}

static struct api_status *
admit_one (yajl_val pod, yajl_val quota, yajl_val *pods, size_t np)
{
  yajl_val hard = jv_path (quota, "spec", "hard", NULL);
  const char *qname = jv_str (jv_get (quota, "metadata"), "name");
  long long req[N_KEYS] = { 0 }, used[N_KEYS] = { 0 }, lim[N_KEYS] = { 0 };
  bool over[N_KEYS] = { false }, any = false;
  struct api_pod_resources r;

  api_pod_resources (pod, &r);
  for (size_t k = 0; k < N_KEYS; k++)
    {
      const char *h = jv_str (hard, quota_keys[k].name);
      if (!h || !api_quantity_parse (h, &lim[k]))
        continue;
      if (quota_keys[k].res >= 0 && !r.set[quota_keys[k].res])
        return api_forbidden ("pods", jv_str (jv_get (pod, "metadata"), "name"),
                              "failed quota: %s: must specify %s", qname ? qname : "",
                              quota_keys[k].name);
      req[k] = pod_value (pod, k);
      used[k] = used_value (pods, np, k);
      if (used[k] + req[k] > lim[k])
        over[k] = any = true;
    }
  return any ? exceeded (pod, qname ? qname : "", over, req, used, lim) : NULL;
}

struct api_status *
api_quota_admit (yajl_val pod, yajl_val *quotas, size_t nq, yajl_val *pods, size_t np)
{
  for (size_t i = 0; i < nq; i++)
    {
      struct api_status *s = admit_one (pod, quotas[i], pods, np);
      if (s)
        return s;
    }
  return NULL;
}

void
api_quota_refresh (yajl_val quota, yajl_val *pods, size_t np)
{
  yajl_val hard = jv_path (quota, "spec", "hard", NULL);
  yajl_val status = jv_obj_at (quota, "status");
  yajl_val used = jv_set (status, "used", jv_object ());
  jv_set (status, "hard", hard ? jv_copy (hard) : jv_object ());
  for (size_t k = 0; k < N_KEYS; k++)
    {
      char q[32];
      if (!jv_str (hard, quota_keys[k].name))
        continue;
      api_quantity_format (used_value (pods, np, k), quota_keys[k].binary, q);
      jv_set (used, quota_keys[k].name, jv_string (q));
    }
}
