/* The state store: directories, the per-id lock, and the state record. */
#include "state_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "mkdir_p.h"

int
husk_state_validate_id (const char *id, struct husk_error **err)
{
  size_t len = id ? strlen (id) : 0;

  if (len == 0)
    return husk_error_plain (err, EINVAL, "container id cannot be empty");
  if (len > 1024)
    return husk_error_plain (err, EINVAL, "invalid id format: id is longer than 1024 bytes");
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return husk_error_plain (err, EINVAL, "invalid container id format: %s", id);
  for (const char *p = id; *p; p++)
    {
      char c = *p;
      bool good = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                  || c == '_' || c == '+' || c == '-' || c == '.';
      if (!good)
        return husk_error_plain (err, EINVAL, "invalid container id format: %s", id);
    }
  return 0;
}

void
husk_state_dir_close (struct husk_state_dir *dir)
{
  if (dir->dirfd >= 0)
    close (dir->dirfd); /* drops the flock */
  dir->dirfd = -1;
  free (dir->path);
  dir->path = NULL;
}

void
husk_state_dir_unlock (struct husk_state_dir *dir)
{
  if (dir->dirfd >= 0)
    flock (dir->dirfd, LOCK_UN);
}

static int
lock_dir (const char *path, bool lock, struct husk_state_dir *out, struct husk_error **err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return husk_error_plain (err, ENOENT, "container does not exist");
      return husk_error_set (err, errno, "open `%s`", path);
    }
  if (lock && flock (fd, LOCK_EX) < 0)
    return husk_error_set (err, errno, "lock `%s`", path);
  out->path = strdup (path);
  if (out->path == NULL)
    return husk_error_set (err, ENOMEM, "strdup");
  out->dirfd = steal_fd (&fd);
  return 0;
}

int
husk_state_dir_create (const char *root, const char *id, struct husk_state_dir *out,
                       struct husk_error **err)
{
  cleanup_free char *path = NULL;

  out->dirfd = -1;
  out->path = NULL;
  if (husk_state_validate_id (id, err) < 0)
    return -1;
  if (asprintf (&path, "%s/%s", root, id) < 0)
    return husk_error_set (err, ENOMEM, "asprintf");
  /* the root and its missing parents, as runc's MkdirAll, when the first
   * mkdir says they are missing (the root is there but on a first run) */
  int made = mkdir (path, 0711);
  if (made < 0 && errno == ENOENT)
    {
      char failed[4096];
      if (husk_mkdir_p (root, 0711, failed) < 0)
        return husk_error_set (err, errno, "mkdir state root `%s`", failed);
      made = mkdir (path, 0711);
    }
  if (made < 0)
    {
      if (errno == EEXIST)
        return husk_error_plain (err, EEXIST, "container with id exists: %s", id);
      return husk_error_set (err, errno, "mkdir `%s`", path);
    }
  if (lock_dir (path, true, out, err) < 0)
    {
      rmdir (path);
      return -1;
    }
  return 0;
}

static int
open_dir (const char *root, const char *id, bool lock, struct husk_state_dir *out,
          struct husk_error **err)
{
  cleanup_free char *path = NULL;

  out->dirfd = -1;
  out->path = NULL;
  if (husk_state_validate_id (id, err) < 0)
    return -1;
  if (asprintf (&path, "%s/%s", root, id) < 0)
    return husk_error_set (err, ENOMEM, "asprintf");
  return lock_dir (path, lock, out, err);
}

int
husk_state_dir_open (const char *root, const char *id, struct husk_state_dir *out,
                     struct husk_error **err)
{
  return open_dir (root, id, true, out, err);
}

int
husk_state_dir_peek (const char *root, const char *id, struct husk_state_dir *out,
                     struct husk_error **err)
{
  return open_dir (root, id, false, out, err);
}

/* The files every state dir has, removed by name; the directory walk only
 * when something else is left (exec.fifo, the notify socket, a pid file). */
static bool
remove_known (struct husk_state_dir *dir)
{
  unlinkat (dir->dirfd, HUSK_STATE_FILE, 0);
  unlinkat (dir->dirfd, HUSK_CONFIG_FILE, 0);
  return rmdir (dir->path) == 0 || errno == ENOENT;
}

int
husk_state_dir_remove (struct husk_state_dir *dir, struct husk_error **err)
{
  if (remove_known (dir))
    return 0;
  cleanup_dir DIR *d = NULL;
  int fd = openat (dir->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct dirent *de;

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return husk_error_set (err, errno, "open `%s`", dir->path);
    }
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (strcmp (de->d_name, "notify") == 0) /* the sd_notify socket's dir */
        {
          unlinkat (dir->dirfd, "notify/notify.sock", 0);
          if (unlinkat (dir->dirfd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            return husk_error_set (err, errno, "remove `%s/%s`", dir->path, de->d_name);
          continue;
        }
      if (unlinkat (dir->dirfd, de->d_name, 0) < 0 && errno != ENOENT)
        return husk_error_set (err, errno, "remove `%s/%s`", dir->path, de->d_name);
    }
  if (rmdir (dir->path) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "remove `%s`", dir->path);
  return 0;
}

int
husk_write_file_at (int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                    struct husk_error **err)
{
  char tmp[256];
  cleanup_close int fd = -1;

  snprintf (tmp, sizeof tmp, ".%s.tmp", name);
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", tmp);
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          unlinkat (dirfd, tmp, 0);
          return husk_error_set (err, saved, "write `%s`", tmp);
        }
      data += n, len -= (size_t) n;
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return husk_error_set (err, saved, "rename `%s` to `%s`", tmp, name);
    }
  return 0;
}

int
husk_proc_stat (pid_t pid, unsigned long long *start_time, char *state)
{
  char path[64], buf[1024];
  cleanup_close int fd = -1;
  ssize_t n;
  char *p;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno = ESRCH, -1;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return errno = ESRCH, -1;
  buf[n] = '\0';
  /* comm may hold spaces and parentheses: fields start after the last ')' */
  p = strrchr (buf, ')');
  if (p == NULL || p[1] == '\0')
    return errno = EINVAL, -1;
  p += 2;
  if (state)
    *state = *p;
  for (int field = 3; field < 22 && p; field++)
    {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  if (p == NULL)
    return errno = EINVAL, -1;
  if (start_time)
    *start_time = strtoull (p, NULL, 10);
  return 0;
}

void
husk_rfc3339 (const struct timespec *ts, char buf[static 40])
{
  /* days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil,
   * inverted): eras of 400 years from 0000-03-01 */
  long long days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400;
  if (secs < 0)
    secs += 86400, days--;
  days += 719468;
  long long era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned doe = (unsigned) (days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
  long long year = (long long) yoe + era * 400 + (month <= 2);

  char wide[128]; /* the compiler cannot see the fields' bounds */

  snprintf (wide, sizeof wide, "%04lld-%02u-%02uT%02u:%02u:%02u.%09uZ", year, month, day,
            (unsigned) (secs / 3600), (unsigned) (secs / 60 % 60), (unsigned) (secs % 60),
            (unsigned) (ts->tv_nsec % 1000000000));
  snprintf (buf, 40, "%.39s", wide);
}

int
husk_rfc3339_now (char buf[static 40])
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  husk_rfc3339 (&ts, buf);
  return 0;
}

void
husk_state_record_free (struct husk_state_record *rec)
{
  if (rec == NULL)
    return;
  free (rec->id);
  free (rec->bundle);
  free (rec->rootfs);
  free (rec->cgroup_path);
  free (rec->created);
  free (rec->owner);
  for (size_t i = 0; i < rec->annotations.len; i++)
    {
      free (rec->annotations.keys[i]);
      free (rec->annotations.values[i]);
    }
  free (rec->annotations.keys);
  free (rec->annotations.values);
  free (rec);
}
