/* husk-pod bench-create: what starting a container through the runtime
 * binary costs against calling libhusk in-process, measured, so the holder's
 * choice (it execs the binary, see sandbox/pod/pod_runtime.c) rests on
 * numbers.  tests/bench/pod-start.sh runs it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../runtime/husk.h"
#include "../pod/pod_util.h"
#include "podctl.h"

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reaps whatever died: the inits come to us as the subreaper. */
static void
reap (void)
{
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

static int
in_process (const char *root, const char *bundle, const char *id, double *ms,
            struct husk_error **err)
{
  struct husk_runtime rt = { .state_root = root, .log_fd = -1 };
  struct husk_create_options opts;
  cleanup_close int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  pid_t pid;
  double t0;

  husk_create_options_init (&opts);
  opts.id = id;
  opts.bundle = bundle;
  opts.stdio[0] = opts.stdio[1] = opts.stdio[2] = null_fd;
  t0 = now_ms ();
  if (husk_container_create (&rt, &opts, &pid, err) < 0)
    return husk_error_wrap (err, "in-process create");
  *ms += now_ms () - t0;
  if (husk_container_delete (&rt, id, true, err) < 0)
    return -1;
  reap ();
  return 0;
}

static int
run_binary (char *const argv[], struct husk_error **err)
{
  int status;
  struct pod_cmd cmd = { .argv = argv, .timeout_s = 60 };
  if (pod_run (&cmd, NULL, NULL, NULL, NULL, &status, err) < 0)
    return -1;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return husk_error_set (err, 0, "`%s %s` failed", argv[0], argv[3]);
  return 0;
}

static int
binary (const char *husk, const char *root, const char *bundle, const char *id, double *ms,
        struct husk_error **err)
{
  char *const create[] = { (char *) husk, "--root", (char *) root, "create", "--bundle",
                           (char *) bundle, (char *) id, NULL };
  char *const del[] = { (char *) husk, "--root", (char *) root, "delete", "--force",
                        (char *) id, NULL };
  double t0 = now_ms ();

  if (run_binary (create, err) < 0)
    return -1;
  *ms += now_ms () - t0;
  if (run_binary (del, err) < 0)
    return -1;
  reap ();
  return 0;
}

/* bench-create HUSK BUNDLE ROOT N */
int
podctl_bench_create (struct podctl *ctx, struct husk_error **err)
{
  double lib_ms = 0, bin_ms = 0;
  char id[64];
  int n;

  if (ctx->argc < 5 || (n = atoi (ctx->argv[4])) <= 0)
    return husk_error_set (err, EINVAL, "bench-create: expected HUSK BUNDLE ROOT N");
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  for (int i = 0; i < n; i++)
    {
      snprintf (id, sizeof id, "bench-%d-%d", (int) getpid (), i);
      if (in_process (ctx->argv[3], ctx->argv[2], id, &lib_ms, err) < 0
          || binary (ctx->argv[1], ctx->argv[3], ctx->argv[2], id, &bin_ms, err) < 0)
        return -1;
    }
  printf ("create, in-process libhusk: %.1f ms\n", lib_ms / n);
  printf ("create, husk binary:        %.1f ms\n", bin_ms / n);
  return 0;
}
