/* Runs real hook processes (busybox applets picked by argv[0]) and checks
 * what they received and what a failure reports. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../../hooks/hooks.h"
#include "tap.h"

#define BUSYBOX "/bin/busybox"
#define STATE "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":1,\"bundle\":\"/b\"}"

static char tmp[] = "/tmp/husk-test-hooks-XXXXXX";

static char *
slurp (const char *name)
{
  static char buf[8192];
  char path[256];
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "%s/%s", tmp, name);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  buf[n < 0 ? 0 : n] = '\0';
  unlink (path);
  return buf;
}

/* A hook running `sh -c script` through busybox, $0 = tmp. */
static struct oci_hook
sh_hook (char **argv, const char *script)
{
  argv[0] = "sh", argv[1] = "-c", argv[2] = (char *) script, argv[3] = tmp, argv[4] = NULL;
  return (struct oci_hook) { .path = BUSYBOX, .args = argv, .args_len = 4 };
}

static int
run (struct oci_hook *hooks, size_t n, const char *phase, struct husk_error **err)
{
  struct oci_hook_list list = { .hooks = hooks, .len = n };
  return husk_hooks_run (&list, phase, STATE, err);
}

static void
test_stdin_args_env (void)
{
  char *argv[5], *env[] = { "FOO=bar baz", "EMPTY=", "PATH=/bin", NULL };
  struct oci_hook h = sh_hook (argv, "cat > $0/state; tr '\\0' '\\n' < /proc/$$/environ > $0/env; "
                                     "tr '\\0' '\\n' < /proc/$$/cmdline > $0/argv; true");
  struct husk_error *err = NULL;

  h.env = env, h.env_len = 3;
  is_int (run (&h, 1, "createRuntime", &err), 0, "a hook that succeeds");
  is_str (slurp ("state"), STATE, "the hook reads the state on stdin");
  is_str (slurp ("env"), "FOO=bar baz\nEMPTY=\nPATH=/bin\n", "env is exactly hook.env");
  {
    char want[512];
    snprintf (want, sizeof want, "sh\n-c\n%s\n%s\n", argv[2], tmp);
    is_str (slurp ("argv"), want, "argv is exactly hook.args (args[0] is argv[0])");
  }
  husk_error_release (&err);
}

static void
test_no_args_no_env (void)
{
  char script[512];
  struct husk_error *err = NULL;
  struct oci_hook h = { .path = script };
  FILE *f;

  snprintf (script, sizeof script, "%s/hook.sh", tmp);
  f = fopen (script, "w");
  fprintf (f, "#!" BUSYBOX " sh\n"
              "tr '\\0' '\\n' < /proc/$$/environ > %s/env\n"
              "test -e /proc/$$/fd/42 && echo leaked > %s/fds || echo clean > %s/fds\n",
           tmp, tmp, tmp);
  fclose (f);
  chmod (script, 0755);
  /* An fd the runtime forgot to mark close-on-exec must not reach a hook. */
  dup2 (1, 42);
  is_int (run (&h, 1, "poststart", &err), 0, "a hook with no args runs path");
  close (42);
  is_str (slurp ("env"), "", "no env: the hook gets an empty environment");
  is_str (slurp ("fds"), "clean\n", "the runtime's fds do not leak into the hook");
  husk_error_release (&err);
  unlink (script);
}

static void
test_failure (void)
{
  char *a0[5], *a1[5];
  struct oci_hook h[2] = { sh_hook (a0, "true"), sh_hook (a1, "echo some output; echo oops >&2; exit 3") };
  struct husk_error *err = NULL;

  is_int (run (h, 2, "createRuntime", &err), -1, "a failing hook fails the phase");
  is_str (err ? err->message : NULL,
          "createRuntime hook[1] \"" BUSYBOX "\": exited with status 3: some output\noops",
          "the error names phase, index, path, status and output");
  husk_error_release (&err);

  h[0] = sh_hook (a0, "kill -TERM $$");
  run (h, 1, "prestart", &err);
  is_str (err ? err->message : NULL, "prestart hook[0] \"" BUSYBOX "\": killed by signal 15 (TERM)",
          "a hook killed by a signal says so");
  husk_error_release (&err);

  h[0] = (struct oci_hook) { .path = "/nonexistent/hook" };
  run (h, 1, "poststop", &err);
  is_str (err ? err->message : NULL, "poststop hook[0] \"/nonexistent/hook\": exec: No such file or directory",
          "a hook that cannot be executed says why");
  husk_error_release (&err);
}

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Dead: no such pid, or a zombie waiting for a reaper that is not us. */
static bool
gone (pid_t pid)
{
  char path[64], buf[256], *p;
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return true;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  buf[n < 0 ? 0 : n] = '\0';
  p = strrchr (buf, ')');
  return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static void
test_timeout (void)
{
  char *argv[5], *pidfile;
  struct oci_hook h = sh_hook (argv, "sleep 10 & echo $! > $0/sleeper; echo waiting; wait");
  struct husk_error *err = NULL;
  double start = now (), took;
  pid_t sleeper;

  h.timeout = (oci_opt_i64) { true, 1 };
  is_int (run (&h, 1, "createContainer", &err), -1, "a hook past its timeout fails");
  took = now () - start;
  ok (took >= 0.9 && took < 2.5, "it is killed after about 1 s (%.2f s)", took);
  is_str (err ? err->message : NULL,
          "createContainer hook[0] \"" BUSYBOX "\": killed after the timeout of 1 s: waiting",
          "the error says it timed out");
  husk_error_release (&err);
  pidfile = slurp ("sleeper");
  sleeper = pidfile ? atoi (pidfile) : 0;
  usleep (100 * 1000);
  ok (sleeper > 0 && gone (sleeper), "what the hook started was killed with it");
}

static void
test_run_all_and_debris (void)
{
  char *a0[5], *a1[5];
  struct oci_hook h[2] = { sh_hook (a0, "exit 1"), sh_hook (a1, "echo ran > $0/second") };
  struct oci_hook_list list = { .hooks = h, .len = 2 };
  struct husk_error *err = NULL;
  int fd_before = dup (0), fd_after;

  close (fd_before);
  is_int (husk_hooks_run_all (&list, "poststop", STATE, &err), -1, "run_all reports the failure");
  is_str (err ? err->message : NULL, "poststop hook[0] \"" BUSYBOX "\": exited with status 1",
          "the first error is kept");
  is_str (slurp ("second"), "ran\n", "the later hooks still ran");
  husk_error_release (&err);
  is_int (husk_hooks_run (NULL, "poststart", STATE, &err), 0, "no hooks: nothing to do");
  is_int (waitpid (-1, NULL, WNOHANG), -1, "no child left behind (no zombie)");
  fd_after = dup (0);
  close (fd_after);
  is_int (fd_after, fd_before, "no fd leaked");
}

int
main (void)
{
  if (mkdtemp (tmp) == NULL || access (BUSYBOX, X_OK) < 0)
    {
      printf ("1..0 # SKIP needs a tmpdir and " BUSYBOX "\n");
      return 0;
    }
  test_stdin_args_env ();
  test_no_args_no_env ();
  test_failure ();
  test_timeout ();
  test_run_all_and_debris ();
  rmdir (tmp);
  return tap_done ();
}
