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
#include <unistd.h>

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
      || sscanf (f[0], "%llu", &m->id) != 1 || sscanf (f[1], "%llu", &m->parent) != 1)
    return false;
  m->devno = makedev (major, minor);
  m->root = unescape (f[3]);
  m->target = unescape (f[4]);
  m->fstype = unescape (type);
  m->super_opts = super;
  return true;
}

/* The whole table, parsed: the entries point into `text`. */
struct husk_mountinfo_table {
  char *text;
  struct husk_mountinfo *entries;
  size_t len;
};

static void
table_free (struct husk_mountinfo_table *t)
{
  free (t->text);
  free (t->entries);
}

/* All of `file`: mountinfo is made a few KiB per read(2) whatever the
 * buffer, so read until the end. */
static int
read_all (const char *file, char **out, struct husk_error **err)
{
  cleanup_close int fd = open (file, O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", file);
  for (;;)
    {
      if (cap - len < 16384)
        {
          char *nb = realloc (buf, cap += 65536);
          if (nb == NULL)
            return husk_error_set (err, ENOMEM, "read `%s`", file);
          buf = nb;
        }
      ssize_t n = read (fd, buf + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_set (err, errno, "read `%s`", file);
      if (n == 0)
        break;
      len += (size_t) n;
    }
  buf[len] = '\0';
  *out = steal_pointer (&buf);
  return 0;
}

/* Parses t->text (ours, cut in place into the entries' fields). */
static int
table_parse (const char *file, struct husk_mountinfo_table *t, struct husk_error **err)
{
  size_t lines = 0;

  for (const char *p = t->text; *p; p++)
    lines += *p == '\n';
  t->entries = calloc (lines + 1, sizeof *t->entries);
  if (t->entries == NULL)
    return husk_error_set (err, ENOMEM, "read `%s`", file);
  for (char *line = t->text, *next; *line; line = next)
    {
      next = line + strcspn (line, "\n");
      if (*next)
        *next++ = '\0';
      if (parse_line (line, &t->entries[t->len]))
        t->entries[t->len++].table = t;
    }
  return 0;
}

static int
table_each (struct husk_mountinfo_table *t,
            int (*fn) (const struct husk_mountinfo *m, void *data, struct husk_error **err),
            void *data, struct husk_error **err)
{
  for (size_t i = 0; i < t->len; i++)
    if (fn (&t->entries[i], data, err) < 0)
      return -1;
  return 0;
}

int
husk_mountinfo_each (const char *path,
                     int (*fn) (const struct husk_mountinfo *m, void *data,
                                struct husk_error **err),
                     void *data, struct husk_error **err)
{
  __attribute__ ((cleanup (table_free))) struct husk_mountinfo_table t = { 0 };
  const char *file = path ? path : "/proc/self/mountinfo";

  if (read_all (file, &t.text, err) < 0 || table_parse (file, &t, err) < 0)
    return -1;
  return table_each (&t, fn, data, err);
}

int
husk_mountinfo_each_text (const char *text,
                          int (*fn) (const struct husk_mountinfo *m, void *data,
                                     struct husk_error **err),
                          void *data, struct husk_error **err)
{
  __attribute__ ((cleanup (table_free))) struct husk_mountinfo_table t = { 0 };

  if ((t.text = strdup (text)) == NULL)
    return husk_error_set (err, ENOMEM, "mountinfo");
  if (table_parse ("mountinfo", &t, err) < 0)
    return -1;
  return table_each (&t, fn, data, err);
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

static const struct husk_mountinfo *
table_find (const struct husk_mountinfo_table *t, unsigned long long id)
{
  for (size_t i = 0; i < t->len; i++)
    if (t->entries[i].id == id)
      return &t->entries[i];
  return NULL;
}

/* `dir` is one of the parent directories of `path`. */
static bool
path_above (const char *dir, const char *path)
{
  size_t n = strlen (dir);
  if (strcmp (dir, "/") == 0)
    return path[1] != '\0';
  return strncmp (dir, path, n) == 0 && path[n] == '/';
}

/* Nothing is mounted on m's root at its mountpoint (a mount stacked on it
 * hides all of it). */
static bool
table_on_top (const struct husk_mountinfo_table *t, const struct husk_mountinfo *m)
{
  for (size_t i = 0; i < t->len; i++)
    if (t->entries[i].parent == m->id && &t->entries[i] != m
        && strcmp (t->entries[i].target, m->target) == 0)
      return false;
  return true;
}

/* The path to m's mountpoint reaches m's position: m's parent is reached
 * and, unless m is stacked on it, is on top there, with no other mount of
 * its own on a directory between them (a tmpfs mounted over
 * /sys/fs/cgroup hides the hierarchies mounted under it). */
static bool
table_reached (const struct husk_mountinfo_table *t, const struct husk_mountinfo *m, int depth)
{
  const struct husk_mountinfo *parent = m->parent == m->id ? NULL : table_find (t, m->parent);
  if (parent == NULL)
    return true; /* our root */
  if (depth > 64)
    return false;
  if (strcmp (m->target, parent->target) == 0)
    return table_reached (t, parent, depth + 1);
  if (!table_reached (t, parent, depth + 1) || !table_on_top (t, parent))
    return false;
  for (size_t i = 0; i < t->len; i++)
    if (t->entries[i].parent == parent->id && &t->entries[i] != m
        && path_above (t->entries[i].target, m->target))
      return false;
  return true;
}

/* Without asking the kernel: the table says where each mount sits. */
static bool
table_visible (const struct husk_mountinfo *m)
{
  return table_reached (m->table, m, 0) && table_on_top (m->table, m);
}

bool
husk_mountinfo_visible (const struct husk_mountinfo *m)
{
  struct statx stx;

  if (m->table)
    return table_visible (m);
  if (statx (AT_FDCWD, m->target, 0, STATX_MNT_ID, &stx) < 0)
    return false;
  if (stx.stx_mask & STATX_MNT_ID)
    return stx.stx_mnt_id == m->id;
  return makedev (stx.stx_dev_major, stx.stx_dev_minor) == m->devno;
}
