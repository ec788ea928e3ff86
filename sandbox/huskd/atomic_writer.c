#include "atomic_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "sandbox/pod/pod_util.h"

void
projected_files_free (struct projected_file *f, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (f[i].path);
      free (f[i].data);
    }
  free (f);
}

bool
projected_path_ok (const char *path)
{
  cleanup_free char *copy = strdup (path);
  char *save = NULL;
  if (!copy || !*path || *path == '/' || strlen (path) > 4096)
    return false;
  if (!strncmp (path, "..", 2))
    return false; /* "..data" and the timestamped dirs are the writer's */
  for (char *s = strtok_r (copy, "/", &save); s; s = strtok_r (NULL, "/", &save))
    if (!strcmp (s, ".."))
      return false;
  return true;
}

/* The content at dir/..data/path is exactly f (and its mode). */
static bool
same_file (int data_fd, const struct projected_file *f)
{
  struct stat st;
  cleanup_close int fd = openat (data_fd, f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_free unsigned char *buf = NULL;
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (size_t) st.st_size != f->len
      || (st.st_mode & 07777) != f->mode)
    return false;
  buf = malloc (f->len + 1);
  return buf && read (fd, buf, f->len + 1) == (ssize_t) f->len
         && memcmp (buf, f->data, f->len) == 0;
}

static size_t
count_files (int dfd)
{
  size_t n = 0;
  int fd = dup (dfd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  for (struct dirent *e; d && (e = readdir (d));)
    {
      struct stat st;
      if (!strcmp (e->d_name, ".") || !strcmp (e->d_name, "..")
          || fstatat (dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          cleanup_close int sub = openat (dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          n += sub >= 0 ? count_files (sub) : 0;
        }
      else
        n++;
    }
  if (d)
    closedir (d);
  else if (fd >= 0)
    close (fd);
  return n;
}

static bool
up_to_date (const char *dir, const struct projected_file *files, size_t n)
{
  cleanup_free char *data = pod_path ("%s/..data", dir);
  cleanup_close int fd = data ? open (data, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (fd < 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!same_file (fd, &files[i]))
      return false;
  return count_files (fd) == n;
}

static int
write_one (const char *tsdir, const struct projected_file *f, struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s", tsdir, f->path);
  cleanup_free char *parent = path ? strdup (path) : NULL;
  char *slash = parent ? strrchr (parent, '/') : NULL;
  if (!slash)
    return husk_error_set (err, ENOMEM, "volume file");
  *slash = '\0';
  if (pod_mkdir_p (parent, 0755, err) < 0
      || pod_write_file_atomic (path, (const char *) f->data, f->len, f->mode, err) < 0)
    return -1;
  if (chmod (path, f->mode) < 0) /* not the umask's */
    return husk_error_set (err, errno, "chmod `%s`", path);
  return 0;
}

/* The first component of a path ("a" of "a/b/c"), in buf. */
static const char *
top_name (const char *path, char buf[256])
{
  snprintf (buf, 256, "%.*s", (int) strcspn (path, "/"), path);
  return buf;
}

static bool
is_top_name (const struct projected_file *files, size_t n, const char *name)
{
  char buf[256];
  for (size_t i = 0; i < n; i++)
    if (!strcmp (top_name (files[i].path, buf), name))
      return true;
  return false;
}

/* The top-level symlinks: one per top name, none for names now gone. */
static int
link_tops (const char *dir, const struct projected_file *files, size_t n, struct husk_error **err)
{
  cleanup_dir DIR *d = opendir (dir);
  char buf[256];
  for (struct dirent *e; d && (e = readdir (d));)
    if (strncmp (e->d_name, "..", 2) && strcmp (e->d_name, ".")
        && !is_top_name (files, n, e->d_name))
      unlinkat (dirfd (d), e->d_name, 0);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *target = pod_path ("..data/%s", top_name (files[i].path, buf));
      cleanup_free char *link = pod_path ("%s/%s", dir, buf);
      if (!target || !link)
        return husk_error_set (err, ENOMEM, "volume");
      if (symlink (target, link) < 0 && errno != EEXIST)
        return husk_error_set (err, errno, "symlink `%s`", link);
    }
  return 0;
}

int
huskd_atomic_write (const char *dir, const struct projected_file *files, size_t n, bool *changed,
                    struct husk_error **err)
{
  char ts[80], old[PATH_MAX] = "";
  struct timespec now;
  struct tm tm;
  cleanup_free char *data = pod_path ("%s/..data", dir), *tmp = pod_path ("%s/..data_tmp", dir);
  cleanup_free char *tsdir = NULL;
  ssize_t len;

  *changed = false;
  if (!data || !tmp)
    return husk_error_set (err, ENOMEM, "volume");
  if (up_to_date (dir, files, n))
    return 0;
  if (pod_mkdir_p (dir, 0755, err) < 0)
    return -1;
  clock_gettime (CLOCK_REALTIME, &now);
  gmtime_r (&now.tv_sec, &tm);
  snprintf (ts, sizeof ts, "..%04d_%02d_%02d_%02d_%02d_%02d.%09ld", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec);
  if (!(tsdir = pod_path ("%s/%s", dir, ts)))
    return husk_error_set (err, ENOMEM, "volume");
  if (mkdir (tsdir, 0755) < 0)
    return husk_error_set (err, errno, "mkdir `%s`", tsdir);
  chmod (tsdir, 0755);
  for (size_t i = 0; i < n; i++)
    if (write_one (tsdir, &files[i], err) < 0)
      {
        cleanup_error struct husk_error *e2 = NULL;
        pod_rm_rf (tsdir, &e2);
        return -1;
      }
  if ((len = readlink (data, old, sizeof old - 1)) > 0)
    old[len] = '\0';
  else
    old[0] = '\0';
  unlink (tmp);
  if (symlink (ts, tmp) < 0 || rename (tmp, data) < 0)
    return husk_error_set (err, errno, "switch `%s`", data);
  if (link_tops (dir, files, n, err) < 0)
    return -1;
  if (old[0] == '.' && old[1] == '.' && !strchr (old, '/') && strcmp (old, ts))
    {
      cleanup_free char *gone = pod_path ("%s/%s", dir, old);
      cleanup_error struct husk_error *e2 = NULL;
      if (gone)
        pod_rm_rf (gone, &e2);
    }
  *changed = true;
  return 0;
}
