/* Unpacking one image layer safely, with whiteouts (see image.h).
 *
 * Names are checked before anything is written: no absolute names, no ".."
 * component, hard links only to names that pass the same check.  libarchive
 * then refuses to write through any symlink on the way
 * (ARCHIVE_EXTRACT_SECURE_SYMLINKS), so a layer that plants `lib -> /` and
 * then writes `lib/x` fails instead of writing to the host.  Not with
 * ARCHIVE_EXTRACT_UNLINK: with it libarchive silently replaces the symlink
 * by a directory, which hides a hostile layer instead of refusing it. */
#include "image.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../pod/pod_util.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

static void
archive_readp (struct archive **a)
{
  if (*a)
    archive_read_free (*a);
}

static void
archive_writep (struct archive **a)
{
  if (*a)
    archive_write_free (*a);
}

/* "./a/b/" -> "a/b"; NULL when the name is absolute or climbs. */
static char *
clean_name (const char *name)
{
  while (name[0] == '.' && name[1] == '/')
    name += 2;
  if (name[0] == '/' || name[0] == '\0')
    return NULL;
  char *s = strdup (name);
  if (s == NULL)
    return NULL;
  size_t n = strlen (s);
  while (n > 0 && s[n - 1] == '/')
    s[--n] = '\0';
  for (char *save = NULL, *copy = strdupa (s), *c = strtok_r (copy, "/", &save); c;
       c = strtok_r (NULL, "/", &save))
    if (strcmp (c, "..") == 0)
      {
        free (s);
        return NULL;
      }
  return n ? s : (free (s), NULL);
}

/* Overlayfs' own forms: a 0:0 character device hides a lower file, the
 * opaque xattr hides a lower directory's contents. */
static int
apply_whiteout (const char *root, const char *name, struct husk_error **err)
{
  const char *base = strrchr (name, '/');
  size_t dir_len = base ? (size_t) (base - name) : 0;
  base = base ? base + 1 : name;
  cleanup_free char *dir = pod_path ("%s/%.*s", root, (int) dir_len, name);

  if (dir == NULL || pod_mkdir_p (dir, 0755, err) < 0)
    return dir ? -1 : husk_error_set (err, ENOMEM, "whiteout");
  if (strcmp (base, WHITEOUT_OPAQUE) == 0)
    {
      if (setxattr (dir, "trusted.overlay.opaque", "y", 1, 0) < 0)
        return husk_error_set (err, errno, "opaque whiteout `%s`", name);
      return 0;
    }
  cleanup_free char *target = pod_path ("%s/%s", dir, base + strlen (WHITEOUT_PREFIX));
  if (target == NULL)
    return husk_error_set (err, ENOMEM, "whiteout");
  if (pod_rm_rf (target, err) < 0)
    return -1;
  if (mknod (target, S_IFCHR | 0000, makedev (0, 0)) < 0)
    return husk_error_set (err, errno, "whiteout `%s`", name);
  return 0;
}

static int
prepare_entry (struct archive_entry *e, const char *root, const char *name,
               struct husk_error **err)
{
  cleanup_free char *full = pod_path ("%s/%s", root, name);
  const char *link = archive_entry_hardlink (e);

  if (full == NULL)
    return husk_error_set (err, ENOMEM, "layer entry");
  archive_entry_set_pathname (e, full);
  if (link)
    {
      cleanup_free char *clean = clean_name (link);
      cleanup_free char *full_link = clean ? pod_path ("%s/%s", root, clean) : NULL;
      if (clean == NULL)
        return husk_error_set (err, EPERM, "layer entry `%s`: hard link to `%s` escapes the layer",
                               name, link);
      if (full_link == NULL)
        return husk_error_set (err, ENOMEM, "layer entry");
      archive_entry_set_hardlink (e, full_link);
    }
  return 0;
}

static int
extract_entry (struct archive *in, struct archive *out, struct archive_entry *e, const char *root,
               struct husk_error **err)
{
  const char *raw = archive_entry_pathname (e);
  cleanup_free char *name = raw ? clean_name (raw) : NULL;
  const char *base;

  if (raw && (strcmp (raw, "./") == 0 || strcmp (raw, ".") == 0))
    return 0;
  if (name == NULL)
    return husk_error_set (err, EPERM, "layer entry `%s` escapes the layer", raw ? raw : "");
  base = strrchr (name, '/');
  base = base ? base + 1 : name;
  if (strncmp (base, WHITEOUT_PREFIX, strlen (WHITEOUT_PREFIX)) == 0)
    return apply_whiteout (root, name, err);
  if (prepare_entry (e, root, name, err) < 0)
    return -1;
  if (archive_write_header (out, e) < ARCHIVE_WARN)
    return husk_error_set (err, archive_errno (out) ? archive_errno (out) : EPERM,
                           "layer entry `%s`: %s", name, archive_error_string (out));
  if (archive_entry_size (e) > 0)
    {
      const void *buf;
      size_t size;
      la_int64_t off;
      int r;
      while ((r = archive_read_data_block (in, &buf, &size, &off)) == ARCHIVE_OK)
        if (archive_write_data_block (out, buf, size, off) < ARCHIVE_WARN)
          return husk_error_set (err, archive_errno (out), "write `%s`: %s", name,
                                 archive_error_string (out));
      if (r != ARCHIVE_EOF)
        return husk_error_set (err, archive_errno (in), "read `%s`: %s", name,
                               archive_error_string (in));
    }
  if (archive_write_finish_entry (out) < ARCHIVE_WARN)
    return husk_error_set (err, archive_errno (out), "finish `%s`: %s", name,
                           archive_error_string (out));
  return 0;
}

bool
husk_image_zstd_supported (void)
{
  struct archive *a = archive_read_new ();
  bool ok = a && archive_read_support_filter_zstd (a) == ARCHIVE_OK;
  if (a)
    archive_read_free (a);
  return ok;
}

int
husk_image_unpack_layer (const char *tarball, const char *dir, struct husk_error **err)
{
  __attribute__ ((cleanup (archive_readp))) struct archive *in = archive_read_new ();
  __attribute__ ((cleanup (archive_writep))) struct archive *out = archive_write_disk_new ();
  char root[PATH_MAX];
  struct archive_entry *e;
  int r;

  if (in == NULL || out == NULL)
    return husk_error_set (err, ENOMEM, "libarchive");
  /* The prefix itself must not contain symlinks, or SECURE_SYMLINKS refuses
   * every entry. */
  if (realpath (dir, root) == NULL)
    return husk_error_set (err, errno, "layer dir `%s`", dir);
  archive_read_support_filter_gzip (in);
  /* zstd only through libarchive's libzstd, never an external program */
  if (husk_image_zstd_supported ())
    archive_read_support_filter_zstd (in);
  archive_read_support_filter_none (in);
  archive_read_support_format_tar (in);
  archive_write_disk_set_options (out, ARCHIVE_EXTRACT_SECURE_SYMLINKS
                                           | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_PERM
                                           | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_OWNER
                                           | ARCHIVE_EXTRACT_XATTR);
  if (archive_read_open_filename (in, tarball, 65536) != ARCHIVE_OK)
    return husk_error_set (err, archive_errno (in), "open layer `%s`: %s", tarball,
                           archive_error_string (in));
  while ((r = archive_read_next_header (in, &e)) == ARCHIVE_OK)
    if (extract_entry (in, out, e, root, err) < 0)
      return husk_error_wrap (err, "layer `%s`", tarball);
  if (r != ARCHIVE_EOF)
    return husk_error_set (err, archive_errno (in), "layer `%s`: %s", tarball,
                           archive_error_string (in));
  return 0;
}
