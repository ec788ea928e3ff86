/* The mount syscalls, each failure naming every argument by name, after
 * runc's libcontainer/mount_linux.go:
 *   mount "proc" on "/proc" (proc, nosuid|nodev|noexec): Operation not permitted */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs_internal.h"
#include "safe_path.h"

static int
mount_error (struct husk_error **err, int errnum, const char *source, const char *target,
             const char *type, unsigned long flags, const char *data)
{
  char names[256];
  husk_mount_flags_name (flags, names, sizeof names);
  if (data && *data)
    return husk_error_set (err, errnum, "mount \"%s\" on \"%s\" (%s, %s, \"%s\")",
                           source ? source : "none", target, type ? type : "none", names, data);
  return husk_error_set (err, errnum, "mount \"%s\" on \"%s\" (%s, %s)", source ? source : "none",
                         target, type ? type : "none", names);
}

int
husk_mount (const char *source, const char *target, const char *shown_target, const char *type,
            unsigned long flags, const char *data, struct husk_error **err)
{
  if (mount (source, target, type, flags, data) == 0)
    return 0;
  return mount_error (err, errno, source, shown_target ? shown_target : target, type, flags, data);
}

int
husk_mount_fd (const char *source, int target_fd, const char *shown_target, const char *type,
               unsigned long flags, const char *data, struct husk_error **err)
{
  char path[HUSK_FD_PATH_SIZE];
  return husk_mount (source, husk_fd_path (target_fd, path), shown_target, type, flags, data, err);
}

/* The flags a user namespace may not clear on a bind of a mount made
 * outside it (mount_namespaces(7), "locked" mounts). */
unsigned long
husk_mount_flags_of (int fd)
{
  static const struct { unsigned long st, ms; } map[] = {
    { ST_RDONLY, MS_RDONLY },   { ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },
    { ST_NOEXEC, MS_NOEXEC },   { ST_NOATIME, MS_NOATIME },       { ST_NODIRATIME, MS_NODIRATIME },
    { ST_RELATIME, MS_RELATIME },
  };
  struct statvfs sv;
  unsigned long flags = 0;
  if (fstatvfs (fd, &sv) < 0)
    return 0;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (sv.f_flag & map[i].st)
      flags |= map[i].ms;
  return flags;
}

int
husk_mount_remount_bind (int target_fd, const char *shown_target, unsigned long flags,
                         struct husk_error **err)
{
  char path[HUSK_FD_PATH_SIZE];
  flags |= MS_REMOUNT | MS_BIND;
  if (mount (NULL, husk_fd_path (target_fd, path), NULL, flags, NULL) == 0)
    return 0;
  if (errno != EPERM)
    return mount_error (err, errno, NULL, shown_target, NULL, flags, NULL);
  unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
  unsigned long locked = husk_mount_flags_of (target_fd);
  unsigned long retry = (locked & atime ? flags & ~atime : flags) | locked;
  return husk_mount_fd (NULL, target_fd, shown_target, NULL, retry, NULL, err);
}

int
husk_mount_setattr (int target_fd, const char *shown_target, bool recursive, uint64_t attr_set,
                    uint64_t attr_clr, struct husk_error **err)
{
  struct mount_attr attr = { .attr_set = attr_set, .attr_clr = attr_clr };
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (mount_setattr (target_fd, "", flags, &attr, sizeof attr) == 0)
    return 0;
  return husk_error_set (err, errno, "mount_setattr \"%s\" (set %#llx, clear %#llx%s)",
                         shown_target, (unsigned long long) attr_set,
                         (unsigned long long) attr_clr, recursive ? ", recursive" : "");
}

bool
husk_mount_setattr_available (void)
{
  static int known = -1;
  /* no mount to change: EBADF where the call exists, ENOSYS before Linux
   * 5.12 (and under valgrind 3.19, which does not know it) */
  if (known < 0)
    known = !(mount_setattr (-1, "", AT_EMPTY_PATH, NULL, 0) < 0 && errno == ENOSYS);
  return known;
}

int
husk_mount_clone (int source_fd, const char *shown_source, bool recursive,
                  struct husk_error **err)
{
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
  int tree = open_tree (source_fd, "", flags | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return husk_error_set (err, errno, "open_tree \"%s\" (clone%s)", shown_source,
                           recursive ? ", recursive" : "");
  return tree;
}

int
husk_mount_move (int tree_fd, const char *shown_source, int target_fd, const char *shown_target,
                 struct husk_error **err)
{
  if (move_mount (tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return husk_error_set (err, errno, "move_mount \"%s\" on \"%s\"", shown_source, shown_target);
  return 0;
}

/* Where the new mount API is missing (ENOSYS: Linux < 5.2, valgrind), the
 * same bind through mount(2) on /proc/self/fd names. */
static int
bind_by_proc_fd (int source_fd, const char *shown_source, int target_fd,
                 const char *shown_target, bool recursive, struct husk_error **err)
{
  char source[HUSK_FD_PATH_SIZE];
  (void) shown_source;
  return husk_mount_fd (husk_fd_path (source_fd, source), target_fd, shown_target, NULL,
                        MS_BIND | (recursive ? MS_REC : 0), NULL, err);
}

int
husk_mount_bind_fd (int source_fd, const char *shown_source, int target_fd,
                    const char *shown_target, bool recursive, struct husk_error **err)
{
  cleanup_error struct husk_error *clone_err = NULL;
  cleanup_close int tree = husk_mount_clone (source_fd, shown_source, recursive, &clone_err);
  if (tree < 0 && clone_err->errnum == ENOSYS)
    return bind_by_proc_fd (source_fd, shown_source, target_fd, shown_target, recursive, err);
  if (tree < 0)
    return husk_error_propagate (err, &clone_err);
  return husk_mount_move (tree, shown_source, target_fd, shown_target, err);
}
