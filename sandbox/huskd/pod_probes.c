/* Liveness, readiness and startup probes of one running container, with
 * Kubernetes' timing (initialDelaySeconds, periodSeconds, timeoutSeconds,
 * successThreshold, failureThreshold) and rules: the startup probe holds
 * back the other two until it succeeds; liveness or startup failing
 * failureThreshold times restarts the container; readiness drives
 * `ready`.  Each failure is an Unhealthy event carrying the probe output.
 * exec probes run through the sandbox; tcp, http and grpc ones from this
 * thread inside the pod's netns (sandbox/probes), with no new process. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cleanup.h"
#include "jv.h"
#include "pod_sync.h"
#include "probe.h"
#include "str_printf.h"

static const char *const probe_keys[PROBE_KINDS]
    = { [PROBE_LIVENESS] = "livenessProbe", [PROBE_READINESS] = "readinessProbe",
        [PROBE_STARTUP] = "startupProbe" };
static const char *const probe_names[PROBE_KINDS]
    = { [PROBE_LIVENESS] = "Liveness", [PROBE_READINESS] = "Readiness",
        [PROBE_STARTUP] = "Startup" };

static long long
setting (yajl_val probe, const char *key, long long dflt)
{
  long long v;
  return jv_int_of (probe, key, &v) ? v : dflt;
}

/* A port by number, or by the name of one of the container's ports. */
static int
resolve_port (yajl_val c, yajl_val port)
{
  long long n;
  const char *name = jv_str (port, NULL);
  yajl_val ports = jv_get (c, "ports");
  if (jv_int_of (port, NULL, &n))
    return (int) n;
  for (size_t i = 0; name && ports && ports->type == yajl_t_array && i < ports->u.array.len; i++)
    if (!strcmp (jv_str (ports->u.array.values[i], "name") ?: "", name)
        && jv_int_of (ports->u.array.values[i], "containerPort", &n))
      return (int) n;
  return -1;
}

static enum husk_probe_result
run_exec (struct pod_sync *s, yajl_val cmd, const char *id, int timeout, char **output)
{
  struct husk_exec_result res = { 0 };
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char **argv = calloc (cmd->u.array.len + 1, sizeof (char *));
  enum husk_probe_result r;
  for (size_t i = 0; i < cmd->u.array.len; i++)
    argv[i] = (char *) (jv_str (cmd->u.array.values[i], NULL) ?: "");
  if (husk_pod_container_exec_sync (s->env, id, argv, timeout, &res, &err) < 0)
    {
      *output = strdup (err->message);
      return HUSK_PROBE_UNKNOWN;
    }
  if (res.timed_out)
    r = HUSK_PROBE_FAILURE, *output = strdup ("command timed out");
  else
    {
      r = res.exit_code == 0 ? HUSK_PROBE_SUCCESS : HUSK_PROBE_FAILURE;
      *output = strndup (res.out_len ? res.out : res.err ? res.err : "",
                         res.out_len ? res.out_len : res.err_len);
    }
  husk_exec_result_free (&res);
  return r;
}

/* Kubernetes probes the pod IP unless the probe names a host; a pod with
 * loopback only has no IP, and 127.0.0.1 of its netns stands for it. */
static const char *
probe_host (struct pod_sync *s, yajl_val action)
{
  return jv_str (action, "host") ?: s->pod_ip;
}

/* httpGet: scheme, host, port, path and httpHeaders [{name, value}]. */
static enum husk_probe_result
run_http (struct pod_sync *s, yajl_val c, yajl_val http, const char *netns, int timeout,
          char **output)
{
  yajl_val list = jv_get (http, "httpHeaders");
  size_t n = list && list->type == yajl_t_array ? list->u.array.len : 0;
  cleanup_strv char **headers = calloc (n + 1, sizeof (char *));
  const char *scheme = jv_str (http, "scheme");
  struct husk_http_probe p = {
    .https = scheme && strcasecmp (scheme, "HTTPS") == 0,
    .host = probe_host (s, http),
    .port = resolve_port (c, jv_get (http, "port")),
    .path = jv_str (http, "path"),
  };
  if (!headers)
    return *output = strdup ("out of memory"), HUSK_PROBE_UNKNOWN;
  for (size_t i = 0, k = 0; i < n; i++)
    {
      yajl_val h = list->u.array.values[i];
      if (jv_str (h, "name") && !(headers[k++] = str_printf ("%s: %s", jv_str (h, "name"),
                                                              jv_str (h, "value") ?: "")))
        return *output = strdup ("out of memory"), HUSK_PROBE_UNKNOWN;
    }
  p.headers = (const char *const *) headers;
  return husk_probe_http (netns, &p, timeout * 1000, output);
}

enum husk_probe_result
pod_probe_once (struct pod_sync *s, yajl_val c, yajl_val probe, const char *id, const char *netns,
             char **output)
{
  int timeout = (int) setting (probe, "timeoutSeconds", 1);
  yajl_val exec = jv_path (probe, "exec", "command", NULL);
  yajl_val tcp = jv_get (probe, "tcpSocket"), http = jv_get (probe, "httpGet");
  yajl_val grpc = jv_get (probe, "grpc");
  *output = NULL;
  if (exec && exec->type == yajl_t_array && exec->u.array.len)
    return run_exec (s, exec, id, timeout, output);
  if (tcp)
    return husk_probe_tcp (netns, probe_host (s, tcp), resolve_port (c, jv_get (tcp, "port")),
                           timeout * 1000, output);
  if (http)
    return run_http (s, c, http, netns, timeout, output);
  if (grpc)
    return husk_probe_grpc (netns, s->pod_ip, resolve_port (c, jv_get (grpc, "port")),
                            jv_str (grpc, "service") ?: "", timeout * 1000, output);
  *output = strdup ("probe has no handler");
  return HUSK_PROBE_UNKNOWN;
}

/* Runs one probe if due; returns true when it has just failed for good. */
static bool
run_probe (struct pod_sync *s, yajl_val c, const struct observed *o, const char *netns,
           enum probe_kind kind, struct container_track *t)
{
  yajl_val probe = jv_get (c, probe_keys[kind]);
  struct probe_track *pt = &t->probes[kind];
  double now = (double) time (NULL), started = o->latest.started_at / 1e9;
  cleanup_free char *output = NULL;
  enum husk_probe_result r;
  char fp[160];

  if (now < started + (double) setting (probe, "initialDelaySeconds", 0)
      || (pt->last_run && now < pt->last_run + (double) setting (probe, "periodSeconds", 10)))
    return false;
  pt->last_run = now;
  r = pod_probe_once (s, c, probe, o->latest.id, netns, &output);
  if (r == HUSK_PROBE_UNKNOWN)
    return false; /* kubelet neither counts nor acts on unknown results */
  if (r == HUSK_PROBE_SUCCESS)
    {
      pt->failures = 0;
      if (++pt->successes >= setting (probe, "successThreshold", 1))
        pt->ok = true;
      return false;
    }
  pt->successes = 0;
  pt->failures++;
  snprintf (fp, sizeof fp, "spec.containers{%s}", jv_str (c, "name"));
  pod_sync_add_event (s, "Warning", "Unhealthy", fp, "%s probe failed: %s", probe_names[kind],
                      output ? output : "");
  if (pt->failures >= setting (probe, "failureThreshold", 3))
    {
      pt->ok = false;
      return kind != PROBE_READINESS;
    }
  return false;
}

bool
pod_probes_run (struct pod_sync *s, yajl_val c, const struct observed *o, const char *netns)
{
  struct container_track *t = pod_sync_track (s, jv_str (c, "name"));
  if (!t)
    return true;
  if (t->attempt != o->latest.attempt)
    {
      memset (t->probes, 0, sizeof t->probes);
      t->attempt = o->latest.attempt;
    }
  if (jv_get (c, "startupProbe") && !t->probes[PROBE_STARTUP].ok)
    return !run_probe (s, c, o, netns, PROBE_STARTUP, t);
  if (jv_get (c, "readinessProbe"))
    run_probe (s, c, o, netns, PROBE_READINESS, t);
  if (jv_get (c, "livenessProbe") && run_probe (s, c, o, netns, PROBE_LIVENESS, t))
    return false;
  return true;
}
