/* A mount of type "cgroup", as runc does it.  On a cgroup v2 host it is a
 * cgroup2 mount.  On v1 it is a tmpfs holding one directory per hierarchy
 * of the host's /sys/fs/cgroup: in a cgroup namespace a fresh mount of the
 * hierarchy, else a bind of the container's own cgroup, so the container
 * never sees its siblings.  The tmpfs is made read-only last (the
 * directories are made in it first). */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "../../oci/cleanup.h"
#include "mountinfo.h"
#include "rootfs_internal.h"
#include "safe_path.h"

#define HOST_CGROUP_ROOT "/sys/fs/cgroup"

struct hierarchy {
  const char *mountpoint; /* /sys/fs/cgroup/cpu */
  const char *fstype;     /* cgroup or cgroup2 */
  char *controllers;      /* the super options but ro/rw: "cpu", "name=systemd" */
  const char *proc_cgroup; /* /proc/self/cgroup's text, read once; NULL: read it */
};

/* The whole of /proc/self/cgroup (malloc'd), NULL when unreadable.  The
 * kernel makes the file in one show call (single_open), so one read with
 * room to spare returns all of it. */
static char *
read_proc_cgroup (void)
{
  cleanup_close int fd = open ("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  size_t cap = 16384, len = 0;
  cleanup_free char *text = malloc (cap);
  ssize_t n;

  if (fd < 0 || text == NULL)
    return NULL;
  while ((n = read (fd, text + len, cap - len - 1)) > 0)
    {
      len += (size_t) n;
      if (len < cap - 1)
        break; /* all of it: see above */
      char *grown = realloc (text, cap *= 2);
      if (grown == NULL)
        return NULL;
      text = grown;
    }
  if (n < 0)
    return NULL;
  text[len] = '\0';
  return steal_pointer (&text);
}

static bool
host_is_cgroup2 (void)
{
  struct statfs sfs;
  return statfs (HOST_CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Does the "cpu,cpuacct" field of a /proc/self/cgroup line name this
 * hierarchy?  cgroup2's field is empty. */
static bool
line_matches (const struct hierarchy *h, const char *field)
{
  if (strcmp (h->fstype, "cgroup2") == 0)
    return *field == '\0';
  if (*field == '\0')
    return false;
  cleanup_free char *copy = strdup (field);
  char *save = NULL;
  for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
    if (!husk_optstr_has (h->controllers, w))
      return false;
  return copy != NULL;
}

/* The container's cgroup in this hierarchy (the parent moved us there
 * before rootfs setup). */
static char *
own_cgroup (const struct hierarchy *h)
{
  cleanup_free char *read = h->proc_cgroup ? NULL : read_proc_cgroup ();
  cleanup_free char *copy = strdup (h->proc_cgroup ? h->proc_cgroup : read ? read : "");
  char *save = NULL;
  for (char *line = copy ? strtok_r (copy, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *field = strchr (line, ':'), *path = field ? strchr (field + 1, ':') : NULL;
      if (path == NULL)
        continue;
      *path++ = '\0';
      if (line_matches (h, field + 1))
        return strdup (path);
    }
  return NULL;
}

/* `flags_later`: the caller sets the flags of every bind at once.
 * `target`: the name mount(2) takes for the mountpoint. */
static int
bind_hierarchy (const struct rootfs_ctx *ctx, const struct hierarchy *h,
                const struct husk_mount_options *o, const char *target, const char *dest,
                bool flags_later, struct husk_error **err)
{
  cleanup_free char *own = own_cgroup (h);
  cleanup_free char *source = NULL;
  if (own == NULL || asprintf (&source, "%s%s", h->mountpoint, own) < 0)
    return husk_error_set (err, ENOENT, "cgroup of this process under \"%s\"", h->mountpoint);
  if (husk_mount (source, target, dest, NULL, MS_BIND | MS_REC, NULL, err) < 0)
    return -1;
  if (flags_later)
    return 0;
  cleanup_close int mounted = husk_safe_open (ctx->root_fd, dest, O_PATH, err);
  if (mounted < 0)
    return -1;
  unsigned long flags = o->flags & ~(unsigned long) (MS_BIND | MS_REC | MS_REMOUNT);
  return husk_mount_remount_bind (mounted, dest, flags, err);
}

/* Combined hierarchies ("cpu,cpuacct") get a symlink per controller. */
static int
link_combined (int tmpfs_fd, const char *name, struct husk_error **err)
{
  if (strchr (name, ',') == NULL)
    return 0;
  cleanup_free char *copy = strdup (name);
  char *save = NULL;
  for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
    if (symlinkat (name, tmpfs_fd, w) < 0 && errno != EEXIST)
      return husk_error_set (err, errno, "symlink \"%s\" to \"%s\" in the cgroup tmpfs", w, name);
  return 0;
}

/* The mountpoint `name` in the tmpfs just mounted, as the name mount(2)
 * takes (`target`, from the tmpfs's fd): that tmpfs is empty but for what
 * earlier hierarchies made, and nothing else can write in it, so a plain
 * mkdirat is safe, and the directory it made is named through the tmpfs's
 * fd (no open and close of its own: two calls fewer per hierarchy).  A
 * name already there (one of link_combined's symlinks) goes through the
 * rootfs walk, which follows it inside the root; *fd is then its fd. */
static int
make_mountpoint (const struct rootfs_ctx *ctx, int tmpfs_fd, const char *name, const char *dest,
                 char *target, size_t size, int *fd, struct husk_error **err)
{
  char tmpfs_path[HUSK_FD_PATH_SIZE];
  if (mkdirat (tmpfs_fd, name, 0755) == 0)
    {
      snprintf (target, size, "%s/%s", husk_fd_path (tmpfs_fd, tmpfs_path), name);
      return 0;
    }
  if (errno != EEXIST)
    return husk_error_set (err, errno, "create \"%s\" in the rootfs", dest);
  *fd = husk_safe_create (ctx->root_fd, dest, HUSK_SAFE_DIR, err);
  if (*fd < 0)
    return -1;
  husk_fd_path (*fd, target);
  return 0;
}

static int
mount_hierarchy (const struct rootfs_ctx *ctx, const struct oci_mount *m,
                 const struct husk_mount_options *o, const struct hierarchy *h, int tmpfs_fd,
                 bool flags_later, struct husk_error **err)
{
  const char *name = strrchr (h->mountpoint, '/') + 1;
  cleanup_free char *dest = NULL;
  char target[HUSK_FD_PATH_SIZE + NAME_MAX + 2];
  cleanup_close int fd = -1;
  if (asprintf (&dest, "%s/%s", m->destination, name) < 0)
    return husk_error_set (err, ENOMEM, "cgroup mount \"%s\"", m->destination);
  if (make_mountpoint (ctx, tmpfs_fd, name, dest, target, sizeof target, &fd, err) < 0)
    return -1;
  int r = oci_config_namespace (ctx->config, OCI_NS_CGROUP)
              ? husk_mount (h->fstype, target, dest, h->fstype, o->flags,
                            *h->controllers ? h->controllers : NULL, err)
              : bind_hierarchy (ctx, h, o, target, dest, flags_later, err);
  return r < 0 ? r : link_combined (tmpfs_fd, name, err);
}

/* Fills h from a mountinfo entry; false when it is not a visible
 * hierarchy directly under /sys/fs/cgroup. */
static bool
hierarchy_from (const struct husk_mountinfo *m, struct hierarchy *h)
{
  if ((strcmp (m->fstype, "cgroup") != 0 && strcmp (m->fstype, "cgroup2") != 0)
      || strncmp (m->target, HOST_CGROUP_ROOT "/", sizeof HOST_CGROUP_ROOT) != 0
      || strchr (m->target + sizeof HOST_CGROUP_ROOT, '/') != NULL
      /* mountinfo also lists mounts hidden under a later one (a tmpfs
       * mounted over /sys/fs/cgroup, as done to run crun on a hybrid
       * host): only the mount reachable at the mountpoint counts */
      || !husk_mountinfo_visible (m))
    return false;
  h->mountpoint = m->target;
  h->fstype = m->fstype;
  cleanup_free char *no_rw = husk_optstr_without (m->super_opts, "rw");
  h->controllers = no_rw ? husk_optstr_without (no_rw, "ro") : NULL;
  return h->controllers != NULL;
}

struct hierarchies_ctx {
  const struct rootfs_ctx *ctx;
  const struct oci_mount *m;
  const struct husk_mount_options *o;
  int tmpfs_fd;
  const char *proc_cgroup;
  bool flags_later;
};

static int
mount_entry (const struct husk_mountinfo *mi, void *data, struct husk_error **err)
{
  struct hierarchies_ctx *hc = data;
  struct hierarchy h = { .proc_cgroup = hc->proc_cgroup };
  if (!hierarchy_from (mi, &h))
    return 0;
  int r = mount_hierarchy (hc->ctx, hc->m, hc->o, &h, hc->tmpfs_fd, hc->flags_later, err);
  free (h.controllers);
  return r;
}

static int
mount_hierarchies (const struct rootfs_ctx *ctx, const struct oci_mount *m,
                   const struct husk_mount_options *o, int tmpfs_fd, bool flags_later,
                   struct husk_error **err)
{
  cleanup_free char *proc_cgroup = read_proc_cgroup ();
  struct hierarchies_ctx hc = { ctx, m, o, tmpfs_fd, proc_cgroup, flags_later };
  if (ctx->opts->host_mountinfo)
    return husk_mountinfo_each_text (ctx->opts->host_mountinfo, mount_entry, &hc, err);
  return husk_mountinfo_each (NULL, mount_entry, &hc, err);
}

/* The mount_setattr(2) form of a MS_REMOUNT|MS_BIND with `flags`: those
 * flags set, the others cleared, relatime when no atime flag is given. */
static void
attrs_of (unsigned long flags, uint64_t *set, uint64_t *clr)
{
  static const struct { unsigned long ms; uint64_t attr; } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY }, { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV },   { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
  };
  *set = 0;
  *clr = MOUNT_ATTR__ATIME;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    *(flags & map[i].ms ? set : clr) |= map[i].attr;
  *set |= flags & MS_NOATIME       ? MOUNT_ATTR_NOATIME
          : flags & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME
                                   : MOUNT_ATTR_RELATIME;
}

/* Where mount_setattr(2) is missing (Linux < 5.12, valgrind): each bind
 * in the tmpfs (its directories; the symlinks are link_combined's) gets
 * its flags by a remount. */
static int
remount_binds (int tmpfs_fd, const char *destination, unsigned long flags,
               struct husk_error **err)
{
  int dup_fd = fcntl (tmpfs_fd, F_DUPFD_CLOEXEC, 0);
  cleanup_dir DIR *dir = dup_fd < 0 ? NULL : fdopendir (dup_fd);
  struct dirent *d;

  if (dir == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return husk_error_set (err, errno, "list \"%s\"", destination);
    }
  while ((d = readdir (dir)) != NULL)
    {
      if (d->d_type != DT_DIR || strcmp (d->d_name, ".") == 0 || strcmp (d->d_name, "..") == 0)
        continue;
      cleanup_free char *dest = NULL;
      cleanup_close int fd = openat (tmpfs_fd, d->d_name,
                                     O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || asprintf (&dest, "%s/%s", destination, d->d_name) < 0)
        return husk_error_set (err, fd < 0 ? errno : ENOMEM, "open \"%s/%s\"", destination,
                               d->d_name);
      if (husk_mount_remount_bind (fd, dest, flags, err) < 0)
        return -1;
    }
  return 0;
}

static int
mount_cgroup_v1 (struct rootfs_ctx *ctx, const struct oci_mount *m,
                 const struct husk_mount_options *o, int target_fd, struct husk_error **err)
{
  unsigned long flags = o->flags & ~(unsigned long) MS_RDONLY;
  if (husk_mount_fd ("tmpfs", target_fd, m->destination, "tmpfs", flags, "mode=755", err) < 0)
    return -1;
  cleanup_close int tmpfs_fd = husk_safe_open (ctx->root_fd, m->destination,
                                               O_RDONLY | O_DIRECTORY, err);
  /* Binds of our own cgroups outside a user namespace (no locked flags to
   * keep): one recursive mount_setattr for the tmpfs and all of them,
   * instead of a remount per hierarchy (3 syscalls each); where the call
   * is missing, the remounts after all. */
  bool flags_later = !ctx->opts->in_user_ns && !oci_config_namespace (ctx->config, OCI_NS_CGROUP);
  if (tmpfs_fd < 0 || mount_hierarchies (ctx, m, o, tmpfs_fd, flags_later, err) < 0)
    return -1;
  /* the tmpfs's superblock read-only too, as runc leaves it */
  if ((o->flags & MS_RDONLY)
      && husk_mount_fd ("tmpfs", tmpfs_fd, m->destination, "tmpfs", MS_REMOUNT | o->flags,
                        "mode=755", err)
             < 0)
    return -1;
  if (!flags_later)
    return 0;
  uint64_t set, clr;
  attrs_of (o->flags, &set, &clr);
  cleanup_error struct husk_error *setattr_err = NULL;
  if (husk_mount_setattr (tmpfs_fd, m->destination, true, set, clr, &setattr_err) == 0)
    return 0;
  if (setattr_err->errnum != ENOSYS)
    return husk_error_propagate (err, &setattr_err);
  unsigned long bind_flags = o->flags & ~(unsigned long) (MS_BIND | MS_REC | MS_REMOUNT);
  if (husk_mount_remount_bind (tmpfs_fd, m->destination, bind_flags, err) < 0)
    return -1;
  return remount_binds (tmpfs_fd, m->destination, bind_flags, err);
}

/* cgroup2 outside a cgroup namespace owned by our user namespace is
 * refused (EPERM, EBUSY): bind the container's own cgroup, as runc does. */
static int
mount_cgroup_v2 (struct rootfs_ctx *ctx, const struct oci_mount *m,
                 const struct husk_mount_options *o, int target_fd, struct husk_error **err)
{
  cleanup_error struct husk_error *first = NULL;
  if (husk_mount_fd ("cgroup2", target_fd, m->destination, "cgroup2", o->flags, o->data,
                     &first) == 0)
    return 0;
  if (first->errnum != EPERM && first->errnum != EBUSY)
    return husk_error_propagate (err, &first);
  struct hierarchy h = { .mountpoint = HOST_CGROUP_ROOT, .fstype = "cgroup2", .controllers = "" };
  char target[HUSK_FD_PATH_SIZE];
  return bind_hierarchy (ctx, &h, o, husk_fd_path (target_fd, target), m->destination, false,
                         err);
}

int
husk_mount_cgroup (struct rootfs_ctx *ctx, const struct oci_mount *m,
                   const struct husk_mount_options *o, int target_fd, struct husk_error **err)
{
  int mode = ctx->opts->host_cgroup_mode; /* 2: cgroup2, 1: v1, 0: ask */
  if (mode == 0 ? host_is_cgroup2 () : mode == 2)
    return mount_cgroup_v2 (ctx, m, o, target_fd, err);
  return mount_cgroup_v1 (ctx, m, o, target_fd, err);
}
