/* /dev inside the container: the default devices every runtime gives
 * (null zero full random urandom tty), linux.devices, the /dev symlinks and
 * /dev/ptmx -> pts/ptmx.  A user namespace may not mknod: there each
 * device is a bind of the host's node onto an empty file, as in runc. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs_internal.h"
#include "safe_path.h"

struct device {
  const char *path;
  mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct device default_devices[] = {
  { "/dev/null", S_IFCHR, 1, 3, 0666, 0, 0 },    { "/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0 },
  { "/dev/full", S_IFCHR, 1, 7, 0666, 0, 0 },    { "/dev/random", S_IFCHR, 1, 8, 0666, 0, 0 },
  { "/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0 }, { "/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0 },
};

static int
bind_host_device (const struct rootfs_ctx *ctx, const struct device *d, struct husk_error **err)
{
  cleanup_close int fd = husk_safe_create (ctx->root_fd, d->path, HUSK_SAFE_FILE, err);
  if (fd < 0)
    return -1;
  return husk_mount_fd (d->path, fd, d->path, NULL, MS_BIND, NULL, err);
}

/* Who mknod in a directory makes a node's owner: our ids, the
 * directory's group where it is set-group-ID.  Asked once for the /dev
 * of the defaults, so a node already owned as wanted needs no chown. */
struct node_owner {
  bool known;
  uid_t uid;
  gid_t gid;
};

static void
owner_in (int dir, struct node_owner *o)
{
  struct stat st;
  o->known = fstat (dir, &st) == 0;
  o->uid = geteuid ();
  o->gid = o->known && (st.st_mode & S_ISGID) ? st.st_gid : getegid ();
}

/* The node `name` of d in the directory dir (`owner`: who makes it there,
 * NULL when not known). */
static int
make_node_in (int dir, const char *name, const struct device *d, const struct node_owner *owner,
              struct husk_error **err)
{
  /* An image's own node stays, as with runc. */
  if (mknodat (dir, name, d->type | (d->mode & 07777), makedev (d->major, d->minor)) < 0)
    return errno == EEXIST ? 0 : husk_error_set (err, errno, "mknod \"%s\" (%u:%u)", d->path,
                                                 d->major, d->minor);
  bool owned = owner && owner->known && owner->uid == d->uid && owner->gid == d->gid;
  if (!owned && fchownat (dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return husk_error_set (err, errno, "chown \"%s\" to %u:%u", d->path, d->uid, d->gid);
  /* the umask is 0 here (husk_devices_setup), so mknod gave the mode
   * whole; chmod only for the bits it never sets (set-id, sticky) */
  if ((d->mode & 07000) && fchmodat (dir, name, d->mode & 07777, 0) < 0)
    return husk_error_set (err, errno, "chmod \"%s\" to %#o", d->path, d->mode & 07777);
  return 0;
}

static int
make_device_node (const struct rootfs_ctx *ctx, const struct device *d, struct husk_error **err)
{
  cleanup_free char *dir_copy = strdup (d->path), *name_copy = strdup (d->path);
  if (dir_copy == NULL || name_copy == NULL)
    return husk_error_set (err, ENOMEM, "device \"%s\"", d->path);
  cleanup_close int dir = husk_safe_create (ctx->root_fd, dirname (dir_copy), HUSK_SAFE_DIR, err);
  if (dir < 0)
    return -1;
  return make_node_in (dir, basename (name_copy), d, NULL, err);
}

/* Anywhere in the container's tree, "notably outside of /dev" (runtime-spec
 * 1.1); resolved inside the rootfs like any mount target. */
static int
create_device (const struct rootfs_ctx *ctx, const struct device *d, struct husk_error **err)
{
  if (ctx->opts->in_user_ns)
    return bind_host_device (ctx, d, err);
  return make_device_node (ctx, d, err);
}

static int
device_from_spec (const struct oci_device *s, struct device *d, struct husk_error **err)
{
  const char *t = s->type ? s->type : "";
  if (strcmp (t, "c") == 0 || strcmp (t, "u") == 0)
    d->type = S_IFCHR;
  else if (strcmp (t, "b") == 0)
    d->type = S_IFBLK;
  else if (strcmp (t, "p") == 0)
    d->type = S_IFIFO;
  else
    return husk_error_set (err, EINVAL, "device \"%s\": unknown type \"%s\"", s->path, t);
  d->path = s->path;
  d->major = (unsigned) s->major;
  d->minor = (unsigned) s->minor;
  d->mode = s->file_mode.set ? (mode_t) s->file_mode.value & 07777 : 0666;
  d->uid = s->uid.set ? (uid_t) s->uid.value : 0;
  d->gid = s->gid.set ? (gid_t) s->gid.value : 0;
  return 0;
}

static bool
in_spec (const struct oci_linux *l, const char *path)
{
  for (size_t i = 0; l && i < l->devices_len; i++)
    if (l->devices[i].path && strcmp (l->devices[i].path, path) == 0)
      return true;
  return false;
}

/* The defaults are all in /dev, opened once by the caller as `dev`. */
static int
create_default_device (const struct rootfs_ctx *ctx, int dev, const struct device *d,
                       struct node_owner *owner, struct husk_error **err)
{
  if (ctx->opts->in_user_ns)
    return bind_host_device (ctx, d, err);
  if (!owner->known)
    owner_in (dev, owner);
  return make_node_in (dev, d->path + strlen ("/dev/"), d, owner, err);
}

static int
create_devices (const struct rootfs_ctx *ctx, int dev, struct husk_error **err)
{
  const struct oci_linux *l = ctx->config->linux_;
  struct node_owner owner = { 0 };
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
    if (!in_spec (l, default_devices[i].path)
        && create_default_device (ctx, dev, &default_devices[i], &owner, err) < 0)
      return -1;
  for (size_t i = 0; l && i < l->devices_len; i++)
    {
      struct device d = { 0 };
      if (device_from_spec (&l->devices[i], &d, err) < 0 || create_device (ctx, &d, err) < 0)
        return husk_error_wrap (err, "linux.devices[%zu]", i);
    }
  return 0;
}

static int
create_symlinks (int dev, struct husk_error **err)
{
  static const char *const links[][2] = {
    { "/proc/self/fd", "fd" },     { "/proc/self/fd/0", "stdin" },
    { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat (links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
      return husk_error_set (err, errno, "symlink \"/dev/%s\"", links[i][1]);
  /* /dev/core only where the kernel has a /proc/kcore, as runc. */
  if (access ("/proc/kcore", F_OK) == 0 && symlinkat ("/proc/kcore", dev, "core") < 0
      && errno != EEXIST)
    return husk_error_set (err, errno, "symlink \"/dev/core\"");
  /* The devpts instance of the container owns its ptmx: an image's own
   * (a /dev in the rootfs, no tmpfs on it) is replaced. */
  if (symlinkat ("pts/ptmx", dev, "ptmx") == 0)
    return 0;
  if (errno != EEXIST || unlinkat (dev, "ptmx", 0) < 0)
    return husk_error_set (err, errno, "remove \"/dev/ptmx\"");
  if (symlinkat ("pts/ptmx", dev, "ptmx") < 0)
    return husk_error_set (err, errno, "symlink \"/dev/ptmx\"");
  return 0;
}

/* A bind-mounted /dev is the caller's business: nothing is made in it. */
static bool
dev_is_bind (const struct oci_config *config)
{
  for (size_t i = 0; i < config->mounts_len; i++)
    {
      const struct oci_mount *m = &config->mounts[i];
      if (m->destination == NULL || strcmp (m->destination, "/dev") != 0)
        continue;
      if (m->type && strcmp (m->type, "bind") == 0)
        return true;
      for (size_t j = 0; j < m->options_len; j++)
        if (strcmp (m->options[j], "bind") == 0 || strcmp (m->options[j], "rbind") == 0)
          return true;
    }
  return false;
}

int
husk_devices_setup (struct rootfs_ctx *ctx, struct husk_error **err)
{
  if (dev_is_bind (ctx->config))
    return 0;
  cleanup_close int dev = husk_safe_create_dir_nofollow (ctx->root_fd, "/dev", err);
  if (dev < 0)
    return -1;
  /* The nodes get their modes whole, as runc makes them (umask 0 around
   * its createDevices): no chmod after each mknod. */
  mode_t umask_before = umask (0);
  int r = create_devices (ctx, dev, err);
  umask (umask_before);
  return r < 0 ? -1 : create_symlinks (dev, err);
}

int
husk_rootfs_bind_console (int pty_master, struct husk_error **err)
{
  unsigned n;
  char slave_path[64];
  struct stat st;

  if (ioctl (pty_master, TIOCGPTN, &n) < 0)
    return husk_error_set (err, errno, "pty number");
  snprintf (slave_path, sizeof slave_path, "/dev/pts/%u", n);
  cleanup_close int slave = open (slave_path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (slave < 0)
    return husk_error_set (err, errno, "open \"%s\"", slave_path);
  cleanup_close int dev = open ("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dev < 0)
    return husk_error_set (err, errno, "open \"/dev\"");
  cleanup_close int made = openat (dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                                       | O_CLOEXEC, 0600);
  if (made < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "create \"/dev/console\"");
  /* O_NOFOLLOW and the check: never mount through a symlink of the image */
  cleanup_close int target = openat (dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0 || fstat (target, &st) < 0)
    return husk_error_set (err, errno, "open \"/dev/console\"");
  if (S_ISLNK (st.st_mode) || S_ISDIR (st.st_mode))
    return husk_error_set (err, EINVAL, "\"/dev/console\" is not a file or device");
  return husk_mount_bind_fd (slave, slave_path, target, "/dev/console", false, err);
}
