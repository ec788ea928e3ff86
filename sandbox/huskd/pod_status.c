/* The Pod status as the kubelet writes it, from what the sandbox reports:
 * containerStatuses (waiting / running / terminated, lastState,
 * restartCount, ready, started, image, containerID husk://...), the
 * conditions (Initialized, Ready, ContainersReady, PodScheduled) and the
 * phase by the kubelet's own rules (phase.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jv.h"
#include "phase.h"
#include "pod_network.h"
#include "pod_sync.h"
#include "store.h"

void
pod_format_time (long long ns, char buf[40])
{
  api_timestamp (buf, (double) ns / 1e9);
}

static yajl_val
terminated (const struct husk_pod_container_status *st)
{
  yajl_val t = jv_object ();
  char ts[40], id[320];
  jv_set (t, "exitCode", jv_int (st->exit_code));
  if (st->signal)
    jv_set (t, "signal", jv_int (st->signal));
  jv_set (t, "reason", jv_string (st->reason ? st->reason
                                  : st->oom_killed ? "OOMKilled"
                                  : st->exit_code ? "Error" : "Completed"));
  pod_format_time (st->started_at, ts);
  jv_set (t, "startedAt", st->started_at ? jv_string (ts) : jv_null ());
  pod_format_time (st->finished_at, ts);
  jv_set (t, "finishedAt", jv_string (ts));
  snprintf (id, sizeof id, "husk://%s", st->id);
  jv_set (t, "containerID", jv_string (id));
  return t;
}

static yajl_val
waiting (const char *reason, const char *message)
{
  yajl_val w = jv_object ();
  jv_set (w, "reason", jv_string (reason));
  if (message)
    jv_set (w, "message", jv_string (message));
  return w;
}

static bool
has_probe (yajl_val c, const char *key)
{
  return jv_get (c, key) != NULL;
}

/* The state of a container whose latest attempt exited: terminated, or
 * waiting in CrashLoopBackOff when it will be restarted. */
static void
exited_state (struct pod_sync *s, yajl_val c, const struct observed *o, yajl_val state,
              yajl_val cs)
{
  const char *policy = jv_str (jv_get (s->pod, "spec"), "restartPolicy") ?: "Always";
  struct container_track *t = pod_sync_track (s, jv_str (c, "name"));
  bool restarts = !strcmp (policy, "Always")
                  || (!strcmp (policy, "OnFailure") && o->latest.exit_code != 0);
  char msg[512];
  if (restarts && !s->deleting && !s->stopped && !s->deadline_exceeded && t && t->backoff > 0)
    {
      snprintf (msg, sizeof msg, "back-off %.0fs restarting failed container=%s pod=%s_%s(%s)",
                t->backoff, jv_str (c, "name"), jv_str (jv_get (s->pod, "metadata"), "name"),
                jv_str (jv_get (s->pod, "metadata"), "namespace"),
                jv_str (jv_get (s->pod, "metadata"), "uid"));
      jv_set (state, "waiting", waiting ("CrashLoopBackOff", msg));
      jv_set (jv_obj_at (cs, "lastState"), "terminated", terminated (&o->latest));
      return;
    }
  jv_set (state, "terminated", terminated (&o->latest));
  if (o->has_prev && o->prev.state == HUSK_POD_CONTAINER_EXITED)
    jv_set (jv_obj_at (cs, "lastState"), "terminated", terminated (&o->prev));
}

static yajl_val
container_status (struct pod_sync *s, yajl_val c, const struct observed *o,
                  const char *pending_reason, bool *ready)
{
  yajl_val cs = jv_object (), state;
  struct container_track *t = pod_sync_track (s, jv_str (c, "name"));
  bool running = o->has_latest && o->latest.state == HUSK_POD_CONTAINER_RUNNING;
  bool started = running && (!has_probe (c, "startupProbe") || (t && t->probes[PROBE_STARTUP].ok));
  char ts[40], id[320];

  *ready = started && (!has_probe (c, "readinessProbe") || (t && t->probes[PROBE_READINESS].ok));
  jv_set (cs, "name", jv_string (jv_str (c, "name")));
  state = jv_set (cs, "state", jv_object ());
  jv_set (cs, "lastState", jv_object ());
  if (t && t->config_error && !running)
    jv_set (state, "waiting", waiting ("CreateContainerConfigError", t->config_error));
  else if (!o->has_latest && t && t->waiting_reason)
    jv_set (state, "waiting", waiting (t->waiting_reason, t->waiting_message));
  else if (!o->has_latest || o->latest.state == HUSK_POD_CONTAINER_CREATED
           || o->latest.state == HUSK_POD_CONTAINER_UNKNOWN)
    jv_set (state, "waiting", waiting (pending_reason, NULL));
  else if (running)
    {
      pod_format_time (o->latest.started_at, ts);
      jv_set (jv_obj_at (state, "running"), "startedAt", jv_string (ts));
      if (o->has_prev && o->prev.state == HUSK_POD_CONTAINER_EXITED)
        jv_set (jv_obj_at (cs, "lastState"), "terminated", terminated (&o->prev));
    }
  else
    exited_state (s, c, o, state, cs);
  /* the attempt before stays lastState while the next one is being made
   * (created, not started yet), as the kubelet reports it */
  if (!jv_get (jv_get (cs, "lastState"), "terminated") && o->has_prev
      && o->prev.state == HUSK_POD_CONTAINER_EXITED)
    jv_set (jv_obj_at (cs, "lastState"), "terminated", terminated (&o->prev));
  jv_set (cs, "ready", jv_bool (*ready));
  jv_set (cs, "restartCount", jv_int (o->has_latest ? o->latest.attempt : 0));
  jv_set (cs, "image", jv_string (jv_str (c, "image")));
  {
    char *image_id = o->has_latest ? pod_image_id (s, jv_str (c, "image")) : NULL;
    jv_set (cs, "imageID", jv_string (image_id ? image_id : ""));
    free (image_id);
  }
  if (o->has_latest)
    {
      snprintf (id, sizeof id, "husk://%s", o->latest.id);
      jv_set (cs, "containerID", jv_string (id));
    }
  jv_set (cs, "started", jv_bool (started));
  return cs;
}

static void
add_condition (yajl_val conds, yajl_val old_status, const char *type, bool value)
{
  yajl_val c = jv_object (), old_conds = jv_get (old_status, "conditions");
  const char *status = value ? "True" : "False";
  char now[32];
  api_timestamp (now, api_now ());
  jv_set (c, "type", jv_string (type));
  jv_set (c, "status", jv_string (status));
  jv_set (c, "lastProbeTime", jv_null ());
  jv_set (c, "lastTransitionTime", jv_string (now));
  /* keep the transition time while the condition holds */
  for (size_t i = 0; old_conds && old_conds->type == yajl_t_array && i < old_conds->u.array.len; i++)
    {
      yajl_val oc = old_conds->u.array.values[i];
      if (!strcmp (jv_str (oc, "type") ?: "", type) && !strcmp (jv_str (oc, "status") ?: "", status)
          && jv_get (oc, "lastTransitionTime"))
        jv_set (c, "lastTransitionTime", jv_copy (jv_get (oc, "lastTransitionTime")));
    }
  if (!value && strcmp (type, "Initialized"))
    jv_set (c, "reason", jv_string (!strcmp (type, "Ready") ? "ContainersNotReady"
                                                           : "ContainersNotReady"));
  jv_push (conds, c);
}

static yajl_val
statuses (struct pod_sync *s, yajl_val list, struct observed *o, size_t n, const char *pending,
          size_t *n_ready)
{
  yajl_val arr = jv_array ();
  *n_ready = 0;
  for (size_t i = 0; i < n; i++)
    {
      bool ready;
      jv_push (arr, container_status (s, list->u.array.values[i], &o[i], pending, &ready));
      *n_ready += ready;
    }
  return arr;
}

/* A new object appended to an array. */
static yajl_val
push_object (yajl_val arr)
{
  yajl_val o = jv_object ();
  jv_push (arr, o);
  return o;
}

yajl_val
pod_status_build (struct pod_sync *s, struct observed *init, size_t n_init,
                  struct observed *regular, size_t n, bool initialized, bool init_failed)
{
  yajl_val old = jv_get (s->pod, "status");
  yajl_val st = jv_object (), conds;
  size_t ready = 0, init_ready;
  bool all_ready;
  char ts[40];

  if (n_init)
    jv_set (st, "initContainerStatuses",
            statuses (s, jv_path (s->pod, "spec", "initContainers", NULL), init, n_init,
                      "PodInitializing", &init_ready));
  jv_set (st, "containerStatuses",
          statuses (s, jv_path (s->pod, "spec", "containers", NULL), regular, n,
                    initialized || n_init == 0 ? "ContainerCreating" : "PodInitializing",
                    &ready)); /* no init containers: waiting on the sandbox */
  all_ready = ready == n && n > 0;
  conds = jv_set (st, "conditions", jv_array ());
  add_condition (conds, old, "Initialized", initialized || n_init == 0);
  add_condition (conds, old, "Ready", all_ready);
  add_condition (conds, old, "ContainersReady", all_ready);
  add_condition (conds, old, "PodScheduled", true);
  const char *host_ip = huskd_host_ip ();
  yajl_val host_network = jv_path (s->pod, "spec", "hostNetwork", NULL);
  /* a hostNetwork pod has the node's address, as the kubelet reports it */
  const char *pod_ip = host_network && YAJL_IS_TRUE (host_network) ? host_ip : s->pod_ip;
  jv_set (st, "hostIP", jv_string (host_ip));
  yajl_val host_ips = jv_set (st, "hostIPs", jv_array ());
  jv_set (push_object (host_ips), "ip", jv_string (host_ip));
  if (pod_ip)
    {
      jv_set (st, "podIP", jv_string (pod_ip));
      yajl_val ips = jv_set (st, "podIPs", jv_array ());
      jv_set (push_object (ips), "ip", jv_string (pod_ip));
    }
  if (jv_get (old, "startTime"))
    jv_set (st, "startTime", jv_copy (jv_get (old, "startTime")));
  else
    {
      api_timestamp (ts, api_now ());
      jv_set (st, "startTime", jv_string (ts));
    }
  jv_set (st, "qosClass", jv_copy (jv_get (old, "qosClass")) ?: jv_string ("BestEffort"));
  /* the phase reads the status just built, with the pod's spec */
  yajl_val probe = jv_object ();
  jv_set (probe, "spec", jv_copy (jv_get (s->pod, "spec")));
  jv_set (probe, "status", jv_copy (st));
  jv_set (st, "phase", jv_string (init_failed || s->deadline_exceeded
                                      ? "Failed"
                                      : api_pod_phase_of (probe, s->stopped)));
  if (s->deadline_exceeded)
    {
      jv_set (st, "reason", jv_string ("DeadlineExceeded"));
      jv_set (st, "message",
              jv_string ("Pod was active on the node longer than the specified deadline"));
    }
  yajl_tree_free (probe);
  return st;
}
