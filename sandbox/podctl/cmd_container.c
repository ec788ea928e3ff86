/* husk-pod verbs on containers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../pod/pod_util.h"
#include "podctl.h"

int
podctl_create_container (struct podctl *ctx, struct husk_error **err)
{
  cleanup_free char *cid = NULL;

  if (ctx->argc < 3)
    return husk_error_set (err, EINVAL, "create-container: expected SANDBOX NAME [ATTEMPT]");
  unsigned attempt = ctx->argc > 3 ? (unsigned) strtoul (ctx->argv[3], NULL, 10) : 0;
  if (husk_pod_container_create (&ctx->env, ctx->argv[1], ctx->argv[2], attempt, &cid, err) < 0)
    return -1;
  printf ("%s\n", cid);
  return 0;
}

int
podctl_start (struct podctl *ctx, struct husk_error **err)
{
  if (ctx->argc < 2)
    return husk_error_set (err, EINVAL, "start: expected CONTAINER");
  return husk_pod_container_start (&ctx->env, ctx->argv[1], err);
}

static int
cat_file (const char *path, bool must_exist, struct husk_error **err)
{
  cleanup_free char *data = NULL;
  struct husk_error *e = NULL;
  size_t len;

  if (pod_read_file (path, &data, &len, &e) < 0)
    {
      if (!must_exist && e->errnum == ENOENT)
        {
          husk_error_release (&e);
          return 0;
        }
      return husk_error_propagate (err, &e);
    }
  fwrite (data, 1, len, stdout);
  return 0;
}

/* The rotated file first, so lines come out in order. */
int
podctl_logs (struct podctl *ctx, struct husk_error **err)
{
  cleanup_free char *path = NULL, *old = NULL;

  if (ctx->argc < 2)
    return husk_error_set (err, EINVAL, "logs: expected CONTAINER");
  if (husk_pod_container_log_path (&ctx->env, ctx->argv[1], &path, err) < 0)
    return -1;
  if ((old = pod_path ("%s.1", path)) == NULL)
    return husk_error_set (err, ENOMEM, "logs");
  if (cat_file (old, false, err) < 0 || cat_file (path, true, err) < 0)
    return -1;
  return 0;
}

int
podctl_exec (struct podctl *ctx, struct husk_error **err)
{
  struct husk_exec_result r;
  int first, timeout = podctl_timeout_arg (ctx, 0, &first);

  if (first < ctx->argc && strcmp (ctx->argv[first], "--") == 0)
    first++;
  if (ctx->argc < first + 2)
    return husk_error_set (err, EINVAL, "exec: expected CONTAINER CMD...");
  if (husk_pod_container_exec_sync (&ctx->env, ctx->argv[first], ctx->argv + first + 1, timeout,
                                    &r, err) < 0)
    return -1;
  fwrite (r.out, 1, r.out_len, stdout);
  fwrite (r.err, 1, r.err_len, stderr);
  int code = r.exit_code;
  husk_exec_result_free (&r);
  return code;
}

int
podctl_wait_exited (struct podctl *ctx, const char *cid, int timeout_s, int *code,
                    struct husk_error **err)
{
  struct timespec ts = { 0, 20 * 1000 * 1000 };

  for (long waited = 0;; waited += 20)
    {
      struct husk_pod_container_status st;
      if (husk_pod_container_status (&ctx->env, cid, &st, err) < 0)
        return -1;
      bool done = st.state == HUSK_POD_CONTAINER_EXITED;
      *code = st.exit_code;
      husk_pod_container_status_free (&st);
      if (done)
        return 0;
      if (timeout_s && waited >= timeout_s * 1000L)
        return husk_error_set (err, ETIMEDOUT, "container `%s` still running", cid);
      nanosleep (&ts, NULL);
    }
}

int
podctl_wait (struct podctl *ctx, struct husk_error **err)
{
  int first, code, timeout = podctl_timeout_arg (ctx, 0, &first);

  if (ctx->argc <= first)
    return husk_error_set (err, EINVAL, "wait: expected CONTAINER");
  if (podctl_wait_exited (ctx, ctx->argv[first], timeout, &code, err) < 0)
    return -1;
  printf ("%d\n", code);
  return 0;
}
