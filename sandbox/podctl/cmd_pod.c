/* husk-pod verbs on whole pods. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_writer.h"
#include "../pod/pod_spec.h"
#include "../pod/pod_util.h"
#include "podctl.h"

int
podctl_is_sandbox_id (const char *id)
{
  return strlen (id) == 32 && strspn (id, "0123456789abcdef") == 32;
}

static int
need_args (struct podctl *ctx, int n, const char *what, struct husk_error **err)
{
  if (ctx->argc < n + 1)
    return husk_error_set (err, EINVAL, "%s: expected %s", ctx->argv[0], what);
  return 0;
}

static int
read_pod (const char *arg, char **json, size_t *len, struct husk_error **err)
{
  return pod_read_file (strcmp (arg, "-") == 0 ? "/dev/stdin" : arg, json, len, err);
}

int
podctl_run (struct podctl *ctx, struct husk_error **err)
{
  cleanup_free char *json = NULL, *id = NULL;
  size_t len;

  if (need_args (ctx, 1, "POD.json", err) < 0 || read_pod (ctx->argv[1], &json, &len, err) < 0
      || husk_pod_sandbox_run (&ctx->env, json, len, &id, err) < 0)
    return -1;
  printf ("%s\n", id);
  return 0;
}

/* husk-pod update SANDBOX POD.json: what huskd does on a changed Pod. */
int
podctl_update (struct podctl *ctx, struct husk_error **err)
{
  cleanup_free char *json = NULL;
  size_t len;

  if (need_args (ctx, 2, "SANDBOX POD.json", err) < 0
      || read_pod (ctx->argv[2], &json, &len, err) < 0)
    return -1;
  if (strlen (json) != len)
    return husk_error_set (err, EINVAL, "%s: contains a NUL byte", ctx->argv[2]);
  return husk_pod_sandbox_update (&ctx->env, ctx->argv[1], json, err);
}

static int
start_one (struct podctl *ctx, const char *sid, const char *name, bool wait,
           struct husk_error **err)
{
  cleanup_free char *cid = NULL;
  int code;

  if (husk_pod_container_create (&ctx->env, sid, name, 0, &cid, err) < 0
      || husk_pod_container_start (&ctx->env, cid, err) < 0)
    return -1;
  if (!wait)
    return 0;
  if (podctl_wait_exited (ctx, cid, 0, &code, err) < 0)
    return -1;
  if (code != 0)
    return husk_error_set (err, 0, "init container `%s` exited with %d", name, code);
  return 0;
}

/* Kubernetes' order: init containers one by one to success, then all
 * containers.  A failure removes the pod: nothing is left behind. */
int
podctl_up (struct podctl *ctx, struct husk_error **err)
{
  cleanup_free char *json = NULL, *sid = NULL;
  cleanup_pod_spec struct pod_spec *pod = NULL;
  size_t len;
  int ret = 0;

  if (need_args (ctx, 1, "POD.json", err) < 0 || read_pod (ctx->argv[1], &json, &len, err) < 0
      || pod_spec_parse ("pod.json", json, len, &pod, err) < 0
      || husk_pod_sandbox_run (&ctx->env, json, len, &sid, err) < 0)
    return -1;
  for (size_t i = 0; ret == 0 && i < pod->init_containers_len; i++)
    ret = start_one (ctx, sid, pod->init_containers[i].name, true, err);
  for (size_t i = 0; ret == 0 && i < pod->containers_len; i++)
    ret = start_one (ctx, sid, pod->containers[i].name, false, err);
  if (ret < 0)
    {
      struct husk_error *ignored = NULL;
      if (husk_pod_sandbox_remove (&ctx->env, sid, &ignored) < 0)
        husk_error_release (&ignored);
      return husk_error_wrap (err, "up `%s`", pod->name);
    }
  printf ("%s\n", sid);
  return 0;
}

int
podctl_ls (struct podctl *ctx, struct husk_error **err)
{
  cleanup_strv char **ids = NULL;
  size_t n;

  if (husk_pod_sandbox_list (&ctx->env, &ids, &n, err) < 0)
    return -1;
  printf ("%-32s  %-24s  %-10s  %-8s  %s\n", "SANDBOX ID", "NAME", "NAMESPACE", "STATE", "IP");
  for (size_t i = 0; i < n; i++)
    {
      struct husk_pod_sandbox_status st;
      struct husk_error *e = NULL;
      if (husk_pod_sandbox_status (&ctx->env, ids[i], &st, &e) < 0)
        {
          husk_error_release (&e);
          continue;
        }
      printf ("%-32s  %-24s  %-10s  %-8s  %s\n", st.id, st.name, st.namespace_,
              st.state == HUSK_POD_SANDBOX_READY ? "Ready" : "NotReady", st.ip ? st.ip : "-");
      husk_pod_sandbox_status_free (&st);
    }
  return 0;
}

static const char *
state_name (enum husk_pod_container_state s)
{
  static const char *const names[] = { "created", "running", "exited", "unknown" };
  return names[s];
}

int
podctl_ps (struct podctl *ctx, struct husk_error **err)
{
  cleanup_strv char **ids = NULL;
  size_t n;

  if (need_args (ctx, 1, "SANDBOX", err) < 0
      || husk_pod_container_list (&ctx->env, ctx->argv[1], &ids, &n, err) < 0)
    return -1;
  printf ("%-48s  %-16s  %-8s  %s\n", "CONTAINER ID", "NAME", "STATE", "EXIT");
  for (size_t i = 0; i < n; i++)
    {
      struct husk_pod_container_status st;
      struct husk_error *e = NULL;
      if (husk_pod_container_status (&ctx->env, ids[i], &st, &e) < 0)
        {
          husk_error_release (&e);
          continue;
        }
      printf ("%-48s  %-16s  %-8s  ", st.id, st.name, state_name (st.state));
      if (st.state == HUSK_POD_CONTAINER_EXITED)
        printf ("%d\n", st.exit_code);
      else
        printf ("-\n");
      husk_pod_container_status_free (&st);
    }
  return 0;
}

static void
key_string_or_null (struct jw *w, const char *key, const char *value)
{
  jw_key (w, key);
  if (value)
    jw_string (w, value);
  else
    yajl_gen_null (w->g);
}

static int
print_sandbox_status (struct podctl *ctx, const char *id, struct husk_error **err)
{
  struct husk_pod_sandbox_status st;
  cleanup_jw struct jw w = { 0 };
  cleanup_free char *out = NULL;

  if (husk_pod_sandbox_status (&ctx->env, id, &st, err) < 0)
    return -1;
  if (jw_init (&w, "  ", err) < 0)
    {
      husk_pod_sandbox_status_free (&st);
      return -1;
    }
  jw_open (&w);
  jw_key_string (&w, "id", st.id);
  jw_key_string (&w, "name", st.name);
  jw_key_string (&w, "namespace", st.namespace_);
  key_string_or_null (&w, "uid", st.uid);
  jw_key_string (&w, "state", st.state == HUSK_POD_SANDBOX_READY ? "ready" : "notready");
  jw_key_int (&w, "holderPid", st.holder_pid);
  key_string_or_null (&w, "ip", st.ip);
  key_string_or_null (&w, "netns", st.netns_path);
  jw_key_bool (&w, "hostNetwork", st.host_network);
  jw_key_int (&w, "createdAt", st.created_at);
  jw_close (&w);
  husk_pod_sandbox_status_free (&st);
  if (jw_finish (&w, "status", &out, NULL, err) < 0)
    return -1;
  fputs (out, stdout);
  return 0;
}

static int
print_container_status (struct podctl *ctx, const char *id, struct husk_error **err)
{
  struct husk_pod_container_status st;
  cleanup_jw struct jw w = { 0 };
  cleanup_free char *out = NULL;

  if (husk_pod_container_status (&ctx->env, id, &st, err) < 0)
    return -1;
  if (jw_init (&w, "  ", err) < 0)
    {
      husk_pod_container_status_free (&st);
      return -1;
    }
  jw_open (&w);
  jw_key_string (&w, "id", st.id);
  jw_key_string (&w, "sandboxId", st.sandbox_id);
  jw_key_string (&w, "name", st.name);
  jw_key_int (&w, "attempt", st.attempt);
  jw_key_string (&w, "state", state_name (st.state));
  jw_key_int (&w, "pid", st.pid);
  if (st.state == HUSK_POD_CONTAINER_EXITED)
    {
      jw_key_int (&w, "exitCode", st.exit_code);
      jw_key_int (&w, "signal", st.signal);
      jw_key_string (&w, "reason", st.reason ? st.reason : "");
    }
  jw_key_bool (&w, "oomKilled", st.oom_killed);
  jw_key_int (&w, "createdAt", st.created_at);
  jw_key_int (&w, "startedAt", st.started_at);
  jw_key_int (&w, "finishedAt", st.finished_at);
  jw_key_string (&w, "image", st.image);
  jw_key_string (&w, "logPath", st.log_path);
  jw_close (&w);
  husk_pod_container_status_free (&st);
  if (jw_finish (&w, "status", &out, NULL, err) < 0)
    return -1;
  fputs (out, stdout);
  return 0;
}

int
podctl_status (struct podctl *ctx, struct husk_error **err)
{
  if (need_args (ctx, 1, "ID", err) < 0)
    return -1;
  if (podctl_is_sandbox_id (ctx->argv[1]))
    return print_sandbox_status (ctx, ctx->argv[1], err);
  return print_container_status (ctx, ctx->argv[1], err);
}

int
podctl_timeout_arg (struct podctl *ctx, int def, int *first)
{
  *first = 1;
  if (ctx->argc > 2 && strcmp (ctx->argv[1], "-t") == 0)
    {
      *first = 3;
      return atoi (ctx->argv[2]);
    }
  return def;
}

int
podctl_stop (struct podctl *ctx, struct husk_error **err)
{
  int first, t = podctl_timeout_arg (ctx, -1, &first);

  if (ctx->argc <= first)
    return husk_error_set (err, EINVAL, "stop: expected an id");
  const char *id = ctx->argv[first];
  if (podctl_is_sandbox_id (id))
    return husk_pod_sandbox_stop (&ctx->env, id, t, err);
  return husk_pod_container_stop (&ctx->env, id, t < 0 ? 10 : t, err);
}

int
podctl_rm (struct podctl *ctx, struct husk_error **err)
{
  if (need_args (ctx, 1, "ID", err) < 0)
    return -1;
  for (int i = 1; i < ctx->argc; i++)
    {
      const char *id = ctx->argv[i];
      int ret = podctl_is_sandbox_id (id) ? husk_pod_sandbox_remove (&ctx->env, id, err)
                                          : husk_pod_container_remove (&ctx->env, id, err);
      if (ret < 0)
        return -1;
    }
  return 0;
}
