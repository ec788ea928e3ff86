/* exec_sync: a command in a running container with both streams captured,
 * as the CRI's ExecSync and Kubernetes' exec probes need. */
#include "pod_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "pod_util.h"

#define EXEC_ARGS_MAX 256

int
husk_pod_container_exec_sync (const struct husk_sandbox_env *henv, const char *cid,
                              char *const argv[], int timeout_s, struct husk_exec_result *out,
                              struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  const char *args[EXEC_ARGS_MAX + 8];
  struct husk_error *run_err = NULL;
  size_t n = 0;
  char sid[33];
  int status = 0;

  memset (out, 0, sizeof *out);
  if (pod_env_resolve (henv, &env, err) < 0 || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  if (argv == NULL || argv[0] == NULL)
    return husk_error_set (err, EINVAL, "exec: no command");
  args[n++] = env.runtime;
  args[n++] = "--root";
  args[n++] = env.runtime_root;
  args[n++] = "exec";
  args[n++] = cid;
  for (size_t i = 0; argv[i]; i++)
    if (n < EXEC_ARGS_MAX)
      args[n++] = argv[i];
  args[n] = NULL;
  struct pod_cmd cmd = { .argv = (char *const *) args, .timeout_s = timeout_s };
  if (pod_run (&cmd, &out->out, &out->out_len, &out->err, &out->err_len, &status, &run_err) < 0)
    {
      if (run_err->errnum != ETIMEDOUT)
        return husk_error_propagate (err, &run_err);
      husk_error_release (&run_err);
      out->timed_out = true;
      out->exit_code = 124;
      return 0;
    }
  out->exit_code = pod_exit_code (status);
  return 0;
}

void
husk_exec_result_free (struct husk_exec_result *r)
{
  free (r->out);
  free (r->err);
  memset (r, 0, sizeof *r);
}
