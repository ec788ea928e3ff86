#include "pod_sync.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "jv.h"
#include "pod_projection.h"
#include "store.h"

void
pod_sync_add_event (struct pod_sync *s, const char *type, const char *reason,
                    const char *field_path, const char *fmt, ...)
{
  va_list ap;
  struct sync_event *e;
  s->events = realloc (s->events, (s->n_events + 1) * sizeof *s->events);
  e = &s->events[s->n_events++];
  e->type = strdup (type);
  e->reason = strdup (reason);
  e->field_path = field_path ? strdup (field_path) : NULL;
  va_start (ap, fmt);
  if (vasprintf (&e->message, fmt, ap) < 0)
    e->message = strdup (reason);
  va_end (ap);
}

void
pod_sync_flush_events (struct pod_sync *s)
{
  if (s->post_events && s->n_events)
    s->post_events (s);
}

struct container_track *
pod_sync_track (struct pod_sync *s, const char *name)
{
  for (size_t i = 0; i < s->n_tracks; i++)
    if (!strcmp (s->tracks[i].name, name))
      return &s->tracks[i];
  return NULL;
}

static const char *
pod_name (struct pod_sync *s)
{
  return jv_str (jv_get (s->pod, "metadata"), "name");
}

static void
field_path (yajl_val c, bool init, char buf[160])
{
  snprintf (buf, 160, "spec.%s{%s}", init ? "initContainers" : "containers",
            jv_str (c, "name"));
}

/* Records what the sandbox says about each container attempt. */
static void
observe (struct pod_sync *s, yajl_val list, struct observed *out)
{
  cleanup_error struct husk_error *err = NULL;
  char **ids = NULL;
  size_t n_ids = 0;
  if (husk_pod_container_list (s->env, s->sandbox_id, &ids, &n_ids, &err) < 0)
    return;
  for (size_t i = 0; i < n_ids; i++)
    {
      struct husk_pod_container_status st = { 0 };
      cleanup_error struct husk_error *e2 = NULL;
      if (husk_pod_container_status (s->env, ids[i], &st, &e2) < 0)
        continue;
      for (size_t c = 0; list && c < list->u.array.len; c++)
        if (!strcmp (jv_str (list->u.array.values[c], "name") ?: "", st.name ?: ""))
          {
            struct observed *o = &out[c];
            if (!o->has_latest || st.attempt > o->latest.attempt)
              {
                if (o->has_prev)
                  husk_pod_container_status_free (&o->prev);
                o->prev = o->latest;
                o->has_prev = o->has_latest;
                o->latest = st;
                o->has_latest = true;
              }
            else if (!o->has_prev || st.attempt > o->prev.attempt)
              {
                if (o->has_prev)
                  husk_pod_container_status_free (&o->prev);
                o->prev = st;
                o->has_prev = true;
              }
            else
              husk_pod_container_status_free (&st);
            memset (&st, 0, sizeof st);
            break;
          }
      if (st.id)
        husk_pod_container_status_free (&st);
    }
  husk_strv_free (ids);
}

static void
observed_free (struct observed *o, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      if (o[i].has_latest)
        husk_pod_container_status_free (&o[i].latest);
      if (o[i].has_prev)
        husk_pod_container_status_free (&o[i].prev);
    }
  free (o);
}

static void
run_post_start (struct pod_sync *s, yajl_val c, const char *id, const char *fp)
{
  yajl_val cmd = jv_path (c, "lifecycle", "postStart", "exec", "command", NULL);
  struct husk_exec_result res = { 0 };
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char **argv = NULL;
  if (!cmd || cmd->type != yajl_t_array || cmd->u.array.len == 0)
    return;
  argv = calloc (cmd->u.array.len + 1, sizeof (char *));
  for (size_t i = 0; i < cmd->u.array.len; i++)
    argv[i] = (char *) (jv_str (cmd->u.array.values[i], NULL) ?: "");
  if (husk_pod_container_exec_sync (s->env, id, argv, 30, &res, &err) < 0 || res.exit_code != 0)
    {
      pod_sync_add_event (s, "Warning", "FailedPostStartHook", fp,
                          "PostStartHook failed: exit code %d: %s", res.exit_code,
                          err ? err->message : res.err ? res.err : "");
      cleanup_error struct husk_error *e2 = NULL;
      husk_pod_container_stop (s->env, id, 0, &e2);
    }
  husk_exec_result_free (&res);
}

/* The sandbox's copy of the pod gets c's env as resolved now (and the
 * image a PATCH may have changed) before the next attempt is created
 * from it. */
static int
update_sandbox (struct pod_sync *s, yajl_val c, yajl_val env, struct husk_error **err)
{
  cleanup_jv yajl_val view = pod_projection_view (s, jv_str (c, "name"), env);
  cleanup_free char *json = NULL;
  size_t len;
  json = jv_dump (view, &len);
  return husk_pod_sandbox_update (s->env, s->sandbox_id, json, err);
}

/* c's env, or NULL after recording why (the kubelet's
 * CreateContainerConfigError). */
static yajl_val
container_env (struct pod_sync *s, yajl_val c, const char *fp)
{
  struct container_track *t = pod_sync_track (s, jv_str (c, "name"));
  char *why = NULL;
  yajl_val env = pod_projection_env (s, c, &why);
  if (t)
    {
      free (t->config_error);
      t->config_error = env ? NULL : strdup (why);
    }
  if (!env)
    pod_sync_add_event (s, "Warning", "Failed", fp, "Error: %s", why);
  free (why);
  return env;
}

/* Creates and starts attempt `attempt` of container c, with the events
 * the kubelet records. */
static void
start_container (struct pod_sync *s, yajl_val c, bool init, unsigned attempt)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *id = NULL;
  const char *name = jv_str (c, "name");
  char fp[160];
  field_path (c, init, fp);
  if (!pod_image_ensure (s, c, fp))
    return;
  yajl_val env = container_env (s, c, fp);
  if (!env)
    return;
  if (update_sandbox (s, c, env, &err) < 0
      || husk_pod_container_create (s->env, s->sandbox_id, name, attempt, &id, &err) < 0)
    {
      pod_sync_add_event (s, "Warning", "Failed", fp, "Error: %s", err->message);
      return;
    }
  pod_sync_add_event (s, "Normal", "Created", fp, "Created container %s", name);
  if (husk_pod_container_start (s->env, id, &err) < 0)
    {
      pod_sync_add_event (s, "Warning", "Failed", fp, "Error: %s", err->message);
      return;
    }
  pod_sync_add_event (s, "Normal", "Started", fp, "Started container %s", name);
  struct container_track *t = pod_sync_track (s, name);
  if (t)
    {
      memset (t->probes, 0, sizeof t->probes);
      t->attempt = attempt;
      free (t->image);
      t->image = strdup (jv_str (c, "image") ?: "");
    }
  if (!init)
    run_post_start (s, c, id, fp);
}

/* restartPolicy and back-off for an exited container: true when it was
 * restarted (or is waiting out its back-off: *backing_off). */
static bool
maybe_restart (struct pod_sync *s, yajl_val c, bool init, const struct observed *o,
               bool *backing_off)
{
  const char *policy = jv_str (jv_get (s->pod, "spec"), "restartPolicy") ?: "Always";
  struct container_track *t = pod_sync_track (s, jv_str (c, "name"));
  double now = (double) time (NULL), ran, finished;
  *backing_off = false;
  if (!strcmp (policy, "Never") || (!strcmp (policy, "OnFailure") && o->latest.exit_code == 0)
      || (init && o->latest.exit_code == 0))
    return false;
  finished = o->latest.finished_at / 1e9;
  ran = (o->latest.finished_at - o->latest.started_at) / 1e9;
  if (t && ran >= 600)
    t->backoff = 0; /* ran ten minutes: the back-off starts again */
  if (t && t->backoff > 0 && now < finished + t->backoff)
    {
      char fp[160];
      *backing_off = true;
      s->next_delay = finished + t->backoff - now;
      field_path (c, init, fp);
      if (!t->backoff_announced)
        pod_sync_add_event (s, "Warning", "BackOff", fp,
                            "Back-off restarting failed container %s in pod %s_%s(%s)", t->name,
                            pod_name (s), jv_str (jv_get (s->pod, "metadata"), "namespace"),
                            jv_str (jv_get (s->pod, "metadata"), "uid"));
      t->backoff_announced = true;
      return true;
    }
  if (t)
    t->backoff_announced = false;
  if (t)
    t->backoff = t->backoff == 0 ? 10 : t->backoff * 2 > 300 ? 300 : t->backoff * 2;
  start_container (s, c, init, o->latest.attempt + 1);
  return true;
}

static size_t
array_len (yajl_val v)
{
  return v && v->type == yajl_t_array ? v->u.array.len : 0;
}

/* Init containers in order; true once all completed.  *failed: one failed
 * and restartPolicy Never keeps it failed. */
static bool
sync_init (struct pod_sync *s, yajl_val list, struct observed *o, bool *failed)
{
  *failed = false;
  for (size_t i = 0; i < array_len (list); i++)
    {
      yajl_val c = list->u.array.values[i];
      bool backing_off;
      if (!o[i].has_latest)
        {
          start_container (s, c, true, 0);
          return false;
        }
      if (o[i].latest.state != HUSK_POD_CONTAINER_EXITED)
        return false;
      if (o[i].latest.exit_code == 0)
        continue;
      if (!maybe_restart (s, c, true, &o[i], &backing_off))
        *failed = true;
      return false;
    }
  return true;
}

static void
restart_for_change (struct pod_sync *s, yajl_val c, struct observed *o, const char *why)
{
  cleanup_error struct husk_error *err = NULL;
  char fp[160];
  field_path (c, false, fp);
  pod_sync_add_event (s, "Normal", "Killing", fp, "%s", why);
  pod_sync_flush_events (s);
  husk_pod_container_stop (s->env, o->latest.id, (int) s->grace, &err);
  start_container (s, c, false, o->latest.attempt + 1);
}

/* The spec's image differs from the one the running attempt was started
 * for (a PATCH changed it).  A huskd restarted since only learns it. */
static bool
image_changed (struct pod_sync *s, yajl_val c)
{
  struct container_track *t = pod_sync_track (s, jv_str (c, "name"));
  const char *image = jv_str (c, "image") ?: "";
  if (!t)
    return false;
  if (!t->image)
    {
      t->image = strdup (image);
      return false;
    }
  return strcmp (t->image, image) != 0;
}

static void
sync_regular (struct pod_sync *s, yajl_val list, struct observed *o, const char *netns)
{
  for (size_t i = 0; i < array_len (list); i++)
    {
      yajl_val c = list->u.array.values[i];
      bool backing_off;
      char why[320];
      if (!o[i].has_latest)
        start_container (s, c, false, 0);
      else if (o[i].latest.state == HUSK_POD_CONTAINER_EXITED)
        maybe_restart (s, c, false, &o[i], &backing_off);
      else if (image_changed (s, c))
        {
          snprintf (why, sizeof why, "Container %s definition changed, will be restarted",
                    jv_str (c, "name"));
          restart_for_change (s, c, &o[i], why);
        }
      else if (o[i].latest.state == HUSK_POD_CONTAINER_RUNNING
               && !pod_probes_run (s, c, &o[i], netns))
        {
          snprintf (why, sizeof why, "Container %s failed liveness probe, will be restarted",
                    jv_str (c, "name"));
          restart_for_change (s, c, &o[i], why);
        }
    }
}

static void
run_pre_stop (struct pod_sync *s, yajl_val c, const char *id)
{
  yajl_val cmd = jv_path (c, "lifecycle", "preStop", "exec", "command", NULL);
  struct husk_exec_result res = { 0 };
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char **argv = NULL;
  if (!cmd || array_len (cmd) == 0)
    return;
  argv = calloc (cmd->u.array.len + 1, sizeof (char *));
  for (size_t i = 0; i < cmd->u.array.len; i++)
    argv[i] = (char *) (jv_str (cmd->u.array.values[i], NULL) ?: "");
  husk_pod_container_exec_sync (s->env, id, argv, s->grace > 0 ? (int) s->grace : 1, &res,
                                &err);
  husk_exec_result_free (&res);
}

struct parallel_stop {
  pthread_t thread;
  struct pod_sync *s;
  yajl_val c;
  const char *id;
  bool started;
};

static void *
stop_one (void *arg)
{
  struct parallel_stop *p = arg;
  cleanup_error struct husk_error *err = NULL;
  run_pre_stop (p->s, p->c, p->id);
  husk_pod_container_stop (p->s->env, p->id, (int) p->s->grace, &err);
  return NULL;
}

/* Every running container gets its preStop hook, SIGTERM and SIGKILL at
 * the same time, so a pod stops within one grace period as in Kubernetes,
 * not one per container.  Short-lived threads of this worker; the hooks
 * only touch the sandbox library. */
static void
stop_in_parallel (struct pod_sync *s, yajl_val list, struct observed *o)
{
  size_t n = array_len (list);
  struct parallel_stop *p = calloc (n + 1, sizeof *p);
  for (size_t i = 0; i < n; i++)
    if (o[i].has_latest && o[i].latest.state == HUSK_POD_CONTAINER_RUNNING)
      {
        p[i] = (struct parallel_stop){ .s = s, .c = list->u.array.values[i], .id = o[i].latest.id };
        p[i].started = pthread_create (&p[i].thread, NULL, stop_one, &p[i]) == 0;
        if (!p[i].started)
          stop_one (&p[i]);
      }
  for (size_t i = 0; i < n; i++)
    if (p[i].started)
      pthread_join (p[i].thread, NULL);
  free (p);
}

/* preStop hooks, then the sandbox stops its containers within the grace
 * period; true when it did. */
static bool
stop_all (struct pod_sync *s, yajl_val list, struct observed *o)
{
  cleanup_error struct husk_error *err = NULL;
  bool any = false;
  for (size_t i = 0; i < array_len (list); i++)
    if (o[i].has_latest && o[i].latest.state == HUSK_POD_CONTAINER_RUNNING)
      {
        char fp[160];
        field_path (list->u.array.values[i], false, fp);
        pod_sync_add_event (s, "Normal", "Killing", fp, "Stopping container %s",
                            jv_str (list->u.array.values[i], "name"));
        any = true;
      }
  if (any)
    stop_in_parallel (s, list, o);
  if (any && husk_pod_sandbox_stop (s->env, s->sandbox_id, (int) s->grace, &err) < 0)
    {
      pod_sync_add_event (s, "Warning", "FailedKillPod", NULL, "error killing pod: %s",
                          err->message);
      return false;
    }
  return true;
}

/* Stops everything, then removes the sandbox. */
static void
sync_delete (struct pod_sync *s, yajl_val list, struct observed *o)
{
  cleanup_error struct husk_error *err = NULL;
  if (!stop_all (s, list, o))
    {
      s->next_delay = 5;
      return;
    }
  if (husk_pod_sandbox_stop (s->env, s->sandbox_id, (int) s->grace, &err) < 0
      || husk_pod_sandbox_remove (s->env, s->sandbox_id, &err) < 0)
    {
      pod_sync_add_event (s, "Warning", "FailedKillPod", NULL, "error killing pod: %s",
                          err->message);
      s->next_delay = 5;
      return;
    }
  pod_projection_remove (s);
  s->gone = true;
}

/* A sandbox made before a crash of huskd may exist without its id in the
 * store: find it by the pod's uid instead of making a second one. */
static void
find_sandbox (struct pod_sync *s)
{
  cleanup_error struct husk_error *err = NULL;
  const char *uid = jv_str (jv_get (s->pod, "metadata"), "uid");
  char **ids = NULL;
  size_t n = 0;
  if (!uid || husk_pod_sandbox_list (s->env, &ids, &n, &err) < 0)
    return;
  for (size_t i = 0; i < n && !s->sandbox_id; i++)
    {
      struct husk_pod_sandbox_status st = { 0 };
      cleanup_error struct husk_error *e2 = NULL;
      if (husk_pod_sandbox_status (s->env, ids[i], &st, &e2) < 0)
        continue;
      if (st.uid && !strcmp (st.uid, uid))
        s->sandbox_id = strdup (ids[i]);
      husk_pod_sandbox_status_free (&st);
    }
  husk_strv_free (ids);
}

/* The configMap, secret, downwardAPI and projected volumes, written or
 * brought up to date; false (with the kubelet's FailedMount event) when
 * one cannot be. */
static bool
project_volumes (struct pod_sync *s)
{
  cleanup_free char *why = NULL;
  if (pod_projection_volumes (s, &why) == 0)
    return true;
  pod_sync_add_event (s, "Warning", "FailedMount", NULL, "%s", why);
  s->next_delay = 2;
  return false;
}

static bool
ensure_sandbox (struct pod_sync *s)
{
  cleanup_error struct husk_error *err = NULL;
  size_t len;
  if (!s->sandbox_id)
    find_sandbox (s);
  if (s->sandbox_id || s->deleting)
    return s->sandbox_id != NULL;
  if (!project_volumes (s))
    return false;
  cleanup_jv yajl_val view = pod_projection_view (s, NULL, NULL);
  cleanup_free char *json = jv_dump (view, &len);
  if (husk_pod_sandbox_run (s->env, json, len, &s->sandbox_id, &err) < 0)
    {
      pod_sync_add_event (s, "Warning", "FailedCreatePodSandBox", NULL,
                          "Failed to create pod sandbox: %s", err->message);
      s->next_delay = 10;
      return false;
    }
  return true;
}

static char *
sandbox_netns (struct pod_sync *s)
{
  struct husk_pod_sandbox_status st = { 0 };
  cleanup_error struct husk_error *err = NULL;
  char *netns = NULL;
  if (husk_pod_sandbox_status (s->env, s->sandbox_id, &st, &err) < 0)
    return NULL;
  netns = st.netns_path ? strdup (st.netns_path) : NULL;
  free (s->pod_ip);
  s->pod_ip = st.ip ? strdup (st.ip) : NULL;
  husk_pod_sandbox_status_free (&st);
  return netns;
}

static bool
sync_init_done (yajl_val list, const struct observed *o)
{
  for (size_t i = 0; i < array_len (list); i++)
    if (!o[i].has_latest || o[i].latest.state != HUSK_POD_CONTAINER_EXITED
        || o[i].latest.exit_code != 0)
      return false;
  return true;
}

void
pod_sync_run (struct pod_sync *s)
{
  yajl_val init = jv_path (s->pod, "spec", "initContainers", NULL);
  yajl_val regular = jv_path (s->pod, "spec", "containers", NULL);
  struct observed *oi = calloc (array_len (init) + 1, sizeof *oi);
  struct observed *oc = calloc (array_len (regular) + 1, sizeof *oc);
  bool initialized = false, init_failed = false;
  cleanup_free char *netns = NULL;

  s->next_delay = 1;
  if (!ensure_sandbox (s))
    {
      s->gone = s->deleting;
      if (s->gone)
        pod_projection_remove (s);
      s->status = pod_status_build (s, oi, array_len (init), oc, array_len (regular), false, false);
      observed_free (oi, array_len (init));
      observed_free (oc, array_len (regular));
      return;
    }
  observe (s, init, oi);
  observe (s, regular, oc);
  if (s->deleting)
    sync_delete (s, regular, oc);
  else if (s->stopped || s->deadline_exceeded)
    {
      stop_all (s, regular, oc);
      observed_free (oc, array_len (regular));
      oc = calloc (array_len (regular) + 1, sizeof *oc);
      observe (s, regular, oc);
      initialized = sync_init_done (init, oi);
      s->next_delay = 10;
    }
  else
    {
      netns = sandbox_netns (s);
      project_volumes (s); /* updated in place as the objects change */
      initialized = sync_init (s, init, oi, &init_failed);
      if (initialized)
        sync_regular (s, regular, oc, netns);
      /* see what the actions did */
      observed_free (oi, array_len (init));
      observed_free (oc, array_len (regular));
      oi = calloc (array_len (init) + 1, sizeof *oi);
      oc = calloc (array_len (regular) + 1, sizeof *oc);
      observe (s, init, oi);
      observe (s, regular, oc);
      initialized = sync_init_done (init, oi);
    }
  s->status = pod_status_build (s, oi, array_len (init), oc, array_len (regular), initialized,
                                init_failed);
  observed_free (oi, array_len (init));
  observed_free (oc, array_len (regular));
}

void
pod_sync_clear (struct pod_sync *s)
{
  for (size_t i = 0; i < s->n_events; i++)
    {
      free (s->events[i].type);
      free (s->events[i].reason);
      free (s->events[i].field_path);
      free (s->events[i].message);
    }
  free (s->events);
  if (s->pod)
    yajl_tree_free (s->pod);
  if (s->status)
    yajl_tree_free (s->status);
  if (s->refs)
    yajl_tree_free (s->refs);
  free (s->sandbox_id);
  free (s->pod_ip);
  memset (s, 0, sizeof *s);
}
