/* exec_sync: a command in a running container with both streams captured,
 * as the CRI's ExecSync and Kubernetes' exec probes need. */
#include "pod_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "pod_util.h"

#define EXEC_ARGS_MAX 256
#define KILL_WAIT_STEPS 200 /* of 10 ms */

/* A timed-out command is killed, not only the runtime's exec that started
 * it (which would leave it running in the container, as critest checks):
 * its pid is what the runtime wrote with --pid-file. */
static void
kill_command (const char *pid_file)
{
  cleanup_error struct husk_error *e = NULL;
  cleanup_free char *data = NULL;
  size_t len;
  long pid;
  if (pod_read_file (pid_file, &data, &len, &e) < 0 || (pid = strtol (data, NULL, 10)) <= 1
      || kill ((pid_t) pid, SIGKILL) < 0)
    return;
  /* until the pod's init reaps it (a moment): the next exec must not see
   * it, not even as a zombie */
  for (int i = 0; i < KILL_WAIT_STEPS && kill ((pid_t) pid, 0) == 0; i++)
    usleep (10 * 1000);
}

/* <sandbox dir>/exec-<random>.pid */
static char *
pid_file_path (const struct pod_env *env, const char *sid)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sid);
  unsigned long long r = 0;
  if (!dir || getrandom (&r, sizeof r, 0) != (ssize_t) sizeof r)
    return NULL;
  return pod_path ("%s/exec-%016llx.pid", dir, r);
}

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
  cleanup_free char *pid_file = pid_file_path (&env, sid);
  if (pid_file == NULL)
    return husk_error_set (err, ENOMEM, "exec");
  args[n++] = env.runtime;
  args[n++] = "--root";
  args[n++] = env.runtime_root;
  args[n++] = "exec";
  args[n++] = "--pid-file";
  args[n++] = pid_file;
  args[n++] = cid;
  for (size_t i = 0; argv[i]; i++)
    if (n < EXEC_ARGS_MAX)
      args[n++] = argv[i];
  args[n] = NULL;
  struct pod_cmd cmd = { .argv = (char *const *) args, .timeout_s = timeout_s };
  int ran = pod_run (&cmd, &out->out, &out->out_len, &out->err, &out->err_len, &status, &run_err);
  if (ran < 0 && run_err->errnum == ETIMEDOUT)
    kill_command (pid_file);
  unlink (pid_file);
  if (ran < 0)
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
