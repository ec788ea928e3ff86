/* Running a list of OCI hooks and turning a failed one into an error that
 * says which hook, in which phase, and what it printed. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>

#include "hooks.h"

/* The end of the hook's output, trimmed of trailing blank space, so the
 * error line ends with the hook's last words. */
static const char *
output_tail (char *output)
{
  size_t n = strlen (output);
  while (n > 0 && (output[n - 1] == '\n' || output[n - 1] == ' ' || output[n - 1] == '\r'))
    output[--n] = '\0';
  return output;
}

static int
hook_failure (const struct oci_hook *hook, const char *phase, size_t index,
              struct husk_hook_result *res, struct husk_error **err)
{
  const char *out = output_tail (res->output ? res->output : (char *) "");
  const char *sep = *out ? ": " : "";

  if (res->exec_errno)
    return husk_error_set (err, res->exec_errno, "%s hook[%zu] \"%s\": exec", phase, index,
                           hook->path);
  if (res->timed_out)
    return husk_error_set (err, 0, "%s hook[%zu] \"%s\": killed after the timeout of %lld s%s%s",
                           phase, index, hook->path, (long long) hook->timeout.value, sep, out);
  if (WIFSIGNALED (res->status))
    return husk_error_set (err, 0, "%s hook[%zu] \"%s\": killed by signal %d (%s)%s%s", phase,
                           index, hook->path, WTERMSIG (res->status),
                           sigabbrev_np (WTERMSIG (res->status)) ?: "?", sep, out);
  return husk_error_set (err, 0, "%s hook[%zu] \"%s\": exited with status %d%s%s", phase, index,
                         hook->path, WEXITSTATUS (res->status), sep, out);
}

static bool
hook_succeeded (const struct husk_hook_result *res)
{
  return !res->exec_errno && !res->timed_out && WIFEXITED (res->status)
         && WEXITSTATUS (res->status) == 0;
}

static int
run_one (const struct oci_hook_list *hooks, size_t i, const char *phase, const char *state_json,
         struct husk_error **err)
{
  const struct oci_hook *hook = &hooks->hooks[i];
  struct husk_hook_result res;
  int ret = 0;

  if (husk_hook_process_run (hook, state_json, &res, err) < 0)
    return husk_error_wrap (err, "%s hook[%zu] \"%s\"", phase, i, hook->path);
  if (!hook_succeeded (&res))
    ret = hook_failure (hook, phase, i, &res, err);
  husk_hook_result_clear (&res);
  return ret;
}

int
husk_hooks_run (const struct oci_hook_list *hooks, const char *phase, const char *state_json,
                struct husk_error **err)
{
  if (hooks == NULL)
    return 0;
  for (size_t i = 0; i < hooks->len; i++)
    if (run_one (hooks, i, phase, state_json, err) < 0)
      return -1;
  return 0;
}

int
husk_hooks_run_all (const struct oci_hook_list *hooks, const char *phase, const char *state_json,
                    struct husk_error **err)
{
  int ret = 0;

  if (hooks == NULL)
    return 0;
  for (size_t i = 0; i < hooks->len; i++)
    {
      struct husk_error *one = NULL;
      if (run_one (hooks, i, phase, state_json, &one) < 0)
        {
          if (ret == 0)
            ret = husk_error_propagate (err, &one);
          husk_error_release (&one);
        }
    }
  return ret < 0 ? -1 : 0;
}
