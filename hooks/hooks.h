/* Running OCI hooks (runtime-spec config.md#posix-platform-hooks). */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../oci/config.h"
#include "../oci/error.h"

/* Runs each hook in order: fork+exec hook->path with argv = hook->args
 * (args[0] is argv[0]; path when args is empty), env = hook->env exactly,
 * the state JSON on stdin, stdout/stderr captured into the error on failure,
 * killed (SIGKILL) after hook->timeout seconds; a non-zero exit or timeout is
 * an error naming the phase, index and path:
 * `createRuntime hook[1] "/usr/bin/foo": exited with status 2: <stderr tail>`.
 * Stops at the first failing hook.  hooks may be NULL or empty. */
int husk_hooks_run (const struct oci_hook_list *hooks, const char *phase, const char *state_json,
                    struct husk_error **err);

/* Like husk_hooks_run but runs every hook even when some fail (poststop:
 * the spec says errors are logged and the rest still run); the first error
 * is returned. */
int husk_hooks_run_all (const struct oci_hook_list *hooks, const char *phase,
                        const char *state_json, struct husk_error **err);

/* The result of running one hook (hook_process.c). */
struct husk_hook_result {
  int status;     /* wait status */
  bool timed_out;
  int exec_errno; /* != 0: execve of hook->path failed with this errno */
  char *output;   /* the last bytes of stdout+stderr, NUL terminated, malloc'd */
};

/* Spawns one hook, feeds `input` on stdin, collects output, waits with the
 * timeout (<= 0: none), reaps.  Returns < 0 only when the hook could not be
 * run at all (pipes, fork); an execve failure is a result with exec_errno. */
int husk_hook_process_run (const struct oci_hook *hook, const char *input,
                           struct husk_hook_result *result, struct husk_error **err);
void husk_hook_result_clear (struct husk_hook_result *result);

#endif
