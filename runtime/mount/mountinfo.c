/* Reading /proc/self/mountinfo (see mountinfo.h for why not libmount).
 * A line: "id parent maj:min root mountpoint opts [optional...] - type
 * source super-opts", paths with space, tab, newline and backslash written
 * as octal escapes. */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../../oci/cleanup.h"

/* In place: "\040" -> ' '. */
static char *
unescape (char *s)
{
  char *out = s;
  for (const char *in = s; *in; out++)
    {
      if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7'
          && in[3] >= '0' && in[3] <= '7')
        {
          *out = (char) ((in[1] - '0') << 6 | (in[2] - '0') << 3 | (in[3] - '0'));
          in += 4;
        }
      else
        *out = *in++;
    }
  *out = '\0';
  return s;
}

/* The next space separated field of *cursor, NUL terminated; NULL at the
 * end of the line. */
static char *
next_field (char **cursor)
{
  char *start = *cursor + strspn (*cursor, " ");
  if (*start == '\0')
    return NULL;
  char *end = start + strcspn (start, " ");
  *cursor = *end ? end + 1 : end;
  *end = '\0';
  return start;
}

/* false for a line that does not have the shape of a mountinfo entry */
static bool
parse_line (char *line, struct husk_mountinfo *m)
{
  char *cur = line, *f[6], *dash;
  unsigned major, minor;

  for (int i = 0; i < 6; i++)
    if ((f[i] = next_field (&cur)) == NULL)
      return false;
  while ((dash = next_field (&cur)) && strcmp (dash, "-") != 0)
    ; /* optional fields: shared:N, master:N, ... */
  char *type = dash ? next_field (&cur) : NULL;
  char *source = type ? next_field (&cur) : NULL;
  char *super = source ? next_field (&cur) : NULL;
  if (super == NULL || sscanf (f[2], "%u:%u", &major, &minor) != 2
      || sscanf (f[0], "%llu", &m->id) != 1)
    return false;
  m->devno = makedev (major, minor);
  m->root = unescape (f[3]);
  m->target = unescape (f[4]);
  m->fstype = unescape (type);
  m->super_opts = super;
  return true;
}

#define MOUNTINFO_BUF ((size_t) 64 << 10)

int
husk_mountinfo_each (const char *path,
                     int (*fn) (const struct husk_mountinfo *m, void *data,
                                struct husk_error **err),
                     void *data, struct husk_error **err)
{
  const char *file = path ? path : "/proc/self/mountinfo";
  /* stdio reads /proc files 1 KiB at a time: a read per few lines of a
   * mountinfo that runs to tens of KiB on a host full of containers */
  cleanup_free char *buf = malloc (MOUNTINFO_BUF);
  cleanup_fclose FILE *f = fopen (file, "re");
  cleanup_free char *line = NULL;
  size_t size = 0;
  ssize_t n;

  if (f == NULL)
    return husk_error_set (err, errno, "open `%s`", file);
  if (buf)
    setvbuf (f, buf, _IOFBF, MOUNTINFO_BUF);
  while ((n = getline (&line, &size, f)) > 0)
    {
      struct husk_mountinfo m;
      if (line[n - 1] == '\n')
        line[n - 1] = '\0';
      if (parse_line (line, &m) && fn (&m, data, err) < 0)
        return -1;
    }
  return 0;
}

/* The option of optstr starting at `opt` (up to ',' or the end) is `name`,
 * optionally followed by "=value": the length of the name part, else 0. */
static size_t
option_named (const char *opt, const char *name, size_t name_len)
{
  return strncmp (opt, name, name_len) == 0
                 && (opt[name_len] == '\0' || opt[name_len] == ',' || opt[name_len] == '=')
             ? name_len
             : 0;
}

bool
husk_optstr_has (const char *optstr, const char *word)
{
  const char *eq = strchr (word, '=');
  size_t len = strlen (word), name_len = eq ? (size_t) (eq - word) : len;

  for (const char *opt = optstr; opt && *opt; opt = strchr (opt, ','), opt = opt ? opt + 1 : NULL)
    {
      if (!option_named (opt, word, name_len))
        continue;
      /* "name=value" must match whole; a bare word matches with or without a value */
      if (!eq || (strncmp (opt, word, len) == 0 && (opt[len] == '\0' || opt[len] == ',')))
        return true;
    }
  return false;
}

char *
husk_optstr_without (const char *optstr, const char *name)
{
  char *out = calloc (1, strlen (optstr) + 1);
  size_t name_len = strlen (name);

  if (out == NULL)
    return NULL;
  for (const char *opt = optstr; *opt;)
    {
      size_t len = strcspn (opt, ",");
      if (!option_named (opt, name, name_len))
        {
          if (*out)
            strcat (out, ",");
          strncat (out, opt, len);
        }
      opt += len;
      if (*opt == ',')
        opt++;
    }
  return out;
}

/* The mount id of path (statx), or its device where the kernel has no
 * mount ids (before 5.8). */
static int
mount_key (const char *path, unsigned long long *key)
{
  struct statx stx;

  if (statx (AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0)
    return -1;
  *key = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id
                                       : (unsigned long long) makedev (stx.stx_dev_major,
                                                                       stx.stx_dev_minor);
  return 0;
}

char *
husk_mountpoint_of (const char *path)
{
  cleanup_free char *mnt = realpath (path, NULL);
  unsigned long long base, dir;

  if (mnt == NULL || mount_key (mnt, &base) < 0)
    return NULL;
  while (strcmp (mnt, "/") != 0)
    {
      char *slash = strrchr (mnt, '/');
      char saved = slash[slash == mnt ? 1 : 0];
      slash[slash == mnt ? 1 : 0] = '\0';
      if (mount_key (mnt, &dir) < 0)
        return NULL;
      if (dir != base)
        {
          slash[slash == mnt ? 1 : 0] = saved; /* the child was the mountpoint */
          break;
        }
    }
  return steal_pointer (&mnt);
}

bool
husk_mountinfo_visible (const struct husk_mountinfo *m)
{
  struct statx stx;

  if (statx (AT_FDCWD, m->target, 0, STATX_MNT_ID, &stx) < 0)
    return false;
  if (stx.stx_mask & STATX_MNT_ID)
    return stx.stx_mnt_id == m->id;
  return makedev (stx.stx_dev_major, stx.stx_dev_minor) == m->devno;
}
