/* Resolution and creation inside the rootfs; see safe_path.h. */
#include "safe_path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../oci/cleanup.h"

/* Linux follows at most 40 symlinks in one lookup; do the same across the
 * restarts of husk_safe_create. */
#define MAX_SYMLINK_HOPS 40

int
husk_safe_openat2 (int root_fd, const char *path, int flags)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  if (flags & O_CREAT)
    how.mode = 0644;
  int fd = (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  if (fd < 0 && errno == ENOSYS)
    return husk_safe_open_walk (root_fd, path, flags);
  return fd;
}

/* The first lookup of a create: without following any symlink, so that a
 * success says the fd's path in the root is `path` itself (*plain); on
 * ELOOP (a symlink on the way) the lookup that follows them, and on
 * ENOSYS the walk in user space (which says nothing of symlinks). */
static int
openat2_plain_first (int root_fd, const char *path, int flags, bool *plain)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
  };
  int fd = (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  *plain = fd >= 0 || errno == ENOENT;
  if (fd < 0 && (errno == ELOOP || errno == ENOSYS))
    fd = husk_safe_openat2 (root_fd, path, flags);
  return fd;
}

int
husk_safe_open (int root_fd, const char *path, int flags, struct husk_error **err)
{
  int fd = husk_safe_openat2 (root_fd, path, flags);
  if (fd < 0)
    return husk_error_set (err, errno, "open \"%s\" in the rootfs", path);
  return fd;
}

const char *
husk_fd_path (int fd, char buf[HUSK_FD_PATH_SIZE])
{
  snprintf (buf, HUSK_FD_PATH_SIZE, "/proc/self/fd/%d", fd);
  return buf;
}

/* Makes `name` (one component) in parent_fd: 0 or -errno.  EEXIST after an
 * ENOENT lookup means `name` is a dangling symlink. */
static int
make_one (int parent_fd, const char *name, enum husk_safe_kind kind)
{
  if (kind == HUSK_SAFE_DIR)
    return mkdirat (parent_fd, name, 0755) < 0 ? -errno : 0;
  int fd = openat (parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return -errno;
  close (fd);
  return 0;
}

/* The path to walk again once the dangling symlink `name` in the directory
 * `base` (the text before it) is replaced by its target. */
static int
expand_symlink (int parent_fd, const char *base, const char *name, const char *rest,
                char **restart)
{
  char target[4096];
  ssize_t n = readlinkat (parent_fd, name, target, sizeof target - 1);
  if (n < 0)
    return -errno;
  target[n] = '\0';
  int r = target[0] == '/' ? asprintf (restart, "%s/%s", target, rest)
                           : asprintf (restart, "%s/%s/%s", base, target, rest);
  return r < 0 ? -ENOMEM : -EAGAIN;
}

/* Makes the component copy[start..end) (copy cut at end, `saved` the
 * character that was there), looked up as missing, in parent_fd: an O_PATH
 * fd on it, -EAGAIN with *restart set, or -errno. */
static int
make_missing (int parent_fd, char *copy, size_t start, size_t end, char saved, bool last,
              enum husk_safe_kind kind, char **restart)
{
  int r = make_one (parent_fd, copy + start, last ? kind : HUSK_SAFE_DIR);
  if (r == -EEXIST)
    {
      cleanup_free char *name = strdup (copy + start);
      copy[start] = '\0';
      r = name == NULL ? -ENOMEM
                       : expand_symlink (parent_fd, copy, name, saved ? copy + end + 1 : "",
                                         restart);
      return r; /* copy is dropped on -EAGAIN: no need to mend it */
    }
  if (r < 0)
    return r;
  int fd = openat (parent_fd, copy + start, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

/* Opens the prefix copy[0..end) as a directory (or, for the last component,
 * as anything), creating it in parent_fd when missing. */
static int
step (int root_fd, int parent_fd, char *copy, size_t start, size_t end, bool last,
      enum husk_safe_kind kind, char **restart)
{
  char saved = copy[end];
  copy[end] = '\0';
  int fd = husk_safe_openat2 (root_fd, copy, O_PATH | (last ? 0 : O_DIRECTORY));
  if (fd < 0 && errno == ENOENT)
    fd = make_missing (parent_fd, copy, start, end, saved, last, kind, restart);
  else if (fd < 0)
    fd = -errno;
  copy[end] = saved;
  return fd;
}

/* One walk down `path`: an O_PATH fd, -EAGAIN with *restart set when a
 * dangling symlink must be expanded, or -errno. */
static int
create_walk (int root_fd, const char *path, enum husk_safe_kind kind, char **restart)
{
  cleanup_free char *copy = strdup (path);
  if (copy == NULL)
    return -ENOMEM;
  cleanup_close int parent = husk_safe_openat2 (root_fd, "/", O_PATH | O_DIRECTORY);
  if (parent < 0)
    return -errno;

  size_t len = strlen (copy), i = 0;
  while (true)
    {
      while (copy[i] == '/')
        i++;
      if (copy[i] == '\0')
        return steal_fd (&parent); /* "/" or a trailing slash */
      size_t end = i;
      while (copy[end] != '\0' && copy[end] != '/')
        end++;
      size_t after = end;
      while (copy[after] == '/')
        after++;
      bool last = after >= len;
      int fd = step (root_fd, parent, copy, i, end, last, kind, restart);
      if (fd < 0)
        return fd;
      close (parent);
      parent = fd;
      if (last)
        return steal_fd (&parent);
      i = end;
    }
}

/* The walk's last step alone, when the parent of `path` exists (the usual
 * case: /dev/pts in the /dev just mounted): an fd, -EAGAIN with *restart
 * set, or -errno; -ENOENT also when the parent is missing. */
static int
create_last (int root_fd, const char *path, enum husk_safe_kind kind, char **restart)
{
  cleanup_free char *copy = strdup (path);
  if (copy == NULL)
    return -ENOMEM;
  size_t end = strlen (copy);
  while (end > 0 && copy[end - 1] == '/')
    copy[--end] = '\0';
  char *slash = strrchr (copy, '/');
  if (slash == NULL || slash[1] == '\0')
    return -ENOENT; /* relative or "/": the walk handles it */
  size_t start = (size_t) (slash - copy) + 1;
  *slash = '\0';
  cleanup_close int parent = husk_safe_openat2 (root_fd, *copy ? copy : "/",
                                                O_PATH | O_DIRECTORY);
  *slash = '/';
  if (parent < 0)
    return -errno;
  /* The caller's lookup of the whole path just said ENOENT. */
  return make_missing (parent, copy, start, end, '\0', true, kind, restart);
}

int
husk_safe_create_plain (int root_fd, const char *path, enum husk_safe_kind kind, bool *plain,
                        struct husk_error **err)
{
  /* Most targets exist already (the image's /proc, /dev, /sys): one
   * lookup resolves them as the walk below would, component by component;
   * else most have their parent.  A missing last component (ENOENT
   * without following a symlink) made in its parent keeps *plain. */
  bool no_link;
  int fd = openat2_plain_first (root_fd, path, O_PATH, &no_link);
  *plain = no_link && fd >= 0;
  if (fd >= 0)
    return fd;
  cleanup_free char *current = NULL;
  fd = errno == ENOENT ? create_last (root_fd, path, kind, &current) : -ENOENT;
  *plain = no_link && fd >= 0;
  if (fd >= 0)
    return fd;
  if (fd != -EAGAIN)
    current = strdup (path);
  if (current == NULL)
    return husk_error_set (err, ENOMEM, "create \"%s\" in the rootfs", path);

  for (int hops = 0; hops <= MAX_SYMLINK_HOPS; hops++)
    {
      char *restart = NULL;
      fd = create_walk (root_fd, current, kind, &restart);
      if (fd >= 0)
        return fd;
      if (fd != -EAGAIN)
        return husk_error_set (err, -fd, "create \"%s\" in the rootfs", path);
      free (current);
      current = restart;
    }
  return husk_error_set (err, ELOOP, "create \"%s\" in the rootfs", path);
}

int
husk_safe_create (int root_fd, const char *path, enum husk_safe_kind kind,
                  struct husk_error **err)
{
  bool plain;
  return husk_safe_create_plain (root_fd, path, kind, &plain, err);
}

int
husk_safe_create_dir_nofollow_plain (int root_fd, const char *path, bool *plain,
                                     struct husk_error **err)
{
  /* O_DIRECTORY with O_NOFOLLOW: ENOTDIR for a symlink, no fstat needed */
  int fd = openat2_plain_first (root_fd, path, O_PATH | O_NOFOLLOW | O_DIRECTORY, plain);
  *plain = *plain && fd >= 0;
  if (fd >= 0)
    return fd;
  if (errno == ENOENT)
    return husk_safe_create_plain (root_fd, path, HUSK_SAFE_DIR, plain, err);
  if (errno != ENOTDIR)
    return husk_error_set (err, errno, "open \"%s\" in the rootfs", path);
  struct stat st;
  cleanup_close int link = husk_safe_openat2 (root_fd, path, O_PATH | O_NOFOLLOW);
  bool symlink = link >= 0 && fstat (link, &st) == 0 && S_ISLNK (st.st_mode);
  return husk_error_set (err, ENOTDIR, "\"%s\" in the rootfs must be an ordinary directory%s",
                         path, symlink ? ", not a symlink" : "");
}

int
husk_safe_create_dir_nofollow (int root_fd, const char *path, struct husk_error **err)
{
  bool plain;
  return husk_safe_create_dir_nofollow_plain (root_fd, path, &plain, err);
}
