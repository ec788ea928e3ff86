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
  char *with_home[] = { "HOME=/mine", NULL };
  struct husk_error *err = NULL;
  char **out = NULL, *home = NULL;

  ok (husk_plan_env (&p, 0, &out, &home, &err) == 0, "env planned");
  is_str (out[0], "A=1", "own variable kept");
  ok (out[1] && strncmp (out[1], "PATH=/usr/local/sbin:", 21) == 0, "default PATH added");
  is_str (out[2], "HOME=/", "a HOME slot added, / until the child fills it in");
  ok (home == out[2], "the slot is handed out");
  ok (out[3] == NULL, "NULL terminated");
  free (out);
  p.env = with_path;
  ok (husk_plan_env (&p, 2, &out, &home, &err) == 0, "env with PATH and LISTEN_FDS");
  is_str (out[0], "PATH=/x", "given PATH kept");
  is_str (out[1], "HOME=/", "HOME slot");
  is_str (out[2], "LISTEN_FDS=2", "LISTEN_FDS");
  is_str (out[3], "LISTEN_PID=1", "LISTEN_PID is the container's init");
  ok (out[4] == NULL, "nothing else");
  free (out);
  p.env = with_home;
  ok (husk_plan_env (&p, 0, &out, &home, &err) == 0 && home == NULL, "a given HOME is kept");
  is_str (out[0], "HOME=/mine", "as given");
  ok (out[1] && strncmp (out[1], "PATH=", 5) == 0 && out[2] == NULL, "no second HOME");
  free (out);
}

static int
passwd_fd (const char *text)
{
  int fds[2];
  if (pipe (fds) < 0)
    return -1;
  if (write (fds[1], text, strlen (text)) < 0)
    return -1;
  close (fds[1]);
  return fds[0];
}

static void
test_passwd_home (void)
{
  const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
                       "# a comment\n"
                       "broken\n"
                       "u10:x:10x:10::/wrong:/bin/sh\n"
                       "user:x:1000:1000:User,,,:/home/user:/bin/sh\n"
                       "last:x:2000:2000::/home/last";
  char home[64];
  int fd;

  fd = passwd_fd (passwd);
  ok (husk_passwd_home (fd, 1000, home, sizeof home), "uid 1000 found");
  is_str (home, "/home/user", "its home");
  close (fd);
  fd = passwd_fd (passwd);
  ok (husk_passwd_home (fd, 0, home, sizeof home) && strcmp (home, "/root") == 0, "root");
  close (fd);
  fd = passwd_fd (passwd);
  ok (husk_passwd_home (fd, 2000, home, sizeof home) && strcmp (home, "/home/last") == 0,
      "a last line without newline");
  close (fd);
  fd = passwd_fd (passwd);
  ok (!husk_passwd_home (fd, 10, home, sizeof home), "a malformed uid matches nothing");
  close (fd);
  fd = passwd_fd (passwd);
  ok (!husk_passwd_home (fd, 4242, home, sizeof home), "an unknown uid");
  close (fd);
  fd = passwd_fd (passwd);
  ok (!husk_passwd_home (fd, 1000, home, 5), "a home too long for the buffer is not cut");
  close (fd);
  fd = passwd_fd (passwd);
  ok (husk_passwd_name (fd, 2000, home, sizeof home) && strcmp (home, "last") == 0,
      "the user name of a uid (the state's owner)");
  close (fd);
  {
    /* a 10000-byte line whose tail looks like an entry, then the real one */
    static char text[12000];
    size_t n = 0;
    n += (size_t) snprintf (text, sizeof text, "x:x:1:1:");
    memset (text + n, 'g', 9000);
    n += 9000;
    n += (size_t) snprintf (text + n, sizeof text - n, ":x:7:7::/tail:/bin/sh\n"
                                                       "seven:x:7:7::/home/seven:/bin/sh\n");
    fd = passwd_fd (text);
    ok (husk_passwd_home (fd, 7, home, sizeof home) && strcmp (home, "/home/seven") == 0,
        "the tail of an overlong line is no entry");
    close (fd);
  }
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
  is_str (err ? err->message : NULL,
          "exec: \"/nonexistent\": stat /nonexistent: no such file or directory",
          "worded as runc (docker run exits 127 on it)");
  husk_error_release (&err);
  chmod (file, 0644);
  ok (husk_process_lookup (file, env, out, &err) < 0 && err->errnum == EACCES,
      "a file without x bits is not executable");
  ok (err && strstr (err->message, "\": permission denied") != NULL,
      "worded as runc (docker run exits 126 on it)");
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
  test_passwd_home ();
  test_lookup ();
  return tap_done ();
}
