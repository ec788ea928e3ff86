/* husk's own pod endpoints, answered from a worker (they block on
 * processes): exec, probe (every probe of every running container, now),
 * holder (the sandbox's details).  The HTTP request waits for the job;
 * replying to a client that left just frees the request. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "controller_internal.h"
#include "jv.h"
#include "request.h"

struct request_job {
  struct huskd_job job;
  struct hreq r;         /* only req and d are used after the handler returns */
  const struct husk_sandbox_env *env;
  yajl_val pod;          /* copy */
  yajl_val input;        /* the request body, for exec */
  char *sandbox_id;
  int code;
  yajl_val answer;       /* or a status */
  struct api_status *status;
};

static void
request_done (struct huskd_job *job)
{
  struct request_job *rj = (struct request_job *) job;
  if (rj->status)
    hreq_reply_status (&rj->r, rj->status);
  else
    hreq_reply_json (&rj->r, rj->code, rj->answer);
  if (rj->answer)
    yajl_tree_free (rj->answer);
  if (rj->pod)
    yajl_tree_free (rj->pod);
  if (rj->input)
    yajl_tree_free (rj->input);
  free (rj->sandbox_id);
  free (rj);
}

static void
submit (struct huskd_controller *c, struct hreq *r, void (*run) (struct huskd_job *),
        yajl_val input)
{
  struct request_job *rj = calloc (1, sizeof *rj);
  yajl_val pod = api_store_get (c->d->store, "pods", r->ns, r->name);
  const char *sandbox = huskd_pod_sandbox_id (pod);
  if (!sandbox)
    {
      hreq_reply_status (r, api_status_new (409, "Conflict", "pod \"%s\" has no sandbox yet",
                                            r->name));
      if (input)
        yajl_tree_free (input);
      free (rj);
      return;
    }
  rj->job.run = run;
  rj->job.done = request_done;
  rj->r.req = r->req;
  rj->r.d = r->d;
  rj->env = &c->env;
  rj->pod = jv_copy (pod);
  rj->input = input;
  rj->sandbox_id = strdup (sandbox);
  rj->code = 200;
  huskd_workers_submit (c->workers, &rj->job);
}

static void
holder_run (struct huskd_job *job)
{
  struct request_job *rj = (struct request_job *) job;
  struct husk_pod_sandbox_status st = { 0 };
  cleanup_error struct husk_error *err = NULL;
  yajl_val a;
  if (husk_pod_sandbox_status (rj->env, rj->sandbox_id, &st, &err) < 0)
    {
      rj->status = api_internal (err->message);
      return;
    }
  a = rj->answer = jv_object ();
  jv_set (a, "sandboxID", jv_string (st.id));
  jv_set (a, "state", jv_string (st.state == HUSK_POD_SANDBOX_READY ? "Ready" : "NotReady"));
  jv_set (a, "holderPID", jv_int (st.holder_pid));
  jv_set (a, "netns", st.netns_path ? jv_string (st.netns_path) : jv_null ());
  jv_set (a, "ip", st.ip ? jv_string (st.ip) : jv_null ());
  jv_set (a, "hostNetwork", jv_bool (st.host_network));
  jv_set (a, "createdAt", jv_int (st.created_at));
  husk_pod_sandbox_status_free (&st);
}

void
huskd_controller_holder (struct huskd_controller *c, struct hreq *r)
{
  submit (c, r, holder_run, NULL);
}

static void
exec_run (struct huskd_job *job)
{
  struct request_job *rj = (struct request_job *) job;
  yajl_val cmd = jv_get (rj->input, "command");
  const char *name = jv_str (rj->input, "container");
  yajl_val spec = huskd_pod_container_spec (rj->pod, name);
  cleanup_free char *id = spec ? huskd_pod_container_id (rj->pod, jv_str (spec, "name"), false) : NULL;
  cleanup_free char **argv = NULL;
  cleanup_error struct husk_error *err = NULL;
  struct husk_exec_result res = { 0 };
  long long timeout = 0;

  if (!cmd || cmd->type != yajl_t_array || cmd->u.array.len == 0)
    {
      rj->status = api_bad_request ("command: Required value");
      return;
    }
  if (!id)
    {
      rj->status = api_bad_request ("container %s is not valid for pod %s", name ? name : "",
                                    jv_str (jv_get (rj->pod, "metadata"), "name"));
      return;
    }
  argv = calloc (cmd->u.array.len + 1, sizeof (char *));
  for (size_t i = 0; i < cmd->u.array.len; i++)
    argv[i] = (char *) (jv_str (cmd->u.array.values[i], NULL) ?: "");
  jv_int_of (rj->input, "timeoutSeconds", &timeout);
  if (husk_pod_container_exec_sync (rj->env, id, argv, (int) timeout, &res, &err) < 0)
    {
      rj->status = api_internal (err->message);
      return;
    }
  rj->answer = jv_object ();
  jv_set (rj->answer, "stdout", jv_string (res.out ? res.out : ""));
  jv_set (rj->answer, "stderr", jv_string (res.err ? res.err : ""));
  jv_set (rj->answer, "exitCode", jv_int (res.exit_code));
  jv_set (rj->answer, "timedOut", jv_bool (res.timed_out));
  husk_exec_result_free (&res);
}

void
huskd_controller_exec (struct huskd_controller *c, struct hreq *r)
{
  yajl_val body = NULL;
  struct api_status *s = hreq_body_json (r, &body);
  if (s)
    return hreq_reply_status (r, s);
  if (body->type != yajl_t_object)
    {
      yajl_tree_free (body);
      return hreq_reply_status (r, api_bad_request ("the body must be a JSON object"));
    }
  submit (c, r, exec_run, body);
}

static void
probe_container (struct request_job *rj, struct pod_sync *s, yajl_val c, const char *netns)
{
  static const char *const keys[] = { "startupProbe", "livenessProbe", "readinessProbe" };
  static const char *const results[] = { "Success", "Failure", "Unknown" };
  cleanup_free char *id = huskd_pod_container_id (rj->pod, jv_str (c, "name"), false);
  for (size_t k = 0; k < 3; k++)
    {
      yajl_val probe = jv_get (c, keys[k]), item;
      cleanup_free char *output = NULL;
      enum husk_probe_result res;
      if (!probe)
        continue;
      res = id ? pod_probe_once (s, c, probe, id, netns, &output) : HUSK_PROBE_UNKNOWN;
      item = jv_object ();
      jv_set (item, "container", jv_string (jv_str (c, "name")));
      jv_set (item, "probe", jv_string (keys[k]));
      jv_set (item, "result", jv_string (results[res]));
      jv_set (item, "output", jv_string (output ? output : id ? "" : "container not running"));
      jv_push (jv_get (rj->answer, "results"), item);
    }
}

static void
probe_run (struct huskd_job *job)
{
  struct request_job *rj = (struct request_job *) job;
  struct husk_pod_sandbox_status st = { 0 };
  cleanup_error struct husk_error *err = NULL;
  struct pod_sync s = { .env = rj->env, .pod = rj->pod };
  yajl_val list = jv_path (rj->pod, "spec", "containers", NULL);
  if (husk_pod_sandbox_status (rj->env, rj->sandbox_id, &st, &err) < 0)
    {
      rj->status = api_internal (err->message);
      return;
    }
  rj->answer = jv_object ();
  jv_set (rj->answer, "kind", jv_string ("ProbeResults"));
  jv_set (rj->answer, "results", jv_array ());
  for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
    probe_container (rj, &s, list->u.array.values[i], st.netns_path);
  husk_pod_sandbox_status_free (&st);
  s.pod = NULL;
  for (size_t i = 0; i < s.n_events; i++)
    {
      free (s.events[i].type), free (s.events[i].reason);
      free (s.events[i].field_path), free (s.events[i].message);
    }
  free (s.events);
}

void
huskd_controller_probe (struct huskd_controller *c, struct hreq *r)
{
  submit (c, r, probe_run, NULL);
}
