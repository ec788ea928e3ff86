/* Shared between the files of runtime/mount/ only; others use rootfs.h.
 * Each mechanism takes the rootfs as a directory fd (or runs after
 * pivot_root against "/"), so tests can point it at a tmpdir. */
#ifndef HUSK_RUNTIME_MOUNT_ROOTFS_INTERNAL_H
#define HUSK_RUNTIME_MOUNT_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../oci/config.h"
#include "../../oci/error.h"
#include "mount_options.h"
#include "rootfs.h"

/* The one context of a rootfs setup, passed down. */
struct rootfs_ctx {
  const struct oci_config *config;
  const struct husk_rootfs_options *opts;
  char *rootfs; /* absolute, symlinks resolved */
  int root_fd;  /* O_PATH|O_DIRECTORY on rootfs */
};

/* mount_call.c: mount(2) and the new mount API, every failure naming
 * source, target (as the container sees it), type, flags and data. */
int husk_mount (const char *source, const char *target, const char *shown_target,
                const char *type, unsigned long flags, const char *data, struct husk_error **err);
int husk_mount_fd (const char *source, int target_fd, const char *shown_target, const char *type,
                   unsigned long flags, const char *data, struct husk_error **err);
/* mount(MS_REMOUNT|MS_BIND|flags) on a bind; in a user namespace the flags
 * the kernel locked on the source (nosuid, nodev, ...) are kept. */
int husk_mount_remount_bind (int target_fd, const char *shown_target, unsigned long flags,
                             struct husk_error **err);
/* mount_setattr(2) on the mount at target_fd, with AT_RECURSIVE if asked. */
/* Whether mount_setattr(2) exists here (Linux 5.12); asked once. */
bool husk_mount_setattr_available (void);
int husk_mount_setattr (int target_fd, const char *shown_target, bool recursive,
                        uint64_t attr_set, uint64_t attr_clr, struct husk_error **err);
/* The MS_* flags of the mount holding fd (statvfs): nosuid, nodev, ... */
unsigned long husk_mount_flags_of (int fd);
/* open_tree(OPEN_TREE_CLONE): a detached copy of the mount at source_fd. */
int husk_mount_clone (int source_fd, const char *shown_source, bool recursive,
                      struct husk_error **err);
/* move_mount of a detached tree onto target_fd. */
int husk_mount_move (int tree_fd, const char *shown_source, int target_fd,
                     const char *shown_target, struct husk_error **err);
/* clone + move: a bind mount that needs no /proc (used after pivot_root). */
int husk_mount_bind_fd (int source_fd, const char *shown_source, int target_fd,
                        const char *shown_target, bool recursive, struct husk_error **err);

/* mounts.c: config->mounts in order. */
int husk_mounts_setup (struct rootfs_ctx *ctx, struct husk_error **err);
/* A /dev mount (not a bind) with "ro": mounted writable, made read-only
 * by husk_dev_readonly_finish after the pivot, once filled. */
bool husk_mount_is_dev_readonly (const struct oci_mount *m, const struct husk_mount_options *o);
int husk_dev_readonly_finish (const struct oci_config *config, struct husk_error **err);

/* cgroup_mount.c: a mount of type "cgroup" at target_fd. */
int husk_mount_cgroup (struct rootfs_ctx *ctx, const struct oci_mount *m,
                       const struct husk_mount_options *o, int target_fd, struct husk_error **err);

/* copyup.c: tmpcopyup, the contents of lower_fd copied into upper_fd. */
int husk_copy_tree (int lower_fd, int upper_fd, const char *shown, struct husk_error **err);

/* idmap.c: an idmapped bind of `source` onto target_fd (Linux 5.12), with
 * m's uidMappings/gidMappings (else the container's); rbind clones submounts, ridmap maps them. */
int husk_mount_idmapped (const struct rootfs_ctx *ctx, const struct oci_mount *m,
                         const struct husk_mount_options *o, const char *source, int target_fd,
                         struct husk_error **err);
bool husk_mount_wants_idmap (const struct oci_mount *m, const struct husk_mount_options *o);

/* devices.c: default devices, /dev symlinks, linux.devices. */
int husk_devices_setup (struct rootfs_ctx *ctx, struct husk_error **err);

/* pivot.c: make `rootfs`, the cwd (its bind), the root; the cwd is "/" after. */
int husk_pivot_root (const char *rootfs, bool no_pivot, struct husk_error **err);
/* Without a mount namespace: chroot into `rootfs`; the cwd is "/" after. */
int husk_chroot_root (const char *rootfs, struct husk_error **err);

/* masked_paths.c: against root_fd ("/" after pivot_root).  Missing paths
 * are skipped. */
int husk_masked_paths_apply (int root_fd, char *const *paths, size_t len, struct husk_error **err);
int husk_readonly_paths_apply (int root_fd, char *const *paths, size_t len,
                               struct husk_error **err);
int husk_readonly_root (struct husk_error **err);

/* sysctl.c: linux.sysctl written under proc_sys_fd (/proc/sys). */
int husk_sysctl_apply (int proc_sys_fd, const struct oci_map *sysctl, struct husk_error **err);

#endif
