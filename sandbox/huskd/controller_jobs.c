#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "controller_internal.h"
#include "events.h"
#include "jv.h"
#include "request.h"
#include "table.h"

const char *
huskd_pod_sandbox_id (yajl_val pod)
{
  return jv_str (jv_path (pod, "metadata", "annotations", NULL), "husk.dev/sandbox-id");
}

char *
huskd_pod_container_id (yajl_val pod, const char *container, bool previous)
{
  const char *keys[] = { "containerStatuses", "initContainerStatuses" };
  for (size_t k = 0; k < 2; k++)
    {
      yajl_val list = jv_path (pod, "status", keys[k], NULL);
      for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
        {
          yajl_val cs = list->u.array.values[i];
          const char *id;
          if (strcmp (jv_str (cs, "name") ?: "", container))
            continue;
          id = previous ? jv_str (jv_path (cs, "lastState", "terminated", NULL), "containerID")
                        : jv_str (cs, "containerID");
          return id && !strncmp (id, "husk://", 7) ? strdup (id + 7) : NULL;
        }
    }
  return NULL;
}

int
huskd_controller_log_path (struct huskd_controller *c, const char *ns, const char *pod,
                           const char *container, bool previous, char **path,
                           struct husk_error **err)
{
  yajl_val p = api_store_get (c->d->store, "pods", ns, pod);
  cleanup_free char *id = p ? huskd_pod_container_id (p, container, previous) : NULL;
  if (!id)
    return husk_error_set (err, ENOENT, previous ? "no previous terminated container"
                                                 : "no container started yet");
  return husk_pod_container_log_path (&c->env, id, path, err);
}

void
huskd_controller_delete_namespace (struct huskd_controller *c, const char *ns)
{
  size_t n;
  char ts[32];
  cleanup_free yajl_val *pods = api_store_list (c->d->store, "pods", ns, &n);
  api_timestamp (ts, api_now ());
  for (size_t i = 0; i < n; i++)
    {
      cleanup_error struct husk_error *err = NULL;
      yajl_val copy;
      if (jv_path (pods[i], "metadata", "deletionTimestamp", NULL))
        continue;
      copy = jv_copy (pods[i]);
      jv_set (jv_obj_at (copy, "metadata"), "deletionTimestamp", jv_string (ts));
      api_store_put (c->d->store, "pods", copy, false, NULL, &err);
    }
  huskd_controller_namespaces_gc (c);
}

static void
delete_all (struct huskd_controller *c, const char *resource, const char *ns)
{
  size_t n;
  cleanup_free yajl_val *objs = api_store_list (c->d->store, resource, ns, &n);
  cleanup_strv char **names = calloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    names[i] = strdup (jv_str (jv_get (objs[i], "metadata"), "name"));
  for (size_t i = 0; i < n; i++)
    {
      cleanup_error struct husk_error *err = NULL;
      api_store_delete (c->d->store, resource, ns, names[i], &err);
    }
}

void
huskd_controller_namespaces_gc (struct huskd_controller *c)
{
  size_t n, np;
  cleanup_free yajl_val *all = api_store_list (c->d->store, "namespaces", NULL, &n);
  cleanup_strv char **doomed = calloc (n + 1, sizeof (char *));
  size_t nd = 0;
  for (size_t i = 0; i < n; i++)
    {
      const char *name = jv_str (jv_get (all[i], "metadata"), "name");
      if (!jv_path (all[i], "metadata", "deletionTimestamp", NULL))
        continue;
      free (api_store_list (c->d->store, "pods", name, &np));
      if (np == 0)
        doomed[nd++] = strdup (name);
    }
  for (size_t i = 0; i < nd; i++)
    {
      cleanup_error struct husk_error *err = NULL;
      delete_all (c, "events", doomed[i]);
      delete_all (c, "resourcequotas", doomed[i]);
      delete_all (c, "limitranges", doomed[i]);
      delete_all (c, "configmaps", doomed[i]);
      delete_all (c, "secrets", doomed[i]);
      api_store_delete (c->d->store, "namespaces", NULL, doomed[i], &err);
    }
}

void
huskd_controller_events_gc (struct huskd_controller *c)
{
  api_events_expire (c->d->store, c->d->opts.event_ttl, API_EVENTS_MAX);
}

/* ---- orphan sandboxes ---- */

struct orphan_job {
  struct huskd_job job;
  const struct husk_sandbox_env *env;
  char **uids; /* of the pods in the store */
};

static bool
known_uid (char **uids, const char *uid)
{
  for (; *uids; uids++)
    if (!strcmp (*uids, uid))
      return true;
  return false;
}

static void
orphans_run (struct huskd_job *job)
{
  struct orphan_job *oj = (struct orphan_job *) job;
  cleanup_error struct husk_error *err = NULL;
  char **ids = NULL;
  size_t n = 0;
  if (husk_pod_sandbox_list (oj->env, &ids, &n, &err) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    {
      struct husk_pod_sandbox_status st = { 0 };
      cleanup_error struct husk_error *e2 = NULL;
      if (husk_pod_sandbox_status (oj->env, ids[i], &st, &e2) < 0)
        continue;
      if (st.uid && !known_uid (oj->uids, st.uid))
        husk_pod_sandbox_remove (oj->env, ids[i], &e2);
      husk_pod_sandbox_status_free (&st);
    }
  husk_strv_free (ids);
}

static void
orphans_done (struct huskd_job *job)
{
  struct orphan_job *oj = (struct orphan_job *) job;
  husk_strvfreep (&oj->uids);
  free (oj);
}

void
huskd_controller_collect_orphans (struct huskd_controller *c)
{
  struct orphan_job *oj = calloc (1, sizeof *oj);
  size_t n;
  cleanup_free yajl_val *pods = api_store_list (c->d->store, "pods", NULL, &n);
  oj->job.run = orphans_run;
  oj->job.done = orphans_done;
  oj->env = &c->env;
  oj->uids = calloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    oj->uids[i] = strdup (jv_str (jv_get (pods[i], "metadata"), "uid") ?: "");
  huskd_workers_submit (c->workers, &oj->job);
}

yajl_val
huskd_pod_container_spec (yajl_val pod, const char *name)
{
  const char *lists[] = { "containers", "initContainers" };
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val list = jv_path (pod, "spec", lists[l], NULL);
      for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
        if (!name || !strcmp (jv_str (list->u.array.values[i], "name") ?: "", name))
          return list->u.array.values[i];
    }
  return NULL;
}
