/* The container's root filesystem, as runc and crun set it up.
 *
 * husk_rootfs_setup() runs in the container's init, in the mount namespace
 * it made (CLONE_NEWNS) or joined by path, or, with none listed, in the
 * runtime's own (host_mount_ns), as root (possibly root of a user
 * namespace), after the hostname is set and before the identity change.
 * In order: root propagation (linux.rootfsPropagation, default rslave like
 * runc; an explicit one first makes the mount holding the rootfs private),
 * the rootfs bind-mounted onto itself, config->mounts (destinations
 * resolved inside the rootfs, never through a symlink out of it; proc and
 * sysfs only on real directories), default devices and /dev symlinks,
 * linux.devices (anywhere in the rootfs), `before_pivot` (createContainer
 * hooks), pivot_root (MS_MOVE + chroot with no_pivot, chroot alone in the
 * runtime's mount namespace), shared/unbindable set on the new "/",
 * linux.sysctl, readonlyPaths, maskedPaths, a read-only /dev, a read-only
 * root, chdir("/").
 */
#ifndef HUSK_RUNTIME_MOUNT_ROOTFS_H
#define HUSK_RUNTIME_MOUNT_ROOTFS_H

#include <stdbool.h>

#include "../../oci/config.h"
#include "../../oci/error.h"

struct husk_rootfs_options {
  /* root.path is relative to it unless absolute; absolute, its symlinks
   * resolved (realpath) */
  const char *bundle;
  bool no_pivot;      /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
  bool in_user_ns;    /* mknod is refused: bind devices from the host */
  /* no mount namespace of the container's own (config-linux.md: it is
   * inherited): mounts land in the runtime's mount table, under the
   * rootfs, and chroot replaces pivot_root, as runc and crun do */
  bool host_mount_ns;
  /* per config->mounts[i]: the detached tree of that mount (idmapped, or
   * in a user namespace a bind's source), made by the runtime's parent
   * (husk_rootfs_idmap_prepare); NULL or -1: none */
  const int *idmap_userns_fds;
  /* what /sys/fs/cgroup is, as the runtime found it (the cgroup mount
   * needs not ask again): 2 cgroup2, 1 v1 hierarchies, 0 not known */
  int host_cgroup_mode;
  /* the runtime's /proc/self/mountinfo as read for its cgroup, when our
   * mount table started as a copy of it (the hierarchies under
   * /sys/fs/cgroup are the same there); NULL: read ours */
  const char *host_mountinfo;
};

/* Parent side, before clone: for each idmapped mount of config, its
 * source as a detached mount mapped through a user namespace holding its
 * mapping (open_tree + mount_setattr), for the child to move in place.
 * Made from the host's user namespace: the mappings name host ids, and
 * mount_setattr needs CAP_SYS_ADMIN where the source was mounted, neither
 * of which a process in the container's user namespace has.  With
 * `in_user_ns`, every bind's source too, as a detached copy opened with
 * the runtime's credentials (runc's mount-source fds): the container's
 * root may not be able to reach it.  *fds (one per mount, -1 when none;
 * NULL when there is none) is freed with husk_rootfs_idmap_release. */
int husk_rootfs_idmap_prepare (const struct oci_config *config, const char *bundle,
                               bool in_user_ns, int **fds, struct husk_error **err);
void husk_rootfs_idmap_release (const struct oci_config *config, int **fds);

/* `before_pivot` may be NULL; it runs with the mounts in place, before
 * pivot_root, with the cwd at the rootfs.  Its error is wrapped and
 * returned. */
int husk_rootfs_setup (const struct oci_config *config, const struct husk_rootfs_options *opts,
                       int (*before_pivot) (void *data, struct husk_error **err), void *data,
                       struct husk_error **err);

/* A container without a mount namespace of its own left its mounts in
 * the runtime's mount table: delete (and a failed create) detach them,
 * config->mounts in reverse order, each resolved inside `rootfs` again.
 * A missing or unmounted target is skipped. */
int husk_rootfs_host_mounts_undo (const struct oci_config *config, const char *rootfs,
                                  struct husk_error **err);

/* process.terminal: after pivot_root, the slave of the pty `pty_master`
 * is bind mounted on /dev/console (made as an empty file when missing),
 * as runc does, so programs writing to the console reach the terminal. */
int husk_rootfs_bind_console (int pty_master, struct husk_error **err);

#endif
