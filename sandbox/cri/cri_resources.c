/* UpdateContainerResources, and the resources ContainerStatus reports: the
 * container's cgroup changed through the pod library (the runtime's
 * `update --resources`), the new values kept with its config so that the
 * status shows what the container now has. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_writer.h"
#include "cri_internal.h"
#include "cri_pod.h"

#define CONTAINERS "containers"

/* LinuxContainerResources as an OCI linux.resources object; the CRI's
 * zeros are "leave as it is". */
static int
oci_resources_json (const Runtime__V1__LinuxContainerResources *r, char **out,
                    struct husk_error **err)
{
  cleanup_jw struct jw w = { 0 };

  if (jw_init (&w, NULL, err) < 0)
    return -1;
  jw_open (&w);
  jw_key (&w, "memory");
  jw_open (&w);
  if (r->memory_limit_in_bytes)
    jw_key_int (&w, "limit", r->memory_limit_in_bytes);
  if (r->memory_swap_limit_in_bytes)
    jw_key_int (&w, "swap", r->memory_swap_limit_in_bytes);
  jw_close (&w);
  jw_key (&w, "cpu");
  jw_open (&w);
  if (r->cpu_shares)
    jw_key_int (&w, "shares", r->cpu_shares);
  if (r->cpu_quota)
    jw_key_int (&w, "quota", r->cpu_quota);
  if (r->cpu_period)
    jw_key_int (&w, "period", r->cpu_period);
  if (r->cpuset_cpus[0])
    jw_key_string (&w, "cpus", r->cpuset_cpus);
  if (r->cpuset_mems[0])
    jw_key_string (&w, "mems", r->cpuset_mems);
  jw_close (&w);
  if (r->n_hugepage_limits)
    {
      jw_key (&w, "hugepageLimits");
      jw_array_open (&w);
      for (size_t i = 0; i < r->n_hugepage_limits; i++)
        {
          jw_open (&w);
          jw_key_string (&w, "pageSize", r->hugepage_limits[i]->page_size);
          jw_key_int (&w, "limit", (long long) r->hugepage_limits[i]->limit);
          jw_close (&w);
        }
      jw_array_close (&w);
    }
  if (r->n_unified)
    {
      jw_key (&w, "unified");
      jw_open (&w);
      for (size_t i = 0; i < r->n_unified; i++)
        jw_key_string (&w, r->unified[i]->key, r->unified[i]->value);
      jw_close (&w);
    }
  jw_close (&w);
  return jw_finish (&w, "resources", out, NULL, err);
}

/* The stored config with `res` as its resources (the request's message,
 * borrowed while the config is packed). */
static int
store_resources (struct cri_server *s, const char *id, Runtime__V1__ContainerConfig *c,
                 Runtime__V1__LinuxContainerResources *res, struct husk_error **err)
{
  Runtime__V1__LinuxContainerConfig empty = RUNTIME__V1__LINUX_CONTAINER_CONFIG__INIT;
  Runtime__V1__LinuxContainerConfig *linux_was = c->linux;
  Runtime__V1__LinuxContainerResources *res_was;
  int ret;

  if (c->linux == NULL)
    c->linux = &empty;
  res_was = c->linux->resources;
  c->linux->resources = res;
  ret = cri_store_put (s, CONTAINERS, id, &c->base, err);
  c->linux->resources = res_was;
  c->linux = linux_was;
  return ret;
}

int
cri_update_container_resources (struct cri_server *s, const ProtobufCMessage *req,
                                struct cri_arena *a, ProtobufCMessage **resp,
                                struct husk_error **err)
{
  const Runtime__V1__UpdateContainerResourcesRequest *r = (const void *) req;
  Runtime__V1__UpdateContainerResourcesResponse *out = cri_alloc (a, sizeof *out);
  cleanup_msg Runtime__V1__ContainerConfig *c = NULL;
  cleanup_free char *json = NULL;

  if (cri_store_get (s, CONTAINERS, r->container_id, &runtime__v1__container_config__descriptor,
                     (ProtobufCMessage **) &c, err)
      < 0)
    return -1;
  if (r->linux)
    {
      if (oci_resources_json (r->linux, &json, err) < 0
          || husk_pod_container_update_resources (s->opts.env, r->container_id, json, err) < 0
          || store_resources (s, r->container_id, c, r->linux, err) < 0)
        return husk_error_wrap (err, "UpdateContainerResources `%s`", r->container_id);
    }
  runtime__v1__update_container_resources_response__init (out);
  *resp = &out->base;
  return 0;
}

/* A copy in the arena of the config's resources, for ContainerStatus
 * (NULL when it has none). */
Runtime__V1__ContainerResources *
cri_container_resources (struct cri_arena *a, const Runtime__V1__ContainerConfig *c)
{
  const Runtime__V1__LinuxContainerResources *from = c->linux ? c->linux->resources : NULL;
  Runtime__V1__ContainerResources *out;
  Runtime__V1__LinuxContainerResources *to;

  if (from == NULL)
    return NULL;
  out = cri_alloc (a, sizeof *out);
  to = cri_alloc (a, sizeof *to);
  runtime__v1__container_resources__init (out);
  runtime__v1__linux_container_resources__init (to);
  to->cpu_period = from->cpu_period;
  to->cpu_quota = from->cpu_quota;
  to->cpu_shares = from->cpu_shares;
  to->memory_limit_in_bytes = from->memory_limit_in_bytes;
  to->memory_swap_limit_in_bytes = from->memory_swap_limit_in_bytes;
  to->oom_score_adj = from->oom_score_adj;
  to->cpuset_cpus = cri_strdup (a, from->cpuset_cpus);
  to->cpuset_mems = cri_strdup (a, from->cpuset_mems);
  to->n_unified = from->n_unified;
  to->unified = cri_map_copy (a, &runtime__v1__linux_container_resources__unified_entry__descriptor,
                              (void *const *) from->unified, from->n_unified);
  /* hugepage limits are left out: kubelet reads memory and cpu back */
  out->linux = to;
  return out;
}
