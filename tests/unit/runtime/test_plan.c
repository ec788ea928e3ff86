/* The parent's plan: namespaces from the config, rlimit names, the
 * process environment, and the PATH lookup the init does. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "namespaces.h"
#include "plan.h"
#include "tap.h"

static void
test_namespaces (void)
{
  struct oci_namespace ns[] = { { OCI_NS_PID, NULL }, { OCI_NS_MOUNT, NULL },
                                { OCI_NS_TIME, NULL }, { OCI_NS_NETWORK, "/proc/self/ns/net" } };
  struct oci_linux l = { .namespaces = ns, .namespaces_len = 4 };
  struct oci_config config = { .linux_ = &l };
  struct husk_ns_plan plan;
  struct husk_error *err = NULL;

  ok (husk_ns_plan_init (&config, &plan, &err) == 0, "plan made");
  is_int (plan.clone_flags, CLONE_NEWPID | CLONE_NEWNS, "pid and mount are clone flags");
  ok (plan.create_time, "time namespace is unshared, never a clone flag");
  ok (plan.any_join && plan.join_fds[OCI_NS_NETWORK] >= 0, "network joined by path");
  ok (plan.join_fds[OCI_NS_PID] < 0, "pid not joined");
  husk_ns_plan_clear (&plan);
  ok (plan.join_fds[OCI_NS_NETWORK] < 0, "clear closes the join fds");

  ns[3].path = "/nonexistent/ns";
  ok (husk_ns_plan_init (&config, &plan, &err) < 0, "missing path fails create early");
  is_str (err ? err->message : NULL,
          "linux.namespaces[3]: open network namespace `/nonexistent/ns`: No such file or "
          "directory",
          "naming the JSON path and the file");
  husk_error_release (&err);
}

static void
test_rlimits (void)
{
  struct oci_rlimit r[] = { { "RLIMIT_NOFILE", 10, 20 }, { "RLIMIT_BOGUS", 1, 1 } };
  struct oci_process p = { .rlimits = r, .rlimits_len = 1 };
  struct husk_rlimit_plan *plans = NULL;
  struct husk_error *err = NULL;
  size_t len = 0;

  ok (husk_plan_rlimits (&p, &plans, &len, &err) == 0 && len == 1, "known rlimit planned");
  ok (plans && plans[0].resource == RLIMIT_NOFILE && plans[0].limit.rlim_cur == 10
          && plans[0].limit.rlim_max == 20,
      "RLIMIT_NOFILE soft 10 hard 20");
  free (plans);
  p.rlimits_len = 2;
  ok (husk_plan_rlimits (&p, &plans, &len, &err) < 0, "unknown rlimit refused");
  is_str (err ? err->message : NULL, "process.rlimits[1].type: unknown rlimit \"RLIMIT_BOGUS\"",
          "with its JSON path");
  husk_error_release (&err);
}

static void
test_env (void)
{
  char *env[] = { "A=1", NULL };
  char *with_path[] = { "PATH=/x", NULL };
  struct oci_process p = { .env = env, .env_len = 1 };
  struct husk_error *err = NULL;
  char **out = NULL;

  ok (husk_plan_env (&p, 0, &out, &err) == 0, "env planned");
  is_str (out[0], "A=1", "own variable kept");
  ok (out[1] && strncmp (out[1], "PATH=/usr/local/sbin:", 21) == 0, "default PATH added");
  ok (out[2] == NULL, "NULL terminated");
  free (out);
  p.env = with_path;
  ok (husk_plan_env (&p, 2, &out, &err) == 0, "env with PATH and LISTEN_FDS");
  is_str (out[0], "PATH=/x", "given PATH kept");
  is_str (out[1], "LISTEN_FDS=2", "LISTEN_FDS");
  is_str (out[2], "LISTEN_PID=1", "LISTEN_PID is the container's init");
  ok (out[3] == NULL, "nothing else");
  free (out);
}

static void
test_lookup (void)
{
  char dir[] = "/tmp/husk-lookup-XXXXXX", path_env[64], file[128], out[4096];
  char *env[] = { path_env, NULL };
  struct husk_error *err = NULL;

  if (mkdtemp (dir) == NULL)
    return (void) ok (false, "mkdtemp");
  snprintf (path_env, sizeof path_env, "PATH=/nonexistent:%s", dir);
  snprintf (file, sizeof file, "%s/tool", dir);
  close (open (file, O_CREAT | O_WRONLY, 0755));
  ok (husk_process_lookup ("tool", env, out, &err) == 0, "found in the second PATH entry");
  is_str (out, file, "full path");
  ok (husk_process_lookup ("missing", env, out, &err) < 0, "missing command");
  is_str (err ? err->message : NULL,
          "exec: \"missing\": executable file not found in $PATH",
          "error like runc's");
  husk_error_release (&err);
  ok (husk_process_lookup ("/nonexistent", env, out, &err) < 0 && err->errnum == ENOENT,
      "absolute path checked");
  husk_error_release (&err);
  unlink (file);
  rmdir (dir);
}

int
main (void)
{
  test_namespaces ();
  test_rlimits ();
  test_env ();
  test_lookup ();
  return tap_done ();
}
