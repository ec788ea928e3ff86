/* The one place the sandbox drives the runtime.  It runs the runtime's CLI
 * (husk or runc: the same verbs), which keeps huskd free of forks inside
 * its own address space and lets a pod use any OCI runtime.  The holder's
 * create goes through the same CLI (see holder_proto.h); tests/bench/
 * pod-start.sh measures the cost against podman. */
#include "pod_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../../oci/cleanup.h"
#include "pod_util.h"

#define RUNTIME_ARGS_MAX 64

/* runc and husk print "level=error msg=..." or plain text: the last
 * non-empty line is the message. */
static const char *
last_line (char *text)
{
  size_t n = strlen (text);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
    text[--n] = '\0';
  char *nl = strrchr (text, '\n');
  return nl ? nl + 1 : text;
}

int
pod_runtime (const struct pod_env *env, const char *const args[], int timeout_s, char **out,
             struct husk_error **err)
{
  const char *argv[RUNTIME_ARGS_MAX];
  cleanup_free char *errout = NULL;
  size_t n = 0;
  int status;

  argv[n++] = env->runtime;
  argv[n++] = "--root";
  argv[n++] = env->runtime_root;
  for (size_t i = 0; args[i] && n < RUNTIME_ARGS_MAX - 1; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  struct pod_cmd cmd = { .argv = (char *const *) argv, .timeout_s = timeout_s };
  if (pod_run (&cmd, out, NULL, &errout, NULL, &status, err) < 0)
    return husk_error_wrap (err, "runtime %s", args[0]);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (out)
    {
      free (*out);
      *out = NULL;
    }
  return husk_error_set (err, 0, "runtime %s %s: %s (exit code %d)", args[0],
                         args[1] ? args[1] : "", errout ? last_line (errout) : "",
                         pod_exit_code (status));
}
