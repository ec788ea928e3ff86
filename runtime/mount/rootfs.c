/* The order of a rootfs setup, after runc's prepareRootfs and standard
 * init; each step is a mechanism in its own file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "mountinfo.h"
#include "rootfs_internal.h"

static int
resolve_rootfs (const struct oci_config *config, const char *bundle, char **out,
                struct husk_error **err)
{
  const char *path = config->root && config->root->path ? config->root->path : "rootfs";
  cleanup_free char *joined = NULL;
  if (path[0] != '/' && bundle && asprintf (&joined, "%s/%s", bundle, path) < 0)
    return husk_error_set (err, ENOMEM, "root.path");
  /* The bundle's path has its symlinks resolved already (rootfs.h): a
   * root.path of one component that is no symlink (readlink says EINVAL)
   * needs no walk of the whole path again, a readlink per component. */
  char one;
  if (joined && strchr (path, '/') == NULL && strcmp (path, ".") != 0 && strcmp (path, "..") != 0
      && readlink (joined, &one, 1) < 0 && errno == EINVAL)
    {
      *out = steal_pointer (&joined);
      return 0;
    }
  *out = realpath (joined ? joined : path, NULL);
  if (*out == NULL)
    return husk_error_set (err, errno, "root.path \"%s\"", joined ? joined : path);
  return 0;
}

/* linux.rootfsPropagation as mount flags; runc's default is rslave, so
 * mounts made on the host later still reach the container and nothing the
 * container mounts reaches the host. */
static int
root_propagation (const struct oci_config *config, unsigned long *flags, struct husk_error **err)
{
  const char *word = config->linux_ ? config->linux_->rootfs_propagation : NULL;
  *flags = MS_SLAVE | MS_REC;
  if (word == NULL)
    return 0;
  char *words[] = { (char *) word };
  struct husk_mount_options o;
  if (husk_mount_options_parse (words, 1, &o, err) < 0)
    return -1;
  bool ok = o.propagation_len == 1 && o.flags == 0 && o.data == NULL;
  *flags = o.propagation[0];
  husk_mount_options_release (&o);
  if (!ok)
    return husk_error_set (err, EINVAL, "linux.rootfsPropagation: unknown \"%s\"", word);
  return 0;
}

/* rslave and rprivate leave no mount shared or unbindable. */
static bool
may_leave_shared (unsigned long propagation)
{
  return !((propagation & MS_REC) && (propagation & (MS_SLAVE | MS_PRIVATE)));
}

/* The mount that holds the rootfs (the longest mount point that is a
 * prefix of it, the rootfs itself included: a containerd snapshot is a
 * mount of its own) made private, as runc and crun do, before the rootfs
 * is bound onto itself: pivot_root refuses a new root whose parent mount
 * is shared, a bind of an unbindable mount is EINVAL, and the bind must
 * not propagate to the host. */
static int
holding_mount_private (const char *rootfs, struct husk_error **err)
{
  cleanup_free char *mountpoint = husk_mountpoint_of (rootfs);
  if (mountpoint == NULL)
    return husk_error_set (err, errno ? errno : ENOMEM, "mount point of \"%s\"", rootfs);
  return husk_mount (NULL, mountpoint, NULL, NULL, MS_PRIVATE, NULL, err);
}

/* In a mount namespace of the container's own: the propagation of "/",
 * then the rootfs bound onto itself, the mount pivot_root needs. */
static int
bind_root (const struct rootfs_ctx *ctx, unsigned long propagation, struct husk_error **err)
{
  if (husk_mount (NULL, "/", NULL, NULL, propagation, NULL, err) < 0)
    return -1;
  if (may_leave_shared (propagation) && holding_mount_private (ctx->rootfs, err) < 0)
    return -1;
  return husk_mount (ctx->rootfs, ctx->rootfs, NULL, NULL, MS_BIND | MS_REC, NULL, err);
}

static int
prepare_root (struct rootfs_ctx *ctx, unsigned long propagation, struct husk_error **err)
{
  /* in the runtime's mount table the propagation is not ours to change,
   * and chroot needs no mount of the rootfs */
  if (!ctx->opts->host_mount_ns && bind_root (ctx, propagation, err) < 0)
    return -1;
  ctx->root_fd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx->root_fd < 0)
    return husk_error_set (err, errno, "open rootfs \"%s\"", ctx->rootfs);
  return 0;
}

/* Leaves the cwd in the rootfs's bind, where pivot_root(".", ".") wants it. */
static int
before_pivot_root (struct rootfs_ctx *ctx, int (*before_pivot) (void *, struct husk_error **),
                   void *data, struct husk_error **err)
{
  if (fchdir (ctx->root_fd) < 0)
    return husk_error_set (err, errno, "chdir to rootfs \"%s\"", ctx->rootfs);
  if (before_pivot && before_pivot (data, err) < 0)
    return -1;
  return 0;
}

static int
apply_sysctl (const struct oci_linux *l, struct husk_error **err)
{
  if (l == NULL || l->sysctl.len == 0)
    return 0;
  cleanup_close int proc_sys = open ("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (proc_sys < 0)
    return husk_error_set (err, errno, "linux.sysctl: open /proc/sys (is /proc mounted?)");
  return husk_sysctl_apply (proc_sys, &l->sysctl, err);
}

/* After pivot_root, against the container's own "/", in runc's order; the
 * cwd is "/" already (husk_pivot_root, husk_chroot_root). */
static int
after_pivot_root (const struct rootfs_ctx *ctx, unsigned long propagation, struct husk_error **err)
{
  const struct oci_linux *l = ctx->config->linux_;
  /* The new "/" is a bind of a private mount: shared or unbindable is set
   * on it now, on "/" alone (before the pivot "/" was the host's root).
   * Never recursively: the container's mounts keep their own propagation
   * options (an rshared here would make a "slave" bind shared). */
  if (l && l->rootfs_propagation && (propagation & (MS_SHARED | MS_UNBINDABLE))
      && husk_mount (NULL, "/", NULL, NULL, propagation & ~MS_REC, NULL, err) < 0)
    return -1;
  if (apply_sysctl (l, err) < 0)
    return -1;
  /* the rootfs's bind, now "/": what open("/") would give */
  int root = ctx->root_fd;
  if (l && husk_readonly_paths_apply (root, l->readonly_paths, l->readonly_paths_len, err) < 0)
    return -1;
  if (l && husk_masked_paths_apply (root, l->masked_paths, l->masked_paths_len, err) < 0)
    return -1;
  if (husk_dev_readonly_finish (ctx->config, err) < 0)
    return -1;
  if (ctx->config->root && ctx->config->root->readonly && husk_readonly_root (err) < 0)
    return -1;
  return 0;
}

static int
setup (struct rootfs_ctx *ctx, int (*before_pivot) (void *, struct husk_error **), void *data,
       struct husk_error **err)
{
  unsigned long propagation;
  if (root_propagation (ctx->config, &propagation, err) < 0)
    return -1;
  if (prepare_root (ctx, propagation, err) < 0)
    return -1;
  if (husk_mounts_setup (ctx, err) < 0 || husk_devices_setup (ctx, err) < 0)
    return -1;
  if (before_pivot_root (ctx, before_pivot, data, err) < 0)
    return -1;
  if (ctx->opts->host_mount_ns ? husk_chroot_root (ctx->rootfs, err) < 0
                               : husk_pivot_root (ctx->rootfs, ctx->opts->no_pivot, err) < 0)
    return -1;
  return after_pivot_root (ctx, propagation, err);
}

int
husk_rootfs_setup (const struct oci_config *config, const struct husk_rootfs_options *opts,
                   int (*before_pivot) (void *data, struct husk_error **err), void *data,
                   struct husk_error **err)
{
  struct rootfs_ctx ctx = { .config = config, .opts = opts, .root_fd = -1 };
  if (resolve_rootfs (config, opts->bundle, &ctx.rootfs, err) < 0)
    return husk_error_wrap (err, "rootfs");
  int r = setup (&ctx, before_pivot, data, err);
  if (ctx.root_fd >= 0)
    close (ctx.root_fd);
  free (ctx.rootfs);
  return r < 0 ? husk_error_wrap (err, "rootfs") : 0;
}
