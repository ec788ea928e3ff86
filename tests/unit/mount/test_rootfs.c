/* husk_rootfs_setup on a real busybox bundle, through husk-rootfs-driver
 * (private mount, pid, net... namespaces): what the container's process
 * sees, and that nothing lands on the host.  Needs root and
 * /bin/busybox; skipped otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../oci/cleanup.h"
#include "tap.h"

static char tmp[] = "/tmp/husk-rootfs-test-XXXXXX";
static const char *driver;

#define BASE_MOUNTS                                                                                \
  "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"                             \
  "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","                             \
  "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"                        \
  "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":"            \
  "[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"             \
  "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","                            \
  "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"                   \
  "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","                     \
  "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"                                                 \
  "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","                              \
  "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"                                          \
  "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","                  \
  "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}"

#define BASE_LINUX                                                                                 \
  "\"maskedPaths\":[\"/proc/kcore\",\"/proc/keys\",\"/proc/timer_list\",\"/sys/firmware\","        \
  "\"/proc/nonexistent\"],"                                                                        \
  "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/sys\",\"/proc/sysrq-trigger\"]"

static void
write_text (const char *path, const char *text)
{
  cleanup_fclose FILE *f = fopen (path, "we");
  if (f == NULL || fputs (text, f) < 0)
    ok (false, "write %s: %s", path, strerror (errno));
}

static void
run_sh (const char *fmt, ...)
{
  cleanup_free char *cmd = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&cmd, fmt, ap) < 0 || system (cmd) != 0)
    ok (false, "shell: %s", cmd ? cmd : fmt);
  va_end (ap);
}

/* A busybox bundle at tmp/<name>: extra mounts and linux keys are JSON
 * text appended to the defaults (runc spec's). */
static char *
make_bundle (const char *name, bool readonly, const char *mounts, const char *namespaces,
             const char *linux_extra)
{
  char *bundle = NULL, *config = NULL, *json = NULL;
  if (asprintf (&bundle, "%s/%s", tmp, name) < 0)
    return NULL;
  run_sh ("mkdir -p %s/rootfs/bin %s/rootfs/etc && cp /bin/busybox %s/rootfs/bin/ && "
          "for c in sh cat ls stat readlink touch grep mkdir hostname; do "
          "ln -sf busybox %s/rootfs/bin/$c; done",
          bundle, bundle, bundle, bundle);
  if (asprintf (&json,
                "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":%s},"
                "\"hostname\":\"husk\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
                "\"user\":{\"uid\":0,\"gid\":0}},\"mounts\":[" BASE_MOUNTS "%s],"
                "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},"
                "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}%s]," BASE_LINUX
                "%s}}",
                readonly ? "true" : "false", mounts, namespaces, linux_extra) < 0
      || asprintf (&config, "%s/config.json", bundle) < 0)
    return bundle;
  write_text (config, json);
  free (json);
  free (config);
  return bundle;
}

/* Runs `script` in the container; its stdout and stderr go to *out. */
static int
run_container_flags (const char *bundle, const char *const *flags, const char *script,
                     char **out)
{
  cleanup_free char *log = NULL;
  if (asprintf (&log, "%s/out.log", bundle) < 0)
    return -1;
  pid_t pid = fork ();
  if (pid == 0)
    {
      int fd = open (log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      dup2 (fd, 1);
      dup2 (fd, 2);
      const char *argv[16] = { driver };
      size_t n = 1;
      for (; flags && *flags && n < 10; flags++)
        argv[n++] = *flags;
      const char *rest[] = { bundle, "sh", "-c", script, NULL };
      memcpy (argv + n, rest, sizeof rest);
      execv (driver, (char **) argv);
      _exit (127);
    }
  int status;
  waitpid (pid, &status, 0);
  cleanup_fclose FILE *f = fopen (log, "re");
  size_t len = 0;
  *out = NULL;
  if (f == NULL || getdelim (out, &len, '\0', f) < 0)
    {
      free (*out);
      *out = strdup ("");
    }
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static void
diag (const char *out)
{
  for (const char *line = out; *line;)
    {
      size_t n = strcspn (line, "\n");
      printf ("#   %.*s\n", (int) n, line);
      line += n + (line[n] == '\n');
    }
}

static int
run_container (const char *bundle, const char *flag, const char *script, char **out)
{
  const char *flags[] = { flag, NULL };
  return run_container_flags (bundle, flags, script, out);
}

static bool
has (const char *out, const char *needle)
{
  bool r = strstr (out, needle) != NULL;
  if (!r)
    {
      printf ("# missing \"%s\" in:\n", needle);
      diag (out);
    }
  return r;
}

static void
test_defaults (void)
{
  cleanup_free char *bundle = make_bundle ("defaults", true, "", "", "");
  cleanup_free char *out = NULL;
  int r = run_container (bundle, NULL,
                         "cat /proc/self/mountinfo; stat -c 'null=%F %t:%T %a' /dev/null;"
                         "readlink /dev/ptmx; readlink /dev/fd; readlink /dev/stdin; touch /x || echo root-ro;"
                         "echo keys=$(cat /proc/keys); pwd; ls /sys/firmware | grep -c .; true",
                         &out);
  if (!is_int (r, 0, "default bundle runs"))
    diag (out);
  ok (has (out, " / ro,"), "root.readonly: / is read-only");
  ok (has (out, "Read-only file system") && has (out, "root-ro"), "and writing there fails");
  ok (has (out, " /proc rw,") && has (out, "- proc proc"), "/proc is a proc");
  ok (has (out, " /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755"), "/dev is the tmpfs");
  ok (has (out, " /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666"),
      "/dev/pts is a new devpts instance");
  ok (has (out, " /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm"), "/dev/shm");
  ok (has (out, " /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue"), "/dev/mqueue");
  ok (has (out, " /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro"), "/sys is sysfs, ro");
  ok (has (out, " /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs"),
      "/sys/fs/cgroup is a read-only tmpfs (v1) or cgroup2");
  ok (has (out, "null=character special file 1:3 666"), "/dev/null is the null device, 0666");
  ok (has (out, "pts/ptmx\n/proc/self/fd\n/proc/self/fd/0\n"), "/dev symlinks");
  ok (has (out, " /proc/sys ro,"), "readonlyPaths: /proc/sys is read-only");
  ok (has (out, " /proc/keys rw,nosuid - tmpfs tmpfs") && has (out, "keys=\n"),
      "maskedPaths: /proc/keys is /dev/null");
  ok (has (out, " /sys/firmware ro,relatime - tmpfs tmpfs ro") && has (out, "\n0\n"),
      "maskedPaths: /sys/firmware is an empty read-only tmpfs");
  ok (has (out, "\n/\n"), "the cwd is /");
}

static void
test_binds (void)
{
  cleanup_free char *mounts = NULL;
  if (asprintf (&mounts,
                ",{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"%s/host-data\","
                "\"options\":[\"rbind\",\"ro\",\"nosuid\"]},"
                "{\"destination\":\"/etc/one-file\",\"source\":\"host-file\","
                "\"options\":[\"bind\"]},"
                "{\"destination\":\"/rro\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
                "\"options\":[\"rro\",\"rshared\"]}",
                tmp) < 0)
    return;
  run_sh ("mkdir -p %s/host-data && echo data > %s/host-data/f", tmp, tmp);
  cleanup_free char *bundle = make_bundle ("binds", false, mounts, "", "");
  run_sh ("echo relative > %s/host-file", bundle);
  cleanup_free char *out = NULL;
  int r = run_container (bundle, NULL,
                         "cat /data/f /etc/one-file; grep -E ' /data | /etc/one-file | /rro ' "
                         "/proc/self/mountinfo; touch /data/x || echo data-ro",
                         &out);
  is_int (r, 0, "bind mounts run");
  ok (has (out, "data\nrelative\n"), "a dir bind and a file bind (relative to the bundle)");
  ok (has (out, " /data ro,nosuid,"), "bind,ro,nosuid is remounted with its flags");
  ok (has (out, "data-ro"), "and is read-only");
  ok (has (out, " /etc/one-file rw,"), "a plain bind stays rw");
  ok (has (out, " /rro ro,relatime shared:"), "rro (mount_setattr) and rshared after the mount");
}

/* A planted symlink or a ../ destination never makes a mount land on the
 * host: it lands inside the rootfs. */
static void
test_escapes (void)
{
  cleanup_free char *mounts = NULL, *outside = NULL, *script = NULL;
  if (asprintf (&outside, "%s/outside", tmp) < 0
      || asprintf (&mounts,
                   ",{\"destination\":\"/evil/sub\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
                   "{\"destination\":\"/../../../../%s/up\",\"type\":\"tmpfs\","
                   "\"source\":\"tmpfs\"}",
                   outside) < 0
      || asprintf (&script, "grep -E ' %s/(sub|up) ' /proc/self/mountinfo", outside) < 0)
    return;
  run_sh ("mkdir -p %s", outside);
  cleanup_free char *bundle = make_bundle ("escapes", false, mounts, "", "");
  run_sh ("ln -s %s %s/rootfs/evil", outside, bundle);
  cleanup_free char *out = NULL;
  int r = run_container (bundle, NULL, script, &out);
  if (!is_int (r, 0, "mounts through planted symlinks run"))
    diag (out);
  struct stat st;
  char path[4200];
  snprintf (path, sizeof path, "%s/sub", outside);
  ok (lstat (path, &st) < 0, "nothing was created through the absolute symlink on the host");
  snprintf (path, sizeof path, "%s/up", outside);
  ok (lstat (path, &st) < 0, "nor through ../");
  snprintf (path, sizeof path, "%s/rootfs%s/sub", bundle, outside);
  ok (lstat (path, &st) == 0, "the symlink was followed inside the rootfs");
  ok (has (out, "/sub rw") && has (out, "/up rw"), "the container has both mounts");
}

static void
test_tmpcopyup (void)
{
  cleanup_free char *bundle
      = make_bundle ("copyup", false,
                     ",{\"destination\":\"/etc/app\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
                     "\"options\":[\"tmpcopyup\",\"nosuid\"]}",
                     "", "");
  run_sh ("mkdir -p %s/rootfs/etc/app/sub && echo hi > %s/rootfs/etc/app/sub/hello && "
          "ln -s sub/hello %s/rootfs/etc/app/link && chmod 0750 %s/rootfs/etc/app",
          bundle, bundle, bundle, bundle);
  cleanup_free char *out = NULL;
  int r = run_container (bundle, NULL,
                         "cat /etc/app/link; stat -c 'mode=%a' /etc/app; "
                         "grep ' /etc/app ' /proc/self/mountinfo",
                         &out);
  is_int (r, 0, "tmpcopyup runs");
  ok (has (out, "hi\nmode=750\n"), "the tmpfs holds a copy of what it hides, mode kept");
  ok (has (out, " /etc/app rw,nosuid,relatime - tmpfs tmpfs"), "on a tmpfs");
}

static void
test_errors (void)
{
  cleanup_free char *bundle
      = make_bundle ("errors", false,
                     ",{\"destination\":\"/x\",\"type\":\"nosuchfs\",\"source\":\"x\","
                     "\"options\":[\"nosuid\",\"nodev\",\"size=1\"]}",
                     "", "");
  cleanup_free char *out = NULL;
  int r = run_container (bundle, NULL, "true", &out);
  is_int (r, 125, "an unknown filesystem fails the setup");
  ok (has (out, "mount \"x\" on \"/x\" (nosuchfs, nosuid|nodev, \"size=1\"): No such device"),
      "the error names source, target, type, flags and data");
}

static void
test_devices_sysctl (void)
{
  cleanup_free char *bundle = make_bundle (
      "devices", false, "", "",
      ",\"devices\":[{\"path\":\"/dev/mynull\",\"type\":\"c\",\"major\":1,\"minor\":3,"
      "\"fileMode\":384,\"uid\":1,\"gid\":2},{\"path\":\"/dev/sub/fifo\",\"type\":\"p\"}],"
      "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"kernel/shm_rmid_forced\":\"1\"}");
  cleanup_free char *out = NULL;
  int r = run_container (bundle, NULL,
                         "stat -c '%n %F %t:%T %a %u:%g' /dev/mynull /dev/sub/fifo;"
                         "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced",
                         &out);
  if (!is_int (r, 0, "linux.devices and sysctl run"))
    diag (out);
  ok (has (out, "/dev/mynull character special file 1:3 600 1:2"), "a char device, mode, owner");
  ok (has (out, "/dev/sub/fifo fifo 0:0 666 0:0"), "a fifo in a new directory");
  ok (has (out, "\n1\n1\n"), "sysctl keys with dots and with slashes are written");
}

static void
test_userns (void)
{
  cleanup_free char *bundle = make_bundle (
      "userns", true, "", ",{\"type\":\"user\"}",
      ",\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
      "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]");
  run_sh ("chown -R 100000:100000 %s/rootfs", bundle);
  cleanup_free char *out = NULL;
  int r = run_container (bundle, "--userns",
                         "grep -E ' /dev/null | / ' /proc/self/mountinfo; "
                         "stat -c '%F %t:%T' /dev/null; echo x > /dev/null && echo null-ok",
                         &out);
  if (!is_int (r, 0, "in a user namespace"))
    diag (out);
  ok (has (out, "/null /dev/null "), "devices are binds of the host's nodes");
  ok (has (out, "character special file 1:3\nnull-ok"), "that work");
  ok (has (out, " / ro,"), "the root is still made read-only");
}

/* Only root mapped: devpts's gid=5 names no group here (EINVAL); the
 * mount is retried without it. */
static void
test_userns_one_id (void)
{
  cleanup_free char *bundle = make_bundle (
      "userns1", false, "", ",{\"type\":\"user\"}",
      ",\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1}],"
      "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1}]");
  run_sh ("chown -R 100000:100000 %s/rootfs", bundle);
  cleanup_free char *out = NULL;
  int r = run_container (bundle, "--userns", "grep ' /dev/pts ' /proc/self/mountinfo", &out);
  if (!is_int (r, 0, "a user namespace mapping only root"))
    diag (out);
  ok (has (out, " - devpts devpts rw,mode=620,ptmxmode=666"), "devpts is mounted without gid=");
}

static void
test_idmap_nopivot (void)
{
  cleanup_free char *mounts = NULL;
  run_sh ("mkdir -p %s/idsrc && touch %s/idsrc/f", tmp, tmp);
  if (asprintf (&mounts,
                ",{\"destination\":\"/id\",\"type\":\"bind\",\"source\":\"%s/idsrc\","
                "\"options\":[\"rbind\",\"idmap\"],"
                "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                "\"gidMappings\":[{\"containerID\":0,\"hostID\":2000,\"size\":1}]}",
                tmp) < 0)
    return;
  cleanup_free char *bundle = make_bundle ("idmap", false, mounts, "", "");
  cleanup_free char *out = NULL;
  int r = run_container (bundle, "--no-pivot", "stat -c 'owner=%u:%g' /id/f; ls /", &out);
  if (!is_int (r, 0, "an idmapped bind with --no-pivot"))
    diag (out);
  ok (has (out, "owner=1000:2000"), "the mount maps the owner");
  ok (has (out, "bin\ndev\netc\nid\nproc\nsys\n"), "MS_MOVE + chroot: / is the rootfs");
}

/* The createContainer-hook point, a cgroup namespace (fresh hierarchy
 * mounts instead of binds) and linux.rootfsPropagation. */
static void
test_before_pivot_cgroupns (void)
{
  cleanup_free char *bundle = make_bundle ("cgroupns", false, "", ",{\"type\":\"cgroup\"}",
                                           ",\"rootfsPropagation\":\"rprivate\"");
  cleanup_free char *out = NULL;
  int r = run_container (bundle, "--before-pivot",
                         "ls /dev/before-pivot; grep -E ' /sys/fs/cgroup/[a-z]+ ' "
                         "/proc/self/mountinfo",
                         &out);
  if (!is_int (r, 0, "before_pivot, a cgroup namespace, rprivate"))
    diag (out);
  ok (has (out, "/dev/before-pivot\n"), "before_pivot ran in the rootfs with /dev mounted");
  ok (has (out, " / /sys/fs/cgroup/pids ro,nosuid,nodev,noexec,relatime - cgroup cgroup"),
      "in a cgroup namespace each hierarchy is mounted fresh, read-only");
  ok (!strstr (out, "shared:") && !strstr (out, "master:"), "rprivate: no propagation");
}

/* runtime-spec 1.1: a device "MAY be anywhere", notably outside /dev;
 * "../" cannot lead it out of the rootfs. */
static void
test_device_outside_dev (void)
{
  cleanup_free char *bundle = make_bundle (
      "outdev", false, "", "",
      ",\"devices\":[{\"path\":\"/etc/../../../devnull\",\"type\":\"c\",\"major\":1,\"minor\":3}]");
  cleanup_free char *out = NULL;
  int r = run_container (bundle, NULL, "test -c /devnull && echo made", &out);
  ok (r == 0 && has (out, "made"), "a device outside /dev is made inside the rootfs");
}

/* A cgroup v2 host (faked by the driver in its own mount namespace): a
 * cgroup2 mount, or in a user namespace a bind of the container's cgroup. */
static void
test_cgroup2 (void)
{
  static const char *const root[] = { "--cgroup2-host", NULL };
  static const char *const userns[] = { "--cgroup2-host", "--userns", NULL };
  const char *const *flags[] = { root, userns };
  for (size_t i = 0; i < 2; i++)
    {
      cleanup_free char *bundle = make_bundle (
          i ? "cgroup2-userns" : "cgroup2", false, "", i ? ",{\"type\":\"user\"}" : "",
          i ? ",\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
              "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]"
            : "");
      run_sh ("chown -R 100000:100000 %s/rootfs", bundle);
      cleanup_free char *out = NULL;
      int r = run_container_flags (bundle, flags[i], "grep ' /sys/fs/cgroup ' /proc/self/mountinfo",
                                   &out);
      if (!is_int (r, 0, "cgroup v2 host%s", i ? ", user namespace" : ""))
        diag (out);
      ok (has (out, " /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 "),
          "/sys/fs/cgroup is a read-only cgroup2 (%s)", i ? "a bind" : "mounted");
    }
}

/* runc's checkProcMount: only a proc on /proc, only lxcfs's files in it,
 * even through a symlink. */
static void
test_proc_destinations (void)
{
  static const struct { const char *dest, *what; bool allowed; } cases[] = {
    { "/proc/cpuinfo", "a bind on /proc/cpuinfo (lxcfs) is allowed", true },
    { "/proc/sys/kernel/core_pattern", "a bind inside /proc is refused", false },
    { "/evil/attr/current", "even through a symlink to /proc/self", false },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *mounts = NULL, *name = NULL, *bundle = NULL, *out = NULL;
      if (asprintf (&mounts, ",{\"destination\":\"%s\",\"source\":\"/etc/hostname\","
                             "\"options\":[\"bind\"]}", cases[i].dest) < 0
          || asprintf (&name, "proc%zu", i) < 0)
        return;
      bundle = make_bundle (name, false, mounts, "", "");
      run_sh ("ln -s /proc/self %s/rootfs/evil", bundle);
      int r = run_container (bundle, NULL, "true", &out);
      if (cases[i].allowed)
        ok (r == 0, "%s", cases[i].what);
      else
        ok (r == 125 && has (out, "inside /proc"), "%s", cases[i].what);
    }
}

static char *
host_mounts (void)
{
  cleanup_fclose FILE *f = fopen ("/proc/self/mountinfo", "re");
  char *text = NULL;
  size_t len = 0;
  if (f == NULL || getdelim (&text, &len, '\0', f) < 0)
    {
      free (text);
      return strdup ("");
    }
  return text;
}

int
main (void)
{
  driver = getenv ("HUSK_ROOTFS_DRIVER");
  if (geteuid () != 0 || access ("/bin/busybox", X_OK) != 0 || driver == NULL)
    {
      printf ("1..0 # SKIP needs root, /bin/busybox and HUSK_ROOTFS_DRIVER\n");
      return 0;
    }
  /* 0755: a user namespace's root (host uid 100000) must reach the bundle. */
  if (mkdtemp (tmp) == NULL || chmod (tmp, 0755) < 0)
    return 1;
  test_defaults ();
  test_binds ();
  test_escapes ();
  test_tmpcopyup ();
  test_errors ();
  test_devices_sysctl ();
  test_userns ();
  test_userns_one_id ();
  test_idmap_nopivot ();
  test_before_pivot_cgroupns ();
  test_device_outside_dev ();
  test_proc_destinations ();
  test_cgroup2 ();
  /* Only our own paths: other tests may mount elsewhere meanwhile. */
  cleanup_free char *after = host_mounts ();
  ok (strstr (after, tmp) == NULL, "no mount under %s is left on the host", tmp);
  run_sh ("rm -rf %s", tmp);
  return tap_done ();
}
