/* RunPodSandbox, StopPodSandbox, RemovePodSandbox, PodSandboxStatus and
 * ListPodSandbox: a husk pod holder per sandbox (sandbox/pod). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "cri_internal.h"
#include "cri_pod.h"

#define SANDBOXES "sandboxes"

/* huskd has one runtime: the default handler (""), and a RuntimeClass
 * handler named after it ("husk", or the basename of --runtime).  Any
 * other is refused as containerd refuses a handler it has no runtime for,
 * rather than run the pod with a runtime it did not ask for. */
static int
check_handler (struct cri_server *s, const char *handler, struct husk_error **err)
{
  cleanup_free char *runtime = NULL;
  const char *base;
  if (handler == NULL || handler[0] == '\0' || strcmp (handler, "husk") == 0)
    return 0;
  runtime = husk_sandbox_find_runtime (s->opts.env);
  base = runtime ? strrchr (runtime, '/') : NULL;
  base = base ? base + 1 : runtime;
  if (base && strcmp (handler, base) == 0)
    return 0;
  return husk_error_set (err, EINVAL, "RunPodSandbox: no runtime for `%s` is configured", handler);
}

int
cri_run_pod_sandbox (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                     ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__RunPodSandboxRequest *r = (const void *) req;
  Runtime__V1__RunPodSandboxResponse *out = cri_alloc (a, sizeof *out);
  cleanup_free char *json = NULL, *sid = NULL;
  /* kubelet's cgroup_parent is the pod's own cgroup (it made it, placed by
   * QoS): the containers go inside, as containerd puts them */
  struct husk_sandbox_env env = *s->opts.env;

  if (r->config && r->config->linux && r->config->linux->cgroup_parent[0])
    env.pod_cgroup = r->config->linux->cgroup_parent;
  if (r->config == NULL || r->config->metadata == NULL || r->config->metadata->name[0] == '\0')
    return husk_error_set (err, EINVAL, "RunPodSandbox: config.metadata.name is required");
  if (check_handler (s, r->runtime_handler, err) < 0)
    return -1;
  if (cri_pod_json (r->config, NULL, 0, &json, err) < 0
      || husk_pod_sandbox_run (&env, json, strlen (json), &sid, err) < 0)
    return husk_error_wrap (err, "RunPodSandbox `%s`", r->config->metadata->name);
  if (cri_store_put (s, SANDBOXES, sid, req, err) < 0)
    {
      cleanup_error struct husk_error *e2 = NULL;
      husk_pod_sandbox_remove (s->opts.env, sid, &e2);
      return -1;
    }
  runtime__v1__run_pod_sandbox_response__init (out);
  out->pod_sandbox_id = cri_strdup (a, sid);
  *resp = &out->base;
  return 0;
}

/* The sandbox's stored request; ENOENT for one the CRI did not make. */
static int
load (struct cri_server *s, const char *id, Runtime__V1__RunPodSandboxRequest **out,
      struct husk_error **err)
{
  return cri_store_get (s, SANDBOXES, id, &runtime__v1__run_pod_sandbox_request__descriptor,
                        (ProtobufCMessage **) out, err);
}

int
cri_sandbox_config (struct cri_server *s, const char *id, Runtime__V1__RunPodSandboxRequest **out,
                    struct husk_error **err)
{
  return load (s, id, out, err);
}

int
cri_stop_pod_sandbox (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                      ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__StopPodSandboxRequest *r = (const void *) req;
  Runtime__V1__StopPodSandboxResponse *out = cri_alloc (a, sizeof *out);
  cleanup_msg ProtobufCMessage *cfg = NULL;
  /* kubelet stops the containers with their grace first; what is left is
   * killed, as containerd does */
  if (load (s, r->pod_sandbox_id, (Runtime__V1__RunPodSandboxRequest **) &cfg, err) < 0
      || husk_pod_sandbox_stop (s->opts.env, r->pod_sandbox_id, 0, err) < 0)
    return -1;
  runtime__v1__stop_pod_sandbox_response__init (out);
  *resp = &out->base;
  return 0;
}

int
cri_remove_pod_sandbox (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                        ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__RemovePodSandboxRequest *r = (const void *) req;
  Runtime__V1__RemovePodSandboxResponse *out = cri_alloc (a, sizeof *out);
  cleanup_msg ProtobufCMessage *cfg = NULL;
  cleanup_error struct husk_error *e = NULL;
  char **ids = NULL;
  size_t n = 0;
  size_t sl = strlen (r->pod_sandbox_id);

  runtime__v1__remove_pod_sandbox_response__init (out);
  *resp = &out->base;
  /* removing what is gone already is fine (the CRI says idempotent) */
  if (load (s, r->pod_sandbox_id, (Runtime__V1__RunPodSandboxRequest **) &cfg, &e) < 0)
    return e->errnum == ENOENT ? 0 : husk_error_propagate (err, &e);
  if (husk_pod_sandbox_remove (s->opts.env, r->pod_sandbox_id, err) < 0)
    return -1;
  if (cri_store_list (s, "containers", &ids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (strncmp (ids[i], r->pod_sandbox_id, sl) == 0 && ids[i][sl] == '-')
      cri_store_delete (s, "containers", ids[i], &e), husk_error_release (&e);
  husk_strv_free (ids);
  return cri_store_delete (s, SANDBOXES, r->pod_sandbox_id, err);
}

static Runtime__V1__PodSandboxMetadata *
metadata (struct cri_arena *a, const Runtime__V1__PodSandboxMetadata *md)
{
  Runtime__V1__PodSandboxMetadata *m = cri_alloc (a, sizeof *m);
  runtime__v1__pod_sandbox_metadata__init (m);
  if (md)
    {
      m->name = cri_strdup (a, md->name);
      m->uid = cri_strdup (a, md->uid);
      m->namespace_ = cri_strdup (a, md->namespace_);
      m->attempt = md->attempt;
    }
  return m;
}

static Runtime__V1__PodSandboxState
state_of (const struct husk_pod_sandbox_status *st)
{
  return st->state == HUSK_POD_SANDBOX_READY ? RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_READY
                                             : RUNTIME__V1__POD_SANDBOX_STATE__SANDBOX_NOTREADY;
}

static Runtime__V1__NamespaceOption *
namespace_options (struct cri_arena *a, const Runtime__V1__PodSandboxConfig *c)
{
  Runtime__V1__NamespaceOption *o = cri_alloc (a, sizeof *o);
  const Runtime__V1__NamespaceOption *in
      = c->linux && c->linux->security_context ? c->linux->security_context->namespace_options
                                               : NULL;
  runtime__v1__namespace_option__init (o);
  if (in)
    {
      o->network = in->network;
      o->pid = in->pid;
      o->ipc = in->ipc;
      o->target_id = cri_strdup (a, in->target_id);
    }
  return o;
}

int
cri_pod_sandbox_status (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                        ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__PodSandboxStatusRequest *r = (const void *) req;
  Runtime__V1__PodSandboxStatusResponse *out = cri_alloc (a, sizeof *out);
  Runtime__V1__PodSandboxStatus *st = cri_alloc (a, sizeof *st);
  Runtime__V1__PodSandboxNetworkStatus *net = cri_alloc (a, sizeof *net);
  Runtime__V1__LinuxPodSandboxStatus *lx = cri_alloc (a, sizeof *lx);
  Runtime__V1__Namespace *ns = cri_alloc (a, sizeof *ns);
  Runtime__V1__RunPodSandboxRequest *cfg = NULL;
  struct husk_pod_sandbox_status ps = { 0 };
  const Runtime__V1__PodSandboxConfig *c;

  if (load (s, r->pod_sandbox_id, &cfg, err) < 0)
    return -1;
  if (husk_pod_sandbox_status (s->opts.env, r->pod_sandbox_id, &ps, err) < 0)
    {
      protobuf_c_message_free_unpacked (&cfg->base, NULL);
      return -1;
    }
  c = cfg->config;
  runtime__v1__pod_sandbox_status_response__init (out);
  runtime__v1__pod_sandbox_status__init (st);
  runtime__v1__pod_sandbox_network_status__init (net);
  runtime__v1__linux_pod_sandbox_status__init (lx);
  runtime__v1__namespace__init (ns);
  st->id = cri_strdup (a, ps.id);
  st->metadata = metadata (a, c ? c->metadata : NULL);
  st->state = state_of (&ps);
  st->created_at = ps.created_at;
  net->ip = cri_strdup (a, ps.ip ? ps.ip : "");
  st->network = net;
  if (c)
    {
      ns->options = namespace_options (a, c);
      lx->namespaces = ns;
      st->linux = lx;
      st->n_labels = c->n_labels;
      st->labels = cri_map_copy (a, &runtime__v1__pod_sandbox_status__labels_entry__descriptor,
                                 (void *const *) c->labels, c->n_labels);
      st->n_annotations = c->n_annotations;
      st->annotations
          = cri_map_copy (a, &runtime__v1__pod_sandbox_status__annotations_entry__descriptor,
                          (void *const *) c->annotations, c->n_annotations);
    }
  st->runtime_handler = cri_strdup (a, cfg->runtime_handler);
  out->status = st;
  husk_pod_sandbox_status_free (&ps);
  protobuf_c_message_free_unpacked (&cfg->base, NULL);
  *resp = &out->base;
  return 0;
}

static bool
sandbox_matches (const Runtime__V1__PodSandboxFilter *f, const Runtime__V1__PodSandbox *p)
{
  if (f == NULL)
    return true;
  if (f->id[0] && strncmp (p->id, f->id, strlen (f->id)) != 0)
    return false;
  if (f->state && f->state->state != p->state)
    return false;
  return cri_map_matches ((void *const *) p->labels, p->n_labels,
                          (void *const *) f->label_selector, f->n_label_selector);
}

/* One entry of the list, NULL when the sandbox went away meanwhile. */
static Runtime__V1__PodSandbox *
list_entry (struct cri_server *s, struct cri_arena *a, const char *id)
{
  Runtime__V1__PodSandbox *p;
  Runtime__V1__RunPodSandboxRequest *cfg = NULL;
  struct husk_pod_sandbox_status ps = { 0 };
  cleanup_error struct husk_error *e = NULL;
  const Runtime__V1__PodSandboxConfig *c;

  if (load (s, id, &cfg, &e) < 0)
    return NULL;
  if (husk_pod_sandbox_status (s->opts.env, id, &ps, &e) < 0)
    {
      protobuf_c_message_free_unpacked (&cfg->base, NULL);
      return NULL;
    }
  c = cfg->config;
  p = cri_alloc (a, sizeof *p);
  runtime__v1__pod_sandbox__init (p);
  p->id = cri_strdup (a, id);
  p->metadata = metadata (a, c ? c->metadata : NULL);
  p->state = state_of (&ps);
  p->created_at = ps.created_at;
  if (c)
    {
      p->n_labels = c->n_labels;
      p->labels = cri_map_copy (a, &runtime__v1__pod_sandbox__labels_entry__descriptor,
                                (void *const *) c->labels, c->n_labels);
      p->n_annotations = c->n_annotations;
      p->annotations = cri_map_copy (a, &runtime__v1__pod_sandbox__annotations_entry__descriptor,
                                     (void *const *) c->annotations, c->n_annotations);
    }
  p->runtime_handler = cri_strdup (a, cfg->runtime_handler);
  husk_pod_sandbox_status_free (&ps);
  protobuf_c_message_free_unpacked (&cfg->base, NULL);
  return p;
}

int
cri_list_pod_sandbox (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                      ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ListPodSandboxRequest *r = (const void *) req;
  Runtime__V1__ListPodSandboxResponse *out = cri_alloc (a, sizeof *out);
  char **ids = NULL;
  size_t n = 0;

  if (cri_store_list (s, SANDBOXES, &ids, &n, err) < 0)
    return -1;
  runtime__v1__list_pod_sandbox_response__init (out);
  out->items = cri_alloc (a, (n ? n : 1) * sizeof *out->items);
  for (size_t i = 0; i < n; i++)
    {
      Runtime__V1__PodSandbox *p = list_entry (s, a, ids[i]);
      if (p && sandbox_matches (r->filter, p))
        out->items[out->n_items++] = p;
    }
  husk_strv_free (ids);
  *resp = &out->base;
  return 0;
}
