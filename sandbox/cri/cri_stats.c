/* ContainerStats, ListContainerStats, PodSandboxStats and
 * ListPodSandboxStats: the pod library's per-container usage (the
 * runtime's `events --stats`), a sandbox's being its containers' sum. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "cri_internal.h"

static Runtime__V1__UInt64Value *
u64 (struct cri_arena *a, uint64_t v)
{
  Runtime__V1__UInt64Value *x = cri_alloc (a, sizeof *x);
  runtime__v1__uint64_value__init (x);
  x->value = v;
  return x;
}

static Runtime__V1__CpuUsage *
cpu (struct cri_arena *a, int64_t ts, uint64_t ns)
{
  Runtime__V1__CpuUsage *c = cri_alloc (a, sizeof *c);
  runtime__v1__cpu_usage__init (c);
  c->timestamp = ts;
  c->usage_core_nano_seconds = u64 (a, ns);
  return c;
}

/* kubelet's working set: the usage without the (reclaimable) cache */
static Runtime__V1__MemoryUsage *
memory (struct cri_arena *a, int64_t ts, uint64_t usage, uint64_t cache)
{
  Runtime__V1__MemoryUsage *m = cri_alloc (a, sizeof *m);
  runtime__v1__memory_usage__init (m);
  m->timestamp = ts;
  m->usage_bytes = u64 (a, usage);
  m->working_set_bytes = u64 (a, usage > cache ? usage - cache : usage);
  return m;
}

/* NULL (and *cfg untouched) when the container is not one of the CRI's
 * or has no usage to report (it exited). */
static Runtime__V1__ContainerStats *
stats_of (struct cri_server *s, struct cri_arena *a, const char *id,
          Runtime__V1__ContainerConfig **cfg_out, struct husk_pod_container_stats *raw,
          struct husk_error **err)
{
  Runtime__V1__ContainerConfig *c = NULL;
  struct husk_pod_container_stats st;
  Runtime__V1__ContainerStats *out;
  Runtime__V1__ContainerAttributes *at;
  Runtime__V1__ContainerMetadata *md;

  if (cri_store_get (s, "containers", id, &runtime__v1__container_config__descriptor,
                     (ProtobufCMessage **) &c, err) < 0)
    return NULL;
  if (husk_pod_container_stats (s->opts.env, id, &st, err) < 0)
    {
      protobuf_c_message_free_unpacked (&c->base, NULL);
      return NULL;
    }
  out = cri_alloc (a, sizeof *out);
  at = cri_alloc (a, sizeof *at);
  md = cri_alloc (a, sizeof *md);
  runtime__v1__container_stats__init (out);
  runtime__v1__container_attributes__init (at);
  runtime__v1__container_metadata__init (md);
  at->id = cri_strdup (a, id);
  if (c->metadata)
    {
      md->name = cri_strdup (a, c->metadata->name);
      md->attempt = c->metadata->attempt;
    }
  at->metadata = md;
  at->n_labels = c->n_labels;
  at->labels = cri_map_copy (a, &runtime__v1__container_attributes__labels_entry__descriptor,
                             (void *const *) c->labels, c->n_labels);
  at->n_annotations = c->n_annotations;
  at->annotations
      = cri_map_copy (a, &runtime__v1__container_attributes__annotations_entry__descriptor,
                      (void *const *) c->annotations, c->n_annotations);
  out->attributes = at;
  out->cpu = cpu (a, st.timestamp, st.cpu_usage_ns);
  out->memory = memory (a, st.timestamp, st.memory_usage, st.memory_cache);
  if (raw)
    *raw = st;
  if (cfg_out)
    *cfg_out = c;
  else
    protobuf_c_message_free_unpacked (&c->base, NULL);
  return out;
}

int
cri_container_stats (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                     ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ContainerStatsRequest *r = (const void *) req;
  Runtime__V1__ContainerStatsResponse *out = cri_alloc (a, sizeof *out);
  runtime__v1__container_stats_response__init (out);
  if ((out->stats = stats_of (s, a, r->container_id, NULL, NULL, err)) == NULL)
    return -1;
  *resp = &out->base;
  return 0;
}

static bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

int
cri_list_container_stats (struct cri_server *s, const ProtobufCMessage *req,
                          struct cri_arena *a, ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ListContainerStatsRequest *r = (const void *) req;
  const Runtime__V1__ContainerStatsFilter *f = r->filter;
  Runtime__V1__ListContainerStatsResponse *out = cri_alloc (a, sizeof *out);
  cleanup_strv char **ids = NULL;
  size_t n = 0;

  if (cri_store_list (s, "containers", &ids, &n, err) < 0)
    return -1;
  runtime__v1__list_container_stats_response__init (out);
  out->stats = cri_alloc (a, (n ? n : 1) * sizeof *out->stats);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_error struct husk_error *e = NULL;
      Runtime__V1__ContainerStats *st;
      if (f && ((f->id[0] && !has_prefix (ids[i], f->id))
                || (f->pod_sandbox_id[0] && !has_prefix (ids[i], f->pod_sandbox_id))))
        continue;
      /* an exited container has no usage: left out, as containerd does */
      if ((st = stats_of (s, a, ids[i], NULL, NULL, &e)) == NULL)
        continue;
      if (f && !cri_map_matches ((void *const *) st->attributes->labels,
                                 st->attributes->n_labels, (void *const *) f->label_selector,
                                 f->n_label_selector))
        continue;
      out->stats[out->n_stats++] = st;
    }
  *resp = &out->base;
  return 0;
}

static Runtime__V1__PodSandboxStats *
sandbox_stats (struct cri_server *s, struct cri_arena *a, const char *sid, struct husk_error **err)
{
  cleanup_msg Runtime__V1__RunPodSandboxRequest *cfg = NULL;
  cleanup_strv char **ids = NULL;
  Runtime__V1__PodSandboxStats *out;
  Runtime__V1__PodSandboxAttributes *at;
  Runtime__V1__LinuxPodSandboxStats *lx;
  Runtime__V1__PodSandboxMetadata *md;
  uint64_t cpu_ns = 0, mem = 0, cache = 0;
  int64_t ts = 0;
  size_t n = 0, sl = strlen (sid);

  if (cri_sandbox_config (s, sid, &cfg, err) < 0 || cri_store_list (s, "containers", &ids, &n, err) < 0)
    return NULL;
  out = cri_alloc (a, sizeof *out);
  at = cri_alloc (a, sizeof *at);
  lx = cri_alloc (a, sizeof *lx);
  md = cri_alloc (a, sizeof *md);
  runtime__v1__pod_sandbox_stats__init (out);
  runtime__v1__pod_sandbox_attributes__init (at);
  runtime__v1__linux_pod_sandbox_stats__init (lx);
  runtime__v1__pod_sandbox_metadata__init (md);
  at->id = cri_strdup (a, sid);
  if (cfg->config && cfg->config->metadata)
    {
      md->name = cri_strdup (a, cfg->config->metadata->name);
      md->uid = cri_strdup (a, cfg->config->metadata->uid);
      md->namespace_ = cri_strdup (a, cfg->config->metadata->namespace_);
      md->attempt = cfg->config->metadata->attempt;
    }
  at->metadata = md;
  if (cfg->config)
    {
      at->n_labels = cfg->config->n_labels;
      at->labels = cri_map_copy (a, &runtime__v1__pod_sandbox_attributes__labels_entry__descriptor,
                                 (void *const *) cfg->config->labels, cfg->config->n_labels);
      at->n_annotations = cfg->config->n_annotations;
      at->annotations
          = cri_map_copy (a, &runtime__v1__pod_sandbox_attributes__annotations_entry__descriptor,
                          (void *const *) cfg->config->annotations, cfg->config->n_annotations);
    }
  lx->containers = cri_alloc (a, (n ? n : 1) * sizeof *lx->containers);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_error struct husk_error *e = NULL;
      struct husk_pod_container_stats raw;
      Runtime__V1__ContainerStats *st;
      if (strncmp (ids[i], sid, sl) != 0 || ids[i][sl] != '-'
          || (st = stats_of (s, a, ids[i], NULL, &raw, &e)) == NULL)
        continue;
      lx->containers[lx->n_containers++] = st;
      cpu_ns += raw.cpu_usage_ns;
      mem += raw.memory_usage;
      cache += raw.memory_cache;
      ts = raw.timestamp;
    }
  lx->cpu = cpu (a, ts, cpu_ns);
  lx->memory = memory (a, ts, mem, cache);
  out->attributes = at;
  out->linux = lx;
  return out;
}

int
cri_pod_sandbox_stats (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                       ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__PodSandboxStatsRequest *r = (const void *) req;
  Runtime__V1__PodSandboxStatsResponse *out = cri_alloc (a, sizeof *out);
  runtime__v1__pod_sandbox_stats_response__init (out);
  if ((out->stats = sandbox_stats (s, a, r->pod_sandbox_id, err)) == NULL)
    return -1;
  *resp = &out->base;
  return 0;
}

int
cri_list_pod_sandbox_stats (struct cri_server *s, const ProtobufCMessage *req,
                            struct cri_arena *a, ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ListPodSandboxStatsRequest *r = (const void *) req;
  const Runtime__V1__PodSandboxStatsFilter *f = r->filter;
  Runtime__V1__ListPodSandboxStatsResponse *out = cri_alloc (a, sizeof *out);
  cleanup_strv char **ids = NULL;
  size_t n = 0;

  if (cri_store_list (s, "sandboxes", &ids, &n, err) < 0)
    return -1;
  runtime__v1__list_pod_sandbox_stats_response__init (out);
  out->stats = cri_alloc (a, (n ? n : 1) * sizeof *out->stats);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_error struct husk_error *e = NULL;
      Runtime__V1__PodSandboxStats *st;
      if (f && f->id[0] && !has_prefix (ids[i], f->id))
        continue;
      if ((st = sandbox_stats (s, a, ids[i], &e)) == NULL)
        continue;
      if (f && !cri_map_matches ((void *const *) st->attributes->labels, st->attributes->n_labels,
                                 (void *const *) f->label_selector, f->n_label_selector))
        continue;
      out->stats[out->n_stats++] = st;
    }
  *resp = &out->base;
  return 0;
}
