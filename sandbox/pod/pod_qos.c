/* A pod's QoS class, as Kubernetes computes it (pkg/apis/core/helper/qos
 * GetPodQOS): the one computation for status.qosClass (huskd) and where the
 * pod's cgroup goes.  Only cpu and memory count; a zero quantity is no
 * quantity; a request left out is its limit (the API server's defaulting). */
#include "pod_internal.h"

#include <string.h>
#include <yajl/yajl_tree.h>

struct qos_sum {
  bool guaranteed;            /* every container limits cpu and memory */
  bool req[2], lim[2];        /* [0] cpu, [1] memory: some container set it */
  __int128 requests[2], limits[2];
};

static void
qos_add (struct qos_sum *s, const struct pod_resources *r)
{
  const oci_opt_i64 *lim[2] = { &r->limits_cpu_milli, &r->limits_memory };
  const oci_opt_i64 *req[2] = { &r->requests_cpu_milli, &r->requests_memory };
  for (int i = 0; i < 2; i++)
    {
      int64_t l = lim[i]->set ? lim[i]->value : 0;
      int64_t q = req[i]->set ? req[i]->value : l;
      if (q > 0)
        s->req[i] = true, s->requests[i] += q;
      if (l > 0)
        s->lim[i] = true, s->limits[i] += l;
      else
        s->guaranteed = false;
    }
}

static enum pod_qos
qos_of (const struct qos_sum *s)
{
  bool guaranteed = s->guaranteed;
  if (!s->req[0] && !s->req[1] && !s->lim[0] && !s->lim[1])
    return POD_QOS_BEST_EFFORT;
  for (int i = 0; i < 2; i++)
    if (s->req[i] != s->lim[i] || s->requests[i] != s->limits[i])
      guaranteed = false;
  return guaranteed ? POD_QOS_GUARANTEED : POD_QOS_BURSTABLE;
}

int64_t
pod_cpu_shares (const struct pod_resources *r)
{
  const oci_opt_i64 *milli = r->requests_cpu_milli.set ? &r->requests_cpu_milli : &r->limits_cpu_milli;
  int64_t shares = milli->set ? milli->value * 1024 / 1000 : 0;
  /* kubelet's MilliCPUToShares: 2 at least */
  return milli->set && shares < 2 ? 2 : shares;
}

enum pod_qos
pod_qos_class (const struct pod_spec *pod)
{
  struct qos_sum s = { .guaranteed = true };
  for (size_t i = 0; i < pod->containers_len; i++)
    qos_add (&s, &pod->containers[i].resources);
  for (size_t i = 0; i < pod->init_containers_len; i++)
    qos_add (&s, &pod->init_containers[i].resources);
  return qos_of (&s);
}

const char *
pod_qos_name (enum pod_qos q)
{
  return q == POD_QOS_GUARANTEED ? "Guaranteed" : q == POD_QOS_BURSTABLE ? "Burstable" : "BestEffort";
}

/* ---- from the API object (huskd) ---- */

static void
quantity (yajl_val list, const char *key, oci_opt_i64 *out)
{
  const char *path[] = { key, NULL };
  yajl_val v = list ? yajl_tree_get (list, path, yajl_t_any) : NULL;
  int64_t q = 0;
  if (v && YAJL_IS_INTEGER (v))
    *out = (oci_opt_i64) { true, YAJL_GET_INTEGER (v) * 1000 };
  else if (v && YAJL_IS_STRING (v) && pod_quantity_parse_milli (YAJL_GET_STRING (v), &q) == 0)
    *out = (oci_opt_i64) { true, q };
}

static void
add_containers (struct qos_sum *s, yajl_val spec, const char *key)
{
  const char *cpath[] = { key, NULL }, *lpath[] = { "resources", "limits", NULL },
             *rpath[] = { "resources", "requests", NULL };
  yajl_val list = spec ? yajl_tree_get (spec, cpath, yajl_t_array) : NULL;
  for (size_t i = 0; list && i < list->u.array.len; i++)
    {
      yajl_val c = list->u.array.values[i];
      yajl_val lim = yajl_tree_get (c, lpath, yajl_t_object);
      yajl_val req = yajl_tree_get (c, rpath, yajl_t_object);
      struct pod_resources r = { 0 };
      quantity (lim, "cpu", &r.limits_cpu_milli);
      quantity (lim, "memory", &r.limits_memory);
      quantity (req, "cpu", &r.requests_cpu_milli);
      quantity (req, "memory", &r.requests_memory);
      qos_add (s, &r);
    }
}

const char *
husk_pod_qos_class (yajl_val pod)
{
  const char *path[] = { "spec", NULL };
  yajl_val spec = pod ? yajl_tree_get (pod, path, yajl_t_object) : NULL;
  struct qos_sum s = { .guaranteed = true };
  add_containers (&s, spec, "containers");
  add_containers (&s, spec, "initContainers");
  return pod_qos_name (qos_of (&s));
}
