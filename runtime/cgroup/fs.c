/* Reading and writing cgroup files, shared by v1 and v2.  Every error names
 * the file and the value, because "Invalid argument" alone never says which
 * of twenty writes the kernel refused. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

char *
cg_join (const char *a, const char *b)
{
  size_t la = strlen (a);
  char *out = NULL;
  while (la > 0 && a[la - 1] == '/')
    la--;
  while (*b == '/')
    b++;
  if (*b == '\0')
    return la ? strndup (a, la) : strdup ("/");
  if (asprintf (&out, "%.*s/%s", (int) la, a, b) < 0)
    return NULL;
  return out;
}

int
cg_write (const char *dir, const char *file, const char *value, struct husk_error **err)
{
  cleanup_free char *path = cg_join (dir, file);
  cleanup_close int fd = -1;

  if (path == NULL)
    return husk_error_set (err, ENOMEM, "write \"%s/%s\"", dir, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_set (err, errno, "write \"%s\" = \"%s\"", path, value);
  return cg_write_fd (fd, path, value, err);
}

int
cg_write_fd (int fd, const char *path, const char *value, struct husk_error **err)
{
  size_t len = strlen (value);
  /* A cgroup file takes one value per write(2): never split it. */
  ssize_t n = write (fd, value, len);
  if (n < 0)
    return husk_error_set (err, errno, "write \"%s\" = \"%s\"", path, value);
  if ((size_t) n != len)
    return husk_error_set (err, EIO, "write \"%s\" = \"%s\": short write", path, value);
  return 0;
}

int
cg_writef (const char *dir, const char *file, struct husk_error **err, const char *fmt, ...)
{
  cleanup_free char *value = NULL;
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&value, fmt, ap);
  va_end (ap);
  if (r < 0)
    return husk_error_set (err, ENOMEM, "write \"%s/%s\"", dir, file);
  return cg_write (dir, file, value, err);
}

int
cg_write_u64 (const char *dir, const char *file, uint64_t value, struct husk_error **err)
{
  return cg_writef (dir, file, err, "%" PRIu64, value);
}

int
cg_write_i64 (const char *dir, const char *file, int64_t value, struct husk_error **err)
{
  return cg_writef (dir, file, err, "%" PRId64, value);
}

bool
cg_has (const char *dir, const char *file)
{
  cleanup_free char *path = cg_join (dir, file);
  return path != NULL && access (path, F_OK) == 0;
}

/* `one_show`: the file is made by one show call of the kernel (a value,
 * cgroup.events, cgroup.controllers: not a list such as cgroup.procs,
 * which comes a page at a time), so a read with room to spare returned
 * all of it: no read more to see the end. */
static int
read_file (const char *dir, const char *file, bool one_show, char **out, struct husk_error **err)
{
  cleanup_free char *path = cg_join (dir, file);
  cleanup_free char *buf = NULL;
  cleanup_close int fd = -1;
  size_t len = 0, cap = 0;

  if (path == NULL)
    return husk_error_set (err, ENOMEM, "read \"%s/%s\"", dir, file);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_set (err, errno, "read \"%s\"", path);
  for (;;)
    {
      ssize_t n;
      if (cap - len < 4096)
        {
          char *nb = realloc (buf, cap + 8192);
          if (nb == NULL)
            return husk_error_set (err, ENOMEM, "read \"%s\"", path);
          buf = nb;
          cap += 8192;
        }
      n = read (fd, buf + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_set (err, errno, "read \"%s\"", path);
      if (n == 0)
        break;
      len += n;
      if (one_show && len < cap - 1)
        break;
    }
  buf[len] = '\0';
  *out = steal_pointer (&buf);
  return 0;
}

int
cg_read (const char *dir, const char *file, char **out, struct husk_error **err)
{
  return read_file (dir, file, false, out, err);
}

int
cg_read_value (const char *dir, const char *file, char **out, struct husk_error **err)
{
  return read_file (dir, file, true, out, err);
}

int
cg_read_u64 (const char *dir, const char *file, uint64_t *out, struct husk_error **err)
{
  cleanup_free char *s = NULL;
  char *end;

  if (cg_read (dir, file, &s, err) < 0)
    return -1;
  if (strncmp (s, "max", 3) == 0)
    {
      *out = UINT64_MAX;
      return 0;
    }
  errno = 0;
  *out = strtoull (s, &end, 10);
  if (errno != 0 || end == s)
    return husk_error_set (err, EINVAL, "read \"%s/%s\": not a number: \"%s\"", dir, file, s);
  return 0;
}

bool
cg_keyed_u64 (const char *content, const char *key, uint64_t *out)
{
  size_t klen = strlen (key);
  for (const char *line = content; line && *line; line = strchr (line, '\n'))
    {
      if (*line == '\n')
        line++;
      if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
        {
          *out = strtoull (line + klen + 1, NULL, 10);
          return true;
        }
    }
  return false;
}

int
cg_mkdir_p (const char *dir, char **created_top, struct husk_error **err)
{
  *created_top = NULL;
  /* the parent usually exists: one mkdir instead of one per component */
  if (mkdir (dir, 0755) == 0)
    {
      *created_top = strdup (dir);
      return *created_top ? 0 : husk_error_set (err, ENOMEM, "mkdir \"%s\"", dir);
    }
  if (errno == EEXIST)
    return 0;
  cleanup_free char *copy = strdup (dir);
  if (copy == NULL)
    return husk_error_set (err, ENOMEM, "mkdir \"%s\"", dir);
  for (char *p = copy + 1;; p++)
    {
      bool last = *p == '\0';
      if (*p != '/' && !last)
        continue;
      *p = '\0';
      if (mkdir (copy, 0755) == 0)
        {
          if (*created_top == NULL && (*created_top = strdup (copy)) == NULL)
            return husk_error_set (err, ENOMEM, "mkdir \"%s\"", copy);
        }
      else if (errno != EEXIST)
        {
          int saved = errno;
          if (*created_top)
            cg_rmdir_up_to (copy, *created_top);
          free (steal_pointer (created_top));
          return husk_error_set (err, saved, "mkdir \"%s\"", copy);
        }
      if (last)
        return 0;
      *p = '/';
    }
}

void
cg_rmdir_up_to (const char *dir, const char *top)
{
  cleanup_free char *copy = strdup (dir);
  size_t top_len = strlen (top);
  if (copy == NULL)
    return;
  while (strlen (copy) >= top_len)
    {
      char *slash;
      if (rmdir (copy) < 0 && errno != ENOENT)
        return;
      slash = strrchr (copy, '/');
      if (slash == NULL || slash == copy)
        return;
      *slash = '\0';
    }
}

static int
rmdir_children (const char *dir, struct husk_error **err)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  if (d == NULL)
    return errno == ENOENT ? 0 : husk_error_set (err, errno, "opendir \"%s\"", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *child = NULL;
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child = cg_join (dir, de->d_name);
      if (child == NULL)
        return husk_error_set (err, ENOMEM, "rmdir below \"%s\"", dir);
      if (cg_rmdir_tree (child, err) < 0)
        return -1;
    }
  return 0;
}

int
cg_rmdir_tree (const char *dir, struct husk_error **err)
{
  /* a cgroup without children goes in one rmdir; EBUSY when it has some
   * (or tasks: then the second rmdir reports it) */
  if (rmdir (dir) == 0 || errno == ENOENT)
    return 0;
  if (rmdir_children (dir, err) < 0)
    return -1;
  if (rmdir (dir) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "rmdir \"%s\"", dir);
  return 0;
}

static int
append_procs (const char *dir, pid_t **pids, size_t *len, struct husk_error **err)
{
  cleanup_free char *content = NULL;
  char *save = NULL;
  if (cg_read (dir, "cgroup.procs", &content, err) < 0)
    return -1;
  for (char *tok = strtok_r (content, "\n", &save); tok; tok = strtok_r (NULL, "\n", &save))
    {
      pid_t *np = realloc (*pids, (*len + 1) * sizeof **pids);
      if (np == NULL)
        return husk_error_set (err, ENOMEM, "read \"%s/cgroup.procs\"", dir);
      *pids = np;
      np[(*len)++] = (pid_t) strtol (tok, NULL, 10);
    }
  return 0;
}

static int
procs_tree (const char *dir, pid_t **pids, size_t *len, struct husk_error **err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (append_procs (dir, pids, len, err) < 0)
    return -1;
  d = opendir (dir);
  if (d == NULL)
    return husk_error_set (err, errno, "opendir \"%s\"", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *child = NULL;
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child = cg_join (dir, de->d_name);
      if (child == NULL)
        return husk_error_set (err, ENOMEM, "read below \"%s\"", dir);
      if (procs_tree (child, pids, len, err) < 0)
        return -1;
    }
  return 0;
}

int
cg_read_procs_tree (const char *dir, pid_t **pids, size_t *len, struct husk_error **err)
{
  cleanup_free pid_t *list = NULL;
  size_t n = 0;
  if (procs_tree (dir, &list, &n, err) < 0)
    return -1;
  *pids = steal_pointer (&list);
  *len = n;
  return 0;
}

static bool
controllers_match (const char *field, const char *want)
{
  /* /proc/self/cgroup lists co-mounted controllers in the kernel's order,
   * which need not be ours: compare as sets. */
  cleanup_free char *a = strdup (field);
  size_t n_field = 0, n_want = 1;
  char *save = NULL;
  if (a == NULL)
    return false;
  for (const char *c = want; *c; c++)
    n_want += *c == ',';
  if (*want == '\0')
    return *field == '\0';
  for (char *tok = strtok_r (a, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      size_t tl = strlen (tok);
      const char *p = want;
      bool found = false;
      n_field++;
      while (p && *p)
        {
          if (strncmp (p, tok, tl) == 0 && (p[tl] == ',' || p[tl] == '\0'))
            found = true;
          p = strchr (p, ',');
          p = p ? p + 1 : NULL;
        }
      if (!found)
        return false;
    }
  return n_field == n_want;
}

int
cg_read_own_cgroups (char **out, struct husk_error **err)
{
  /* made in one go (the kernel's single_open): one read */
  return read_file ("/proc/self", "cgroup", true, out, err);
}

int
cg_own_cgroup (const char *proc_cgroup, const char *controllers, char **out,
               struct husk_error **err)
{
  cleanup_free char *read = NULL, *copy = NULL;
  char *save = NULL;

  if (proc_cgroup == NULL && cg_read_own_cgroups (&read, err) < 0)
    return -1;
  copy = strdup (proc_cgroup ? proc_cgroup : read);
  if (copy == NULL)
    return husk_error_set (err, ENOMEM, "read \"/proc/self/cgroup\"");
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      if (!controllers_match (c1 + 1, controllers))
        continue;
      *out = strdup (c2 + 1);
      return *out ? 0 : husk_error_set (err, ENOMEM, "read \"/proc/self/cgroup\"");
    }
  return husk_error_set (err, ENOENT, "\"/proc/self/cgroup\": no line for controllers \"%s\"",
                         controllers);
}
