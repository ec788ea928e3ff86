/* tmpcopyup (runc's extension): a tmpfs mounted over a directory of the
 * image starts with a copy of what it hides, owners and modes kept. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs_internal.h"

static int
copy_data (int lower_dir, int upper_dir, const char *name, const struct stat *st)
{
  cleanup_close int in = openat (lower_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return -errno;
  cleanup_close int out = openat (upper_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                                       | O_CLOEXEC, st->st_mode & 07777);
  if (out < 0)
    return -errno;
  for (;;)
    {
      /* sendfile, not copy_file_range: that one refuses to cross from the
       * image's filesystem to tmpfs (EXDEV). */
      ssize_t n = sendfile (out, in, NULL, 1 << 30);
      if (n == 0)
        return 0;
      if (n < 0)
        return -errno;
    }
}

static int copy_dir (int lower_fd, int upper_fd, int depth);

static int
copy_subdir (int lower_dir, int upper_dir, const char *name, const struct stat *st, int depth)
{
  if (mkdirat (upper_dir, name, st->st_mode & 07777) < 0)
    return -errno;
  cleanup_close int lower = openat (lower_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                                         | O_CLOEXEC);
  cleanup_close int upper = openat (upper_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                                         | O_CLOEXEC);
  if (lower < 0 || upper < 0)
    return -errno;
  return copy_dir (lower, upper, depth + 1);
}

static int
copy_entry (int lower_dir, int upper_dir, const char *name, int depth)
{
  struct stat st;
  char target[PATH_MAX];
  if (fstatat (lower_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  int r = 0;
  if (S_ISDIR (st.st_mode))
    r = copy_subdir (lower_dir, upper_dir, name, &st, depth);
  else if (S_ISREG (st.st_mode))
    r = copy_data (lower_dir, upper_dir, name, &st);
  else if (S_ISLNK (st.st_mode))
    {
      ssize_t n = readlinkat (lower_dir, name, target, sizeof target - 1);
      if (n < 0)
        return -errno;
      target[n] = '\0';
      r = symlinkat (target, upper_dir, name) < 0 ? -errno : 0;
    }
  else
    r = mknodat (upper_dir, name, st.st_mode, st.st_rdev) < 0 ? -errno : 0;
  if (r < 0)
    return r;
  if (fchownat (upper_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  if (!S_ISLNK (st.st_mode) && fchmodat (upper_dir, name, st.st_mode & 07777, 0) < 0)
    return -errno;
  return 0;
}

static int
copy_dir (int lower_fd, int upper_fd, int depth)
{
  if (depth > 256)
    return -ELOOP;
  int fd = dup (lower_fd);
  if (fd < 0)
    return -errno;
  cleanup_dir DIR *dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return -errno;
    }
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      int r = copy_entry (dirfd (dir), upper_fd, de->d_name, depth);
      if (r < 0)
        return r;
    }
  return 0;
}

int
husk_copy_tree (int lower_fd, int upper_fd, const char *shown, struct husk_error **err)
{
  struct stat st;
  int r = copy_dir (lower_fd, upper_fd, 0);
  /* The tmpfs root takes the hidden directory's owner and mode, not
   * tmpfs's default 1777. */
  if (r == 0 && fstat (lower_fd, &st) < 0)
    r = -errno;
  if (r == 0 && (fchown (upper_fd, st.st_uid, st.st_gid) < 0
                 || fchmod (upper_fd, st.st_mode & 07777) < 0))
    r = -errno;
  if (r < 0)
    return husk_error_set (err, -r, "tmpcopyup \"%s\"", shown);
  return 0;
}
