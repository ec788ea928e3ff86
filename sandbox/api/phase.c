#include "phase.h"

#include <stdlib.h>
#include <string.h>

#include "jv.h"

struct counts {
  size_t pending_init, failed_init;
  size_t unknown, running, waiting, stopped, succeeded;
};

static void
count_init (struct counts *c, const struct api_phase_container *s)
{
  switch (s->state)
    {
    case API_CS_TERMINATED:
      c->failed_init += s->exit_code != 0;
      break;
    case API_CS_WAITING:
      if (!s->has_last_terminated)
        c->pending_init++;
      else
        c->failed_init += s->last_exit_code != 0;
      break;
    default: /* running, or no status yet */
      c->pending_init++;
    }
}

static void
count_regular (struct counts *c, const struct api_phase_container *s)
{
  switch (s->state)
    {
    case API_CS_RUNNING:
      c->running++;
      break;
    case API_CS_TERMINATED:
      c->stopped++;
      c->succeeded += s->exit_code == 0;
      break;
    case API_CS_WAITING:
      if (s->has_last_terminated)
        c->stopped++;
      else
        c->waiting++;
      break;
    default:
      c->unknown++;
    }
}

/* HasAnyRegularContainerStarted: a regular container runs or ran. */
static bool
any_regular_started (const struct api_phase_container *containers, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (containers[i].state == API_CS_RUNNING || containers[i].state == API_CS_TERMINATED
        || containers[i].has_last_terminated)
      return true;
  return false;
}

static const char *
all_stopped_phase (const char *policy, const struct counts *c, bool pod_terminal)
{
  if (pod_terminal)
    return c->stopped == c->succeeded ? "Succeeded" : "Failed";
  if (strcmp (policy, "Always") == 0)
    return "Running"; /* all of them are on their way back */
  if (c->stopped == c->succeeded)
    return "Succeeded";
  if (strcmp (policy, "Never") == 0)
    return "Failed";
  return "Running"; /* OnFailure: the failed ones restart */
}

const char *
api_pod_phase (const char *restart_policy, const struct api_phase_container *init,
               size_t n_init, const struct api_phase_container *containers, size_t n,
               bool pod_terminal)
{
  struct counts c = { 0 };
  const char *policy = restart_policy ? restart_policy : "Always";

  for (size_t i = 0; i < n_init; i++)
    count_init (&c, &init[i]);
  for (size_t i = 0; i < n; i++)
    count_regular (&c, &containers[i]);
  if (c.failed_init > 0 && strcmp (policy, "Never") == 0)
    return "Failed";
  if ((c.pending_init > 0 && !any_regular_started (containers, n)) || c.waiting > 0)
    return "Pending";
  if (c.running > 0 && c.unknown == 0)
    return "Running";
  if (c.running == 0 && c.stopped > 0 && c.unknown == 0)
    return all_stopped_phase (policy, &c, pod_terminal);
  return "Pending";
}

static void
read_status (yajl_val statuses, const char *name, struct api_phase_container *out)
{
  long long code = 0;
  memset (out, 0, sizeof *out);
  for (size_t i = 0; statuses && statuses->type == yajl_t_array && i < statuses->u.array.len;
       i++)
    {
      yajl_val s = statuses->u.array.values[i];
      const char *n = jv_str (s, "name");
      yajl_val state = jv_get (s, "state"), last;
      if (!n || strcmp (n, name) != 0)
        continue;
      if (jv_get (state, "running"))
        out->state = API_CS_RUNNING;
      else if (jv_get (state, "terminated"))
        {
          out->state = API_CS_TERMINATED;
          if (jv_int_of (jv_get (state, "terminated"), "exitCode", &code))
            out->exit_code = (int) code;
        }
      else if (jv_get (state, "waiting"))
        out->state = API_CS_WAITING;
      last = jv_path (s, "lastState", "terminated", NULL);
      out->has_last_terminated = last != NULL;
      if (last && jv_int_of (last, "exitCode", &code))
        out->last_exit_code = (int) code;
      return;
    }
}

static struct api_phase_container *
read_all (yajl_val pod, const char *spec_key, const char *status_key, size_t *n)
{
  yajl_val list = jv_path (pod, "spec", spec_key, NULL);
  yajl_val statuses = jv_path (pod, "status", status_key, NULL);
  size_t len = list && list->type == yajl_t_array ? list->u.array.len : 0;
  struct api_phase_container *out = calloc (len + 1, sizeof *out);
  if (!out)
    abort ();
  for (size_t i = 0; i < len; i++)
    {
      const char *name = jv_str (list->u.array.values[i], "name");
      read_status (statuses, name ? name : "", &out[i]);
    }
  *n = len;
  return out;
}

const char *
api_pod_phase_of (yajl_val pod, bool pod_terminal)
{
  size_t n_init, n;
  struct api_phase_container *init = read_all (pod, "initContainers", "initContainerStatuses",
                                               &n_init);
  struct api_phase_container *regular = read_all (pod, "containers", "containerStatuses", &n);
  const char *phase = api_pod_phase (jv_str (jv_get (pod, "spec"), "restartPolicy"), init,
                                     n_init, regular, n, pod_terminal);
  free (init);
  free (regular);
  return phase;
}
