/* Sections about who the process is: ids, capabilities, limits, uts,
 * process attributes, environment and the security flags. */
#include <grp.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "checker.h"
#include "cleanup.h"

extern char **environ;

void
checker_ids (yajl_gen g)
{
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  getresuid (&ruid, &euid, &suid);
  getresgid (&rgid, &egid, &sgid);
  json_str (g, "ids");
  yajl_gen_map_open (g);
  json_key_int (g, "uid", ruid);
  json_key_int (g, "euid", euid);
  json_key_int (g, "suid", suid);
  json_key_int (g, "gid", rgid);
  json_key_int (g, "egid", egid);
  json_key_int (g, "sgid", sgid);
  gid_t groups[256];
  int n = getgroups (256, groups);
  json_str (g, "groups");
  yajl_gen_array_open (g);
  for (int i = 0; i < n; i++)
    yajl_gen_integer (g, groups[i]);
  yajl_gen_array_close (g);
  cleanup_free char *umask_text = status_field ("Umask");
  json_key_str (g, "umask", umask_text);
  yajl_gen_map_close (g);
}

/* One capability set from /proc/self/status: the raw mask and the names of
 * the bits set, so a test can ask `.caps.effective | index("CAP_KILL")`. */
static void
emit_cap_set (yajl_gen g, const char *name, const char *status_key)
{
  cleanup_free char *hex = status_field (status_key);
  unsigned long long mask = hex ? strtoull (hex, NULL, 16) : 0;
  char key[64];
  snprintf (key, sizeof key, "%s_mask", name);
  json_key_str (g, key, hex);
  json_str (g, name);
  yajl_gen_array_open (g);
  for (int bit = 0; bit < 64; bit++)
    if (mask & (1ULL << bit))
      {
        char *cap = cap_to_name (bit); /* libcap memory: cap_free */
        for (char *c = cap; c && *c; c++)
          *c = (char) (*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        json_str (g, cap);
        cap_free (cap);
      }
  yajl_gen_array_close (g);
}

void
checker_caps (yajl_gen g)
{
  json_str (g, "caps");
  yajl_gen_map_open (g);
  emit_cap_set (g, "inheritable", "CapInh");
  emit_cap_set (g, "permitted", "CapPrm");
  emit_cap_set (g, "effective", "CapEff");
  emit_cap_set (g, "bounding", "CapBnd");
  emit_cap_set (g, "ambient", "CapAmb");
  yajl_gen_map_close (g);
}

/* The checker keeps its own name -> RLIMIT_* table on purpose: it judges
 * what husk did, so it must not share husk's table (oci_rlimit_names), or
 * a wrong entry there would pass unseen. */
static const struct
{
  const char *name;
  int resource;
} rlimits[] = {
  { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

/* Limits are uint64 in the spec (unlimited = 2^64-1): written as JSON
 * numbers so they compare equal to the config's values in jq. */
static void
emit_limit (yajl_gen g, const char *key, rlim_t value)
{
  char num[32];
  int len = snprintf (num, sizeof num, "%llu", (unsigned long long) value);
  json_str (g, key);
  yajl_gen_number (g, num, (size_t) len);
}

void
checker_rlimits (yajl_gen g)
{
  json_str (g, "rlimits");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++)
    {
      struct rlimit rl;
      if (getrlimit (rlimits[i].resource, &rl) < 0)
        continue;
      json_str (g, rlimits[i].name);
      yajl_gen_map_open (g);
      emit_limit (g, "soft", rl.rlim_cur);
      emit_limit (g, "hard", rl.rlim_max);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
}

void
checker_uts (yajl_gen g)
{
  struct utsname u;
  if (uname (&u) < 0)
    return;
  json_key_str (g, "hostname", u.nodename);
  json_key_str (g, "domainname", u.domainname);
}

static void
emit_file_int (yajl_gen g, const char *key, const char *path)
{
  cleanup_free char *text = read_text (path);
  if (text)
    json_key_int (g, key, atoll (text));
  else
    json_key_str (g, key, NULL);
}

void
checker_process (yajl_gen g)
{
  char cwd[4096];
  json_key_int (g, "pid", getpid ());
  json_key_int (g, "ppid", getppid ());
  json_key_int (g, "pgid", getpgrp ());
  json_key_int (g, "sid", getsid (0));
  json_key_str (g, "cwd", getcwd (cwd, sizeof cwd));
  json_key_str (g, "tty", isatty (0) ? ttyname (0) : NULL);
  json_key_bool (g, "stdout_tty", isatty (1));
  emit_file_int (g, "oom_score_adj", "/proc/self/oom_score_adj");
  cleanup_free char *comm = read_text ("/proc/self/comm");
  if (comm)
    comm[strcspn (comm, "\n")] = '\0';
  json_key_str (g, "comm", comm);
}

void
checker_env (yajl_gen g)
{
  json_str (g, "env");
  yajl_gen_array_open (g);
  for (char **e = environ; e && *e; e++)
    json_str (g, *e);
  yajl_gen_array_close (g);
}

/* The serial of the session keyring, without creating one: a runtime that
 * honours --no-new-keyring leaves the caller's keyring in place. */
static long
session_keyring (void)
{
  return syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
}

void
checker_security (yajl_gen g)
{
  cleanup_free char *seccomp = status_field ("Seccomp");
  cleanup_free char *filters = status_field ("Seccomp_filters");
  json_key_int (g, "seccomp", seccomp ? atoi (seccomp) : -1);
  json_key_int (g, "seccomp_filters", filters ? atoi (filters) : -1);
  json_key_int (g, "no_new_privs", prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  json_key_int (g, "dumpable", prctl (PR_GET_DUMPABLE, 0, 0, 0, 0));
  json_key_int (g, "session_keyring", session_keyring ());
}
