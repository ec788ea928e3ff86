/* Which ConfigMaps and Secrets a pod names, and its imagePullSecrets
 * credentials. */
#include "pod_projection.h"
#include "pod_projection_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "configmap.h"
#include "dockercfg.h"
#include "jv.h"
#include "quantity.h"
#include "sandbox/pod/pod_util.h"

/* ---- which objects a pod names (event loop) ---- */

typedef void (*ref_fn) (void *ctx, const char *resource, const char *name);

static void
each_projection_ref (yajl_val vol, ref_fn fn, void *ctx)
{
  yajl_val sources = jv_path (vol, "projected", "sources", NULL);
  if (jv_str (jv_get (vol, "configMap"), "name"))
    fn (ctx, "configmaps", jv_str (jv_get (vol, "configMap"), "name"));
  if (jv_str (jv_get (vol, "secret"), "secretName"))
    fn (ctx, "secrets", jv_str (jv_get (vol, "secret"), "secretName"));
  for (size_t i = 0; i < alen (sources); i++)
    {
      if (jv_str (jv_get (at (sources, i), "configMap"), "name"))
        fn (ctx, "configmaps", jv_str (jv_get (at (sources, i), "configMap"), "name"));
      if (jv_str (jv_get (at (sources, i), "secret"), "name"))
        fn (ctx, "secrets", jv_str (jv_get (at (sources, i), "secret"), "name"));
    }
}

static void
each_container_ref (yajl_val c, ref_fn fn, void *ctx)
{
  yajl_val env = jv_get (c, "env"), from = jv_get (c, "envFrom");
  for (size_t i = 0; i < alen (env); i++)
    {
      yajl_val vf = jv_get (at (env, i), "valueFrom");
      if (jv_str (jv_get (vf, "configMapKeyRef"), "name"))
        fn (ctx, "configmaps", jv_str (jv_get (vf, "configMapKeyRef"), "name"));
      if (jv_str (jv_get (vf, "secretKeyRef"), "name"))
        fn (ctx, "secrets", jv_str (jv_get (vf, "secretKeyRef"), "name"));
    }
  for (size_t i = 0; i < alen (from); i++)
    {
      if (jv_str (jv_get (at (from, i), "configMapRef"), "name"))
        fn (ctx, "configmaps", jv_str (jv_get (at (from, i), "configMapRef"), "name"));
      if (jv_str (jv_get (at (from, i), "secretRef"), "name"))
        fn (ctx, "secrets", jv_str (jv_get (at (from, i), "secretRef"), "name"));
    }
}

static void
each_ref (yajl_val pod, ref_fn fn, void *ctx)
{
  static const char *const lists[] = { "initContainers", "containers" };
  yajl_val vols = jv_path (pod, "spec", "volumes", NULL);
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val cs = jv_path (pod, "spec", lists[l], NULL);
      for (size_t i = 0; i < alen (cs); i++)
        each_container_ref (at (cs, i), fn, ctx);
    }
  yajl_val pull = jv_path (pod, "spec", "imagePullSecrets", NULL);
  for (size_t i = 0; i < alen (vols); i++)
    each_projection_ref (at (vols, i), fn, ctx);
  for (size_t i = 0; i < alen (pull); i++)
    if (jv_str (at (pull, i), "name"))
      fn (ctx, "secrets", jv_str (at (pull, i), "name"));
}

struct refs_ctx {
  struct api_store *store;
  const char *ns;
  yajl_val out;
};

static void
add_ref (void *ctx, const char *resource, const char *name)
{
  struct refs_ctx *r = ctx;
  yajl_val obj = api_store_get (r->store, resource, r->ns, name);
  if (obj)
    jv_set (jv_obj_at (r->out, resource), name, jv_copy (obj));
}

yajl_val
huskd_pod_refs (struct api_store *store, yajl_val pod)
{
  struct refs_ctx r = { store, jv_str (jv_get (pod, "metadata"), "namespace"), jv_object () };
  each_ref (pod, add_ref, &r);
  return r.out;
}

struct uses_ctx {
  const char *resource, *name;
  bool found;
};

static void
check_use (void *ctx, const char *resource, const char *name)
{
  struct uses_ctx *u = ctx;
  if (!strcmp (u->resource, resource) && !strcmp (u->name, name))
    u->found = true;
}

bool
huskd_pod_uses (yajl_val pod, const char *resource, const char *name)
{
  struct uses_ctx u = { resource, name, false };
  each_ref (pod, check_use, &u);
  return u.found;
}

/* The pod's imagePullSecrets in its order, from get(name). */
static int
pull_credentials (yajl_val pod, yajl_val (*get) (void *ctx, const char *name), void *ctx,
                  const char *image, struct api_registry_auth *out)
{
  yajl_val pull = jv_path (pod, "spec", "imagePullSecrets", NULL);
  cleanup_free yajl_val *secrets = calloc (alen (pull) + 1, sizeof *secrets);
  size_t n = 0;
  char host[256];
  for (size_t i = 0; i < alen (pull); i++)
    if ((secrets[n] = get (ctx, jv_str (at (pull, i), "name") ?: "")))
      n++;
  return api_docker_credentials (secrets, n, api_image_registry (image, host, sizeof host), out);
}

static yajl_val
stored_secret (void *ctx, const char *name)
{
  struct refs_ctx *r = ctx;
  return api_store_get (r->store, "secrets", r->ns, name);
}

int
huskd_pod_pull_credentials (struct api_store *store, yajl_val pod, const char *image,
                            struct api_registry_auth *out)
{
  struct refs_ctx r = { store, jv_str (jv_get (pod, "metadata"), "namespace"), NULL };
  return pull_credentials (pod, stored_secret, &r, image, out);
}

static yajl_val
synced_secret (void *ctx, const char *name)
{
  return jv_get (jv_get (((struct pod_sync *) ctx)->refs, "secrets"), name);
}

int
pod_sync_pull_credentials (struct pod_sync *s, const char *image, struct api_registry_auth *out)
{
  return pull_credentials (s->pod, synced_secret, s, image, out);
}

