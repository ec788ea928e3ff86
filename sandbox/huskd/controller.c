#include "controller.h"

#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "controller_internal.h"
#include "events.h"
#include "jv.h"
#include "pod_projection.h"
#include "request.h"
#include "table.h"

#define SANDBOX_ANNOTATION "husk.dev/sandbox-id"

static struct pod_ctl *
find_ctl (struct huskd_controller *c, const char *ns, const char *name)
{
  for (struct pod_ctl *pc = c->pods; pc; pc = pc->next)
    if (!strcmp (pc->ns, ns) && !strcmp (pc->name, name))
      return pc;
  return NULL;
}

static void on_timer (evutil_socket_t fd, short what, void *arg);

static void
schedule (struct pod_ctl *pc, double seconds)
{
  struct timeval tv = { .tv_sec = (time_t) seconds,
                        .tv_usec = (suseconds_t) ((seconds - (double) (time_t) seconds) * 1e6) };
  evtimer_add (pc->timer, &tv);
}

static void
build_tracks (struct pod_ctl *pc, yajl_val pod)
{
  const char *lists[] = { "initContainers", "containers" };
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val list = jv_path (pod, "spec", lists[l], NULL);
      for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
        {
          pc->tracks = realloc (pc->tracks, (pc->n_tracks + 1) * sizeof *pc->tracks);
          memset (&pc->tracks[pc->n_tracks], 0, sizeof *pc->tracks);
          pc->tracks[pc->n_tracks++].name = strdup (jv_str (list->u.array.values[i], "name") ?: "");
        }
    }
}

static struct pod_ctl *
add_ctl (struct huskd_controller *c, yajl_val pod)
{
  yajl_val meta = jv_get (pod, "metadata");
  struct pod_ctl *pc = calloc (1, sizeof *pc);
  const char *sandbox = jv_str (jv_get (meta, "annotations"), SANDBOX_ANNOTATION);
  pc->c = c;
  pc->ns = strdup (jv_str (meta, "namespace"));
  pc->name = strdup (jv_str (meta, "name"));
  pc->sandbox_id = sandbox ? strdup (sandbox) : NULL;
  pc->env = c->env;
  pc->timer = evtimer_new (c->d->base, on_timer, pc);
  jv_int_of (meta, "generation", &pc->generation);
  pc->deleting = jv_get (meta, "deletionTimestamp") != NULL;
  build_tracks (pc, pod);
  pc->next = c->pods;
  c->pods = pc;
  return pc;
}

static void
free_ctl (struct huskd_controller *c, struct pod_ctl *pc)
{
  for (struct pod_ctl **pp = &c->pods; *pp; pp = &(*pp)->next)
    if (*pp == pc)
      {
        *pp = pc->next;
        break;
      }
  event_free (pc->timer);
  for (size_t i = 0; i < pc->n_tracks; i++)
    {
      free (pc->tracks[i].name);
      free (pc->tracks[i].image);
      free (pc->tracks[i].config_error);
      free (pc->tracks[i].waiting_reason);
      free (pc->tracks[i].waiting_message);
    }
  free (pc->tracks);
  free (pc->ns);
  free (pc->name);
  free (pc->sandbox_id);
  free (pc);
}

struct sync_job {
  struct huskd_job job;
  struct pod_ctl *pc;
  struct pod_sync sync;
};

static void
sync_run (struct huskd_job *job)
{
  pod_sync_run (&((struct sync_job *) job)->sync);
}

static void
record_events (struct huskd_controller *c, yajl_val pod, struct pod_sync *s)
{
  for (size_t i = 0; i < s->n_events; i++)
    {
      cleanup_error struct husk_error *err = NULL;
      struct sync_event *e = &s->events[i];
      api_event_record (c->d->store, pod, e->type, e->reason, e->field_path, e->message, &err);
    }
}

struct events_job {
  struct huskd_job job;
  struct huskd_controller *c;
  char *ns, *name;
  struct pod_sync events; /* only its events */
};

static void
events_done (struct huskd_job *job)
{
  struct events_job *ej = (struct events_job *) job;
  yajl_val pod = api_store_get (ej->c->d->store, "pods", ej->ns, ej->name);
  if (pod)
    record_events (ej->c, pod, &ej->events);
  pod_sync_clear (&ej->events);
  free (ej->ns);
  free (ej->name);
  free (ej);
}

static struct sync_job *
sync_job_of (struct pod_sync *s)
{
  return (struct sync_job *) ((char *) s - offsetof (struct sync_job, sync));
}

/* On the worker: the events so far go to the loop, recorded there now. */
static void
post_events (struct pod_sync *s)
{
  struct sync_job *sj = sync_job_of (s);
  struct events_job *ej = calloc (1, sizeof *ej);
  if (!ej)
    return; /* recorded at the end instead */
  ej->job.done = events_done;
  ej->c = sj->pc->c;
  ej->ns = strdup (sj->pc->ns);
  ej->name = strdup (sj->pc->name);
  ej->events.events = s->events;
  ej->events.n_events = s->n_events;
  s->events = NULL;
  s->n_events = 0;
  huskd_workers_post (ej->c->workers, &ej->job);
}

/* Writes the sandbox id and the new status when they changed. */
static void
apply_status (struct huskd_controller *c, struct pod_ctl *pc, yajl_val pod, struct pod_sync *s)
{
  cleanup_error struct husk_error *err = NULL;
  const char *known = jv_str (jv_path (pod, "metadata", "annotations", NULL), SANDBOX_ANNOTATION);
  bool new_sandbox = s->sandbox_id && (!known || strcmp (known, s->sandbox_id));
  /* a copy: api_store_put replaces (and frees) the stored pod it points into */
  const char *phase = jv_str (jv_get (pod, "status"), "phase");
  cleanup_free char *old_phase = phase ? strdup (phase) : NULL;
  yajl_val copy;

  if (!new_sandbox && (!s->status || jv_equal (s->status, jv_get (pod, "status"))))
    return;
  copy = jv_copy (pod);
  if (new_sandbox)
    jv_set (jv_obj_at (jv_obj_at (copy, "metadata"), "annotations"), SANDBOX_ANNOTATION,
            jv_string (s->sandbox_id));
  if (s->status)
    jv_set (copy, "status", steal_pointer (&s->status));
  api_store_put (c->d->store, "pods", copy, false, NULL, &err);
  if (!old_phase || strcmp (old_phase, jv_str (jv_get (copy, "status"), "phase") ?: ""))
    huskd_quota_refresh (c->d, pc->ns);
}

static void
sync_done (struct huskd_job *job)
{
  struct sync_job *sj = (struct sync_job *) job;
  struct pod_ctl *pc = sj->pc;
  struct huskd_controller *c = pc->c;
  yajl_val pod = api_store_get (c->d->store, "pods", pc->ns, pc->name);
  cleanup_error struct husk_error *err = NULL;

  pc->busy = false;
  if (sj->sync.sandbox_id && !pc->sandbox_id)
    pc->sandbox_id = strdup (sj->sync.sandbox_id);
  if (pod)
    record_events (c, pod, &sj->sync);
  if (pod && sj->sync.gone)
    {
      cleanup_free char *ns = strdup (pc->ns);
      api_store_delete (c->d->store, "pods", pc->ns, pc->name, &err);
      free_ctl (c, pc);
      huskd_quota_refresh (c->d, ns);
      huskd_controller_namespaces_gc (c);
      /* the pod's JSON and buffers were the peak: hand them back */
      malloc_trim (0);
    }
  else if (!pod)
    free_ctl (c, pc);
  else
    {
      apply_status (c, pc, pod, &sj->sync);
      schedule (pc, pc->again ? 0 : sj->sync.next_delay);
      pc->again = false;
    }
  pod_sync_clear (&sj->sync);
  free (sj);
}

/* activeDeadlineSeconds counts from status.startTime, as the kubelet's. */
static bool
deadline_exceeded (yajl_val pod)
{
  long long deadline;
  double start = api_parse_timestamp (jv_str (jv_get (pod, "status"), "startTime"));
  if (!jv_int_of (jv_get (pod, "spec"), "activeDeadlineSeconds", &deadline) || start == 0)
    return false;
  return api_now () >= start + (double) deadline;
}

static void
start_sync (struct pod_ctl *pc, yajl_val pod)
{
  struct sync_job *sj = calloc (1, sizeof *sj);
  long long grace = 30;
  sj->job.run = sync_run;
  sj->job.done = sync_done;
  sj->pc = pc;
  sj->sync.env = &pc->env;
  sj->sync.post_events = post_events;
  sj->sync.pod = jv_copy (pod);
  sj->sync.sandbox_id = pc->sandbox_id ? strdup (pc->sandbox_id) : NULL;
  sj->sync.deleting = jv_path (pod, "metadata", "deletionTimestamp", NULL) != NULL;
  if (!jv_int_of (jv_get (pod, "metadata"), "deletionGracePeriodSeconds", &grace))
    jv_int_of (jv_get (pod, "spec"), "terminationGracePeriodSeconds", &grace);
  sj->sync.grace = grace;
  sj->sync.registry_config = pc->c->d->opts.registry_config;
  sj->sync.deadline_exceeded = deadline_exceeded (pod);
  sj->sync.stopped = jv_str (jv_path (pod, "metadata", "annotations", NULL), "husk.dev/stopped") != NULL;
  sj->sync.tracks = pc->tracks;
  sj->sync.n_tracks = pc->n_tracks;
  sj->sync.refs = huskd_pod_refs (pc->c->d->store, pod);
  sj->sync.volumes_root = pc->c->volumes_root;
  pc->busy = true;
  huskd_workers_submit (pc->c->workers, &sj->job);
}

static void
on_timer (evutil_socket_t fd, short what, void *arg)
{
  struct pod_ctl *pc = arg;
  yajl_val pod = api_store_get (pc->c->d->store, "pods", pc->ns, pc->name);
  if (!pod)
    {
      if (!pc->busy) /* a running sync still holds pc; its end frees it */
        free_ctl (pc->c, pc);
      return;
    }
  if (pc->busy)
    pc->again = true;
  else
    start_sync (pc, pod);
}

void
huskd_controller_kick (struct huskd_controller *c, const char *ns, const char *name)
{
  struct pod_ctl *pc = find_ctl (c, ns, name);
  yajl_val pod = api_store_get (c->d->store, "pods", ns, name);
  if (!pc && pod)
    pc = add_ctl (c, pod);
  if (pc)
    schedule (pc, 0);
}

/* A ConfigMap or Secret changed: the pods that use it sync now (their
 * volumes are rewritten; a container waiting for it starts). */
static void
kick_users (struct huskd_controller *c, const char *resource, yajl_val obj)
{
  const char *ns = jv_str (jv_get (obj, "metadata"), "namespace") ?: "";
  const char *name = jv_str (jv_get (obj, "metadata"), "name") ?: "";
  for (struct pod_ctl *pc = c->pods; pc; pc = pc->next)
    {
      yajl_val pod = strcmp (pc->ns, ns) ? NULL : api_store_get (c->d->store, "pods", ns, pc->name);
      if (pod && huskd_pod_uses (pod, resource, name))
        schedule (pc, 0);
    }
}

/* New pods get a controller entry; spec or deletion changes a sync now.
 * The controller's own status writes come back here too and are ignored. */
static void
on_store_change (void *ctx, enum api_event_type type, const char *resource, yajl_val obj)
{
  struct huskd_controller *c = ctx;
  yajl_val meta = jv_get (obj, "metadata");
  long long gen = 0;
  struct pod_ctl *pc;
  if (!strcmp (resource, "configmaps") || !strcmp (resource, "secrets"))
    return kick_users (c, resource, obj);
  if (strcmp (resource, "pods") != 0 || type == API_DELETED)
    return;
  pc = find_ctl (c, jv_str (meta, "namespace"), jv_str (meta, "name"));
  if (!pc)
    {
      huskd_controller_kick (c, jv_str (meta, "namespace"), jv_str (meta, "name"));
      return;
    }
  jv_int_of (meta, "generation", &gen);
  if (gen != pc->generation || (jv_get (meta, "deletionTimestamp") && !pc->deleting))
    {
      pc->generation = gen;
      pc->deleting = jv_get (meta, "deletionTimestamp") != NULL;
      schedule (pc, 0);
    }
}

static void
on_events_gc (evutil_socket_t fd, short what, void *arg)
{
  huskd_controller_events_gc (arg);
}

int
huskd_controller_new (struct huskd *d, struct huskd_controller **out, struct husk_error **err)
{
  struct huskd_controller *c = calloc (1, sizeof *c);
  size_t n;
  c->d = d;
  c->env.pods_root = d->opts.pod_root;
  c->env.husk_binary = d->opts.runtime;
  c->env.runtime_root = d->opts.runtime_root;
  c->env.image_store = d->opts.image_store;
  c->env.cgroup_parent = d->opts.cgroup_parent;
  c->env.systemd_cgroup = d->opts.systemd_cgroup;
  c->env.cni_conf_dir = d->pod_cni_conf_dir;
  c->env.resolv_conf = d->opts.resolv_conf;
  /* one resolution for the pods and the exec/cp streams huskd spawns */
  c->runtime = husk_sandbox_find_runtime (&c->env);
  if (c->runtime)
    c->env.husk_binary = c->runtime;
  if (asprintf (&c->volumes_root, "%s/volumes", d->opts.state_dir) < 0)
    abort ();
  /* a slice parent is systemd's: it makes and keeps it */
  if (!d->opts.systemd_cgroup)
    c->cgroup_created = huskd_cgroup_parent_missing (d->opts.cgroup_parent);
  if (huskd_workers_new (d->base, 4, &c->workers) < 0)
    {
      free (c);
      return husk_error_set (err, errno, "start worker threads");
    }
  c->watch = api_store_watch (d->store, on_store_change, c);
  /* recovery: every pod in the store is synced again from what is on disk */
  cleanup_free yajl_val *pods = api_store_list (d->store, "pods", NULL, &n);
  for (size_t i = 0; i < n; i++)
    huskd_controller_kick (c, jv_str (jv_get (pods[i], "metadata"), "namespace"),
                           jv_str (jv_get (pods[i], "metadata"), "name"));
  huskd_controller_collect_orphans (c);
  c->events_gc = event_new (d->base, -1, EV_PERSIST, on_events_gc, c);
  /* every minute, or twice per TTL when it is shorter (tests use 2 s) */
  long gc_ms = d->opts.event_ttl > 0 && d->opts.event_ttl < 120 ? (long) (d->opts.event_ttl * 500) : 60000;
  event_add (c->events_gc, &(struct timeval){ .tv_sec = gc_ms / 1000, .tv_usec = gc_ms % 1000 * 1000 });
  *out = c;
  return 0;
}

void
huskd_controller_free (struct huskd_controller *c)
{
  if (!c)
    return;
  huskd_workers_free (c->workers);
  if (c->events_gc)
    event_free (c->events_gc);
  api_store_unwatch (c->d->store, c->watch);
  while (c->pods)
    free_ctl (c, c->pods);
  huskd_cgroup_parent_remove (c->cgroup_created);
  husk_strv_free (c->cgroup_created);
  free (c->runtime);
  free (c->volumes_root);
  free (c);
}
