/* husk-rootfs-driver: tries husk_rootfs_setup on a bundle before the husk
 * CLI exists, the way the container's init will call it.
 *
 *   husk-rootfs-driver [--no-pivot] [--userns] [--before-pivot] [--cgroup2-host] BUNDLE CMD [ARG...]
 *
 * --cgroup2-host makes the driver's private mount namespace look like a
 * cgroup v2 host (the host's unified hierarchy bound on /sys/fs/cgroup).
 * --before-pivot passes a callback that writes "dev/before-pivot" relative
 * to its cwd (the rootfs, with the mounts in place), as a hook would.
 *
 * It forks a child that unshares the namespaces config.json asks for (a
 * user namespace with --userns, mapped from linux.uidMappings), forks pid 1
 * of the new pid namespace, which sets the rootfs up and execs CMD.  Every
 * mount lives in the child's private mount namespace: nothing is left on
 * the host.  Exit status: CMD's, or 125 when the setup failed (the error on
 * stderr). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../oci/cleanup.h"
#include "rootfs.h"

struct driver {
  const char *bundle;
  bool no_pivot, userns, before_pivot, cgroup2_host;
  char **argv;
  struct oci_config *config;
};

static int
fail (struct husk_error *err)
{
  fprintf (stderr, "husk-rootfs-driver: %s\n", err->message);
  husk_error_release (&err);
  return 125;
}

static int
unshare_flags (const struct oci_config *config)
{
  static const struct { enum oci_namespace_type type; int flag; } map[] = {
    { OCI_NS_NETWORK, CLONE_NEWNET }, { OCI_NS_IPC, CLONE_NEWIPC },
    { OCI_NS_UTS, CLONE_NEWUTS },     { OCI_NS_CGROUP, CLONE_NEWCGROUP },
  };
  int flags = CLONE_NEWNS | CLONE_NEWPID;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (oci_config_namespace (config, map[i].type))
      flags |= map[i].flag;
  return flags;
}

static void
write_file (const char *path, const char *text)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    fprintf (stderr, "husk-rootfs-driver: write %s: %s\n", path, strerror (errno));
}

static void
write_id_map (pid_t pid, const char *file, const struct oci_id_mapping *m, size_t len)
{
  char path[64], text[1024] = "";
  for (size_t i = 0; i < len; i++)
    snprintf (text + strlen (text), sizeof text - strlen (text), "%u %u %u\n",
              m[i].container_id, m[i].host_id, m[i].size);
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  write_file (path, text);
}

static int
before_pivot (void *data, struct husk_error **err)
{
  int fd = open ("dev/before-pivot", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return husk_error_set (err, errno, "before_pivot: create dev/before-pivot");
  close (fd);
  return 0;
}

/* Only in our private mount namespace: made a slave first so nothing
 * propagates back to the host. */
static int
fake_cgroup2_host (struct husk_error **err)
{
  if (mount (NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0
      || mount ("/sys/fs/cgroup/unified", "/sys/fs/cgroup", NULL, MS_BIND, NULL) < 0)
    return husk_error_set (err, errno, "--cgroup2-host");
  return 0;
}

/* pid 1 of the new pid namespace: the container's init, in short. */
static int
container_init (struct driver *d)
{
  struct husk_error *err = NULL;
  struct husk_rootfs_options opts = { .bundle = d->bundle, .no_pivot = d->no_pivot,
                                      .in_user_ns = d->userns };
  if (d->config->hostname)
    sethostname (d->config->hostname, strlen (d->config->hostname));
  if (d->cgroup2_host && fake_cgroup2_host (&err) < 0)
    return fail (err);
  if (husk_rootfs_setup (d->config, &opts, d->before_pivot ? before_pivot : NULL, NULL, &err)
      < 0)
    return fail (err);
  execvp (d->argv[0], d->argv);
  fprintf (stderr, "husk-rootfs-driver: exec %s: %s\n", d->argv[0], strerror (errno));
  return 127;
}

static int
wait_exit (pid_t pid)
{
  int status;
  if (waitpid (pid, &status, 0) < 0)
    return 125;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* The child: into the namespaces, then fork pid 1. */
static int
child (struct driver *d, int ready_fd, int go_fd)
{
  char c = 0;
  if (d->userns)
    {
      if (unshare (CLONE_NEWUSER) < 0)
        return perror ("unshare user"), 125;
      if (write (ready_fd, &c, 1) != 1 || read (go_fd, &c, 1) != 1)
        return 125;
      /* Become the namespace's root, so files we make have a mapped owner. */
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return perror ("setresuid"), 125;
    }
  if (unshare (unshare_flags (d->config)) < 0)
    return perror ("unshare"), 125;
  pid_t pid = fork ();
  if (pid < 0)
    return perror ("fork"), 125;
  if (pid == 0)
    _exit (container_init (d));
  return wait_exit (pid);
}

static int
run (struct driver *d)
{
  int ready[2], go[2];
  if (pipe (ready) < 0 || pipe (go) < 0)
    return perror ("pipe"), 125;
  pid_t pid = fork ();
  if (pid < 0)
    return perror ("fork"), 125;
  if (pid == 0)
    _exit (child (d, ready[1], go[0]));
  char c = 0;
  if (d->userns && read (ready[0], &c, 1) == 1)
    {
      const struct oci_linux *l = d->config->linux_;
      write_id_map (pid, "uid_map", l ? l->uid_mappings : NULL, l ? l->uid_mappings_len : 0);
      write_id_map (pid, "gid_map", l ? l->gid_mappings : NULL, l ? l->gid_mappings_len : 0);
      if (write (go[1], &c, 1) != 1)
        perror ("write");
    }
  return wait_exit (pid);
}

int
main (int argc, char **argv)
{
  struct driver d = { 0 };
  int i = 1;
  for (; i < argc && strncmp (argv[i], "--", 2) == 0; i++)
    if (strcmp (argv[i], "--no-pivot") == 0)
      d.no_pivot = true;
    else if (strcmp (argv[i], "--userns") == 0)
      d.userns = true;
    else if (strcmp (argv[i], "--before-pivot") == 0)
      d.before_pivot = true;
    else if (strcmp (argv[i], "--cgroup2-host") == 0)
      d.cgroup2_host = true;
  if (argc - i < 2)
    {
      fprintf (stderr, "usage: %s [--no-pivot] [--userns] [--before-pivot] [--cgroup2-host] BUNDLE CMD [ARG...]\n", argv[0]);
      return 2;
    }
  d.bundle = argv[i];
  d.argv = argv + i + 1;
  cleanup_free char *path = NULL;
  struct husk_error *err = NULL;
  if (asprintf (&path, "%s/config.json", d.bundle) < 0)
    return 125;
  if (oci_config_parse_file (path, &d.config, &err) < 0)
    return fail (err);
  int r = run (&d);
  oci_config_free (d.config);
  return r;
}
