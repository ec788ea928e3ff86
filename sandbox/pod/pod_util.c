/* Helpers shared by the pod sandbox files (see pod_util.h). */
#include "pod_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "sandbox.h"

extern char **environ;

int
pod_read_file (const char *path, char **out, size_t *len, struct husk_error **err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t n = 0, cap = 0;

  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", path);
  for (;;)
    {
      if (n + 4096 + 1 > cap)
        {
          char *p = realloc (buf, cap = cap * 2 + 8192);
          if (p == NULL)
            return husk_error_set (err, ENOMEM, "read `%s`", path);
          buf = p;
        }
      ssize_t r = read (fd, buf + n, cap - n - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return husk_error_set (err, errno, "read `%s`", path);
      if (r == 0)
        break;
      n += r;
    }
  buf[n] = '\0';
  if (len)
    *len = n;
  *out = steal_pointer (&buf);
  return 0;
}

int
pod_write_file_atomic (const char *path, const char *data, size_t len, mode_t mode,
                       struct husk_error **err)
{
  /* Per thread: huskd may write one file from two threads at once. */
  cleanup_free char *tmp = pod_path ("%s.tmp.%d.%d", path, (int) getpid (), (int) gettid ());
  cleanup_close int fd = -1;

  if (tmp == NULL)
    return husk_error_set (err, ENOMEM, "write `%s`", path);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", tmp);
  for (size_t off = 0; off < len;)
    {
      ssize_t w = write (fd, data + off, len - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        {
          int e = errno;
          unlink (tmp);
          return husk_error_set (err, e, "write `%s`", tmp);
        }
      off += w;
    }
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return husk_error_set (err, e, "rename `%s` to `%s`", tmp, path);
    }
  return 0;
}

int
pod_mkdir_p (const char *path, mode_t mode, struct husk_error **err)
{
  cleanup_free char *p = strdup (path);

  if (p == NULL)
    return husk_error_set (err, ENOMEM, "mkdir `%s`", path);
  for (char *s = p + 1; *s; s++)
    if (*s == '/')
      {
        *s = '\0';
        if (mkdir (p, mode) < 0 && errno != EEXIST)
          return husk_error_set (err, errno, "mkdir `%s`", p);
        *s = '/';
      }
  if (mkdir (p, mode) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", p);
  return 0;
}

static int
rm_at (int dir_fd, const char *name, dev_t dev, struct husk_error **err)
{
  struct stat st;
  cleanup_dir DIR *d = NULL;
  int fd;

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : husk_error_set (err, errno, "stat `%s`", name);
  if (!S_ISDIR (st.st_mode))
    return unlinkat (dir_fd, name, 0) < 0 && errno != ENOENT
               ? husk_error_set (err, errno, "unlink `%s`", name)
               : 0;
  if (st.st_dev != dev)
    return husk_error_set (err, EBUSY, "`%s` is a mount point: not removing it", name);
  fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return husk_error_set (err, errno, "open `%s`", name);
    }
  for (struct dirent *e; (e = readdir (d));)
    if (strcmp (e->d_name, ".") && strcmp (e->d_name, "..")
        && rm_at (dirfd (d), e->d_name, dev, err) < 0)
      return husk_error_wrap (err, "in `%s`", name);
  if (unlinkat (dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "rmdir `%s`", name);
  return 0;
}

int
pod_rm_rf (const char *path, struct husk_error **err)
{
  struct stat st;

  if (lstat (path, &st) < 0)
    return errno == ENOENT ? 0 : husk_error_set (err, errno, "stat `%s`", path);
  return rm_at (AT_FDCWD, path, st.st_dev, err);
}

int64_t
pod_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
pod_random_id (char out[33], struct husk_error **err)
{
  unsigned char b[16];
  if (getrandom (b, sizeof b, 0) != sizeof b)
    return husk_error_set (err, errno, "getrandom");
  for (int i = 0; i < 16; i++)
    sprintf (out + 2 * i, "%02x", b[i]);
  return 0;
}

char *
pod_kv_get (const char *text, const char *key)
{
  size_t klen = strlen (key);
  for (const char *p = text; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
    if (strncmp (p, key, klen) == 0 && p[klen] == '=')
      {
        const char *v = p + klen + 1, *end = strchrnul (v, '\n');
        return strndup (v, end - v);
      }
  return NULL;
}

int
pod_exit_code (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 255;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The entries of `dir` (dot files skipped), sorted, NULL terminated. */
int
pod_list_dir (const char *dir, char ***ids, size_t *len, struct husk_error **err)
{
  cleanup_dir DIR *d = opendir (dir);
  char **v = NULL;
  size_t n = 0;

  if (d == NULL && errno != ENOENT)
    return husk_error_set (err, errno, "open `%s`", dir);
  for (struct dirent *e; d && (e = readdir (d));)
    {
      if (e->d_name[0] == '.' || strcmp (e->d_name, "lock") == 0)
        continue;
      char **nv = realloc (v, (n + 2) * sizeof *v);
      if (nv == NULL || (nv[n] = strdup (e->d_name)) == NULL)
        {
          nv = nv ? nv : v;
          nv[n] = NULL;
          husk_strv_free (nv);
          return husk_error_set (err, ENOMEM, "list `%s`", dir);
        }
      v = nv;
      v[++n] = NULL;
    }
  if (v == NULL && (v = calloc (1, sizeof *v)) == NULL)
    return husk_error_set (err, ENOMEM, "list `%s`", dir);
  qsort (v, n, sizeof *v, compare_strings);
  *ids = v;
  *len = n;
  return 0;
}

