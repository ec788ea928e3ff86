/* Stopping containers: SIGTERM through the runtime, a grace period during
 * which the holder records the exit, then SIGKILL.  Several containers (a
 * whole pod) share one grace period, as the kubelet kills a pod's
 * containers in parallel: a pod of N stubborn containers takes one grace
 * period to stop, not N. */
#include "pod_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../holder/holder_proto.h"
#include "pod_util.h"

enum stop_need { STOP_NOTHING, STOP_RUNNING, STOP_ORPHAN };

struct stopping {
  char *exit_path;
  enum stop_need need;
};

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the exit file exists or the monotonic deadline passes. */
static bool
wait_exit_file (const char *path, int64_t deadline_ms)
{
  struct timespec ts = { 0, 20 * 1000 * 1000 };
  for (;;)
    {
      if (access (path, F_OK) == 0)
        return true;
      if (now_ms () >= deadline_ms)
        return false;
      nanosleep (&ts, NULL);
    }
}

static void
runtime_kill (const struct pod_env *env, const char *cid, const char *sig)
{
  const char *const args[] = { "kill", cid, sig, NULL };
  struct husk_error *ignored = NULL;
  if (pod_runtime (env, args, 30, NULL, &ignored) < 0)
    husk_error_release (&ignored);
}

/* Whether the container runs, and whether a holder is there to record its
 * exit (without one, nobody will: SIGKILL is all that is left to do). */
static int
stop_need (const struct pod_env *env, const char *cid, struct stopping *s, struct husk_error **err)
{
  cleanup_free char *pid_path = NULL;
  char sid[33];

  if (pod_container_file (env, cid, HOLDER_EXIT_FILE, &s->exit_path, err) < 0
      || pod_container_file (env, cid, HOLDER_INIT_PID_FILE, &pid_path, err) < 0)
    return -1;
  snprintf (sid, sizeof sid, "%.32s", cid);
  if (access (s->exit_path, F_OK) == 0 || access (pid_path, F_OK) < 0)
    s->need = STOP_NOTHING;
  else
    s->need = pod_holder_pid (env, sid) > 0 ? STOP_RUNNING : STOP_ORPHAN;
  return 0;
}

static void
stopping_free (struct stopping *s, size_t n)
{
  for (size_t i = 0; s && i < n; i++)
    free (s[i].exit_path);
  free (s);
}

static int
stop_all (const struct pod_env *env, char *const *cids, size_t n, int grace_seconds,
          struct stopping *s, struct husk_error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      if (stop_need (env, cids[i], &s[i], err) < 0)
        return -1;
      if (s[i].need == STOP_ORPHAN)
        runtime_kill (env, cids[i], "KILL");
      else if (s[i].need == STOP_RUNNING && grace_seconds > 0)
        runtime_kill (env, cids[i], "TERM");
    }
  int64_t deadline = now_ms () + (int64_t) (grace_seconds > 0 ? grace_seconds : 0) * 1000;
  for (size_t i = 0; i < n; i++)
    if (s[i].need == STOP_RUNNING && !wait_exit_file (s[i].exit_path, deadline))
      runtime_kill (env, cids[i], "KILL");
  deadline = now_ms () + 10000;
  for (size_t i = 0; i < n; i++)
    if (s[i].need == STOP_RUNNING && !wait_exit_file (s[i].exit_path, deadline))
      return husk_error_set (err, ETIMEDOUT, "container `%s` did not exit after SIGKILL", cids[i]);
  return 0;
}

int
pod_containers_stop (const struct pod_env *env, char *const *cids, size_t n, int grace_seconds,
                     struct husk_error **err)
{
  struct stopping *s = calloc (n ? n : 1, sizeof *s);

  if (s == NULL)
    return husk_error_set (err, errno, "stop");
  int ret = stop_all (env, cids, n, grace_seconds, s, err);
  stopping_free (s, n);
  return ret;
}

int
pod_container_stop (const struct pod_env *env, const char *cid, int grace_seconds,
                    struct husk_error **err)
{
  char *const cids[] = { (char *) cid };
  return pod_containers_stop (env, cids, 1, grace_seconds, err);
}
