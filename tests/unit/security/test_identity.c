/* Applies identities in forked children (as root) and compares
 * /proc/self/status with the masks the config asks for; also checks what
 * survives an execve, and the parent-side validation message. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../runtime/security/identity.h"
#include "tap.h"

#define BIT(c) (UINT64_C (1) << (c))

/* Runs apply (and with `exec`, then `cat /proc/self/status`) in a child;
 * returns the status text or NULL. */
static char *
status_after (const struct oci_process *p, bool exec)
{
  static char buf[8192];
  int fds[2], st;
  ssize_t n, total = 0;
  pid_t pid;

  if (pipe (fds) < 0)
    return NULL;
  pid = fork ();
  if (pid == 0)
    {
      struct husk_error *err = NULL;
      int fd;
      close (fds[0]);
      if (husk_identity_apply (p, &err) < 0)
        {
          dprintf (fds[1], "ERROR %s", err->message);
          _exit (1);
        }
      if (exec)
        {
          dup2 (fds[1], 1);
          execl ("/bin/cat", "cat", "/proc/self/status", (char *) NULL);
          _exit (127);
        }
      fd = open ("/proc/self/status", O_RDONLY);
      while ((n = read (fd, buf, sizeof buf)) > 0)
        (void) !write (fds[1], buf, (size_t) n);
      _exit (0);
    }
  close (fds[1]);
  while ((n = read (fds[0], buf + total, sizeof buf - 1 - (size_t) total)) > 0)
    total += n;
  buf[total] = '\0';
  close (fds[0]);
  waitpid (pid, &st, 0);
  return buf;
}

/* The value after "Field:" in a status text, as text. */
static const char *
field (const char *status, const char *name, char *out, size_t size)
{
  char key[32];
  const char *p;
  size_t len;

  snprintf (key, sizeof key, "\n%s:", name);
  p = strstr (status, key);
  if (p == NULL)
    return "";
  p += strlen (key);
  p += strspn (p, " \t");
  len = strcspn (p, "\n");
  if (len >= size)
    len = size - 1;
  memcpy (out, p, len);
  out[len] = '\0';
  while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\t'))
    out[--len] = '\0';
  return out;
}

static uint64_t
mask_field (const char *status, const char *name)
{
  char v[64];
  return strtoull (field (status, name, v, sizeof v), NULL, 16);
}

static void
check_mask (const char *status, const char *name, uint64_t want, const char *what)
{
  uint64_t got = mask_field (status, name);
  if (!ok (got == want, "%s: %s", what, name))
    printf ("#   got %016" PRIx64 " want %016" PRIx64 "\n", got, want);
}

static char *bnd[] = { "CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_KILL", NULL };
static char *eff[] = { "CAP_CHOWN", "CAP_NET_BIND_SERVICE", NULL };
static char *prm[] = { "CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL", NULL };
static char *inh[] = { "CAP_NET_BIND_SERVICE", "CAP_KILL", NULL };
static char *amb[] = { "cap_net_bind_service", NULL };

static struct oci_capabilities caps = {
  .bounding = bnd, .bounding_len = 4, .effective = eff, .effective_len = 2,
  .permitted = prm, .permitted_len = 3, .inheritable = inh, .inheritable_len = 2,
  .ambient = amb, .ambient_len = 1,
};

static void
test_non_root (void)
{
  uint32_t gids[] = { 1001, 1002 };
  struct oci_process p = { .capabilities = &caps,
                           .user = { .uid = 1000, .gid = 1000, .umask = { true, 027 },
                                     .additional_gids = gids, .additional_gids_len = 2 } };
  const char *s = status_after (&p, false);
  char v[128];

  if (!ok (s && strncmp (s, "ERROR", 5) != 0, "apply uid 1000 with capabilities"))
    printf ("#   %s\n", s ? s : "");
  is_str (field (s, "Uid", v, sizeof v), "1000\t1000\t1000\t1000", "uid (real, effective, saved, fs)");
  is_str (field (s, "Gid", v, sizeof v), "1000\t1000\t1000\t1000", "gid");
  is_str (field (s, "Groups", v, sizeof v), "1001 1002", "additionalGids");
  is_str (field (s, "Umask", v, sizeof v), "0027", "umask");
  check_mask (s, "CapBnd", BIT (CAP_CHOWN) | BIT (CAP_NET_BIND_SERVICE) | BIT (CAP_SETUID) | BIT (CAP_KILL), "uid 1000");
  check_mask (s, "CapEff", BIT (CAP_CHOWN) | BIT (CAP_NET_BIND_SERVICE), "uid 1000");
  check_mask (s, "CapPrm", BIT (CAP_CHOWN) | BIT (CAP_NET_BIND_SERVICE) | BIT (CAP_KILL), "uid 1000");
  check_mask (s, "CapInh", BIT (CAP_NET_BIND_SERVICE) | BIT (CAP_KILL), "uid 1000");
  check_mask (s, "CapAmb", BIT (CAP_NET_BIND_SERVICE), "uid 1000");

  /* After execve a non-root process keeps only what is ambient. */
  s = status_after (&p, true);
  check_mask (s, "CapEff", BIT (CAP_NET_BIND_SERVICE), "after exec as uid 1000");
  check_mask (s, "CapPrm", BIT (CAP_NET_BIND_SERVICE), "after exec as uid 1000");
  check_mask (s, "CapAmb", BIT (CAP_NET_BIND_SERVICE), "after exec as uid 1000");
  check_mask (s, "CapInh", BIT (CAP_NET_BIND_SERVICE) | BIT (CAP_KILL), "after exec as uid 1000");
}

static void
test_root_and_none (void)
{
  struct oci_process p = { .capabilities = &caps };
  const char *s = status_after (&p, true);
  char v[64];

  /* Root gets its bounding set back on execve (no file caps needed). */
  check_mask (s, "CapEff", BIT (CAP_CHOWN) | BIT (CAP_NET_BIND_SERVICE) | BIT (CAP_SETUID) | BIT (CAP_KILL), "after exec as root");
  check_mask (s, "CapBnd", BIT (CAP_CHOWN) | BIT (CAP_NET_BIND_SERVICE) | BIT (CAP_SETUID) | BIT (CAP_KILL), "after exec as root");
  is_str (field (s, "Umask", v, sizeof v), "0022", "umask defaults to 0022");
  is_str (field (s, "Groups", v, sizeof v), "", "no additionalGids: no groups");

  p.capabilities = NULL;
  p.user.uid = 65534, p.user.gid = 65534;
  s = status_after (&p, false);
  check_mask (s, "CapEff", 0, "no capabilities object");
  check_mask (s, "CapPrm", 0, "no capabilities object");
  check_mask (s, "CapBnd", 0, "no capabilities object");
}

static void
test_validate (void)
{
  char *bad[] = { "CAP_CHOWN", "CAP_FOO", NULL };
  char *num[] = { "12", NULL };
  struct oci_capabilities c = { .bounding = bad, .bounding_len = 2 };
  char *w;

  ok (husk_caps_unknown (&caps, "process.capabilities") == NULL, "known names: no warning");
  w = husk_caps_unknown (&c, "process.capabilities");
  is_str (w, "ignoring unknown capabilities: process.capabilities.bounding[1] \"CAP_FOO\"",
          "the warning names the path and the capability");
  free (w);
  c = (struct oci_capabilities) { .ambient = num, .ambient_len = 1, .bounding = bad,
                                  .bounding_len = 2, .effective = bad, .effective_len = 2 };
  w = husk_caps_unknown (&c, "process.capabilities");
  is_str (w, "ignoring unknown capabilities: process.capabilities.bounding[1] \"CAP_FOO\", "
             "process.capabilities.ambient[0] \"12\"",
          "every unknown one once; numbers are not capability names");
  free (w);
  is_int (husk_cap_from_name ("CAP_SYS_ADMIN"), CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
  ok (husk_caps_unknown (NULL, "process.capabilities") == NULL, "no capabilities: no warning");
}

static int
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  int r = fd >= 0 && write (fd, text, strlen (text)) == (ssize_t) strlen (text) ? 0 : -1;
  if (fd >= 0)
    close (fd);
  return r;
}

/* A child in a new user namespace whose setgroups file says "deny" (what
 * an unprivileged runtime gets) applies `p`; returns the error message or
 * "" on success. */
static char *
apply_in_userns_deny (const struct oci_process *p)
{
  static char msg[512];
  int go[2], res[2], st;
  char path[64], c;
  ssize_t n;
  pid_t pid;

  if (pipe (go) < 0 || pipe (res) < 0)
    return NULL;
  pid = fork ();
  if (pid == 0)
    {
      struct husk_error *err = NULL;
      close (go[1]), close (res[0]);
      if (unshare (CLONE_NEWUSER) < 0)
        _exit (2);
      (void) !write (res[1], "u", 1);
      if (read (go[0], &c, 1) != 1)
        _exit (3);
      if (husk_identity_apply (p, &err) < 0)
        (void) !write (res[1], err->message, strlen (err->message));
      _exit (0);
    }
  close (go[0]), close (res[1]);
  if (read (res[0], &c, 1) == 1)
    {
      snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
      write_file (path, "deny");
      snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
      write_file (path, "0 100000 65536");
      snprintf (path, sizeof path, "/proc/%d/gid_map", (int) pid);
      write_file (path, "0 100000 65536");
    }
  (void) !write (go[1], "g", 1);
  n = read (res[0], msg, sizeof msg - 1);
  msg[n < 0 ? 0 : n] = '\0';
  close (go[1]), close (res[0]);
  waitpid (pid, &st, 0);
  return WIFEXITED (st) && WEXITSTATUS (st) == 0 ? msg : NULL;
}

static void
test_userns_setgroups_denied (void)
{
  uint32_t gids[] = { 1001 };
  struct oci_process p = { .capabilities = &caps, .user = { .uid = 1000, .gid = 1000 } };

  is_str (apply_in_userns_deny (&p), "",
          "setgroups denied in the user namespace: skipped when no additionalGids");
  p.user.additional_gids = gids, p.user.additional_gids_len = 1;
  is_str (apply_in_userns_deny (&p),
          "process.user.additionalGids: cannot be set: setgroups is denied in this user namespace: Operation not permitted",
          "asking for additionalGids there is an error");
}

int
main (void)
{
  test_validate ();
  if (geteuid () != 0)
    printf ("# skipping apply tests: not root\n");
  else
    {
      test_non_root ();
      test_root_and_none ();
      test_userns_setgroups_denied ();
    }
  return tap_done ();
}
