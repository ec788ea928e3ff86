/* Layer unpacking on a tmpdir: whiteouts become overlayfs whiteouts, and
 * entries that would escape the layer are refused. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sandbox/image/image.h"
#include "tap.h"

struct entry {
  const char *name;
  mode_t type; /* S_IFREG, S_IFDIR, S_IFLNK */
  const char *data; /* file content or link target */
  const char *hardlink;
};

static void
write_tar (const char *path, const struct entry *entries, size_t n)
{
  struct archive *a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  archive_write_open_filename (a, path);
  for (size_t i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();
      archive_entry_set_pathname (e, entries[i].name);
      archive_entry_set_filetype (e, entries[i].type);
      archive_entry_set_perm (e, entries[i].type == S_IFDIR ? 0755 : 0644);
      if (entries[i].hardlink)
        archive_entry_set_hardlink (e, entries[i].hardlink);
      if (entries[i].type == S_IFLNK)
        archive_entry_set_symlink (e, entries[i].data);
      size_t len = entries[i].type == S_IFREG && entries[i].data ? strlen (entries[i].data) : 0;
      archive_entry_set_size (e, len);
      archive_write_header (a, e);
      if (len)
        archive_write_data (a, entries[i].data, len);
      archive_entry_free (e);
    }
  archive_write_close (a);
  archive_write_free (a);
}

static int
unpack (const char *tar, const char *dir, char *msg, size_t len)
{
  struct husk_error *err = NULL;
  int ret = husk_image_unpack_layer (tar, dir, &err);
  snprintf (msg, len, "%s", err ? err->message : "");
  husk_error_release (&err);
  return ret;
}

static void
test_whiteouts (const char *tmp)
{
  char tar[600], dir[600], p[700], msg[1024], val[4] = "";
  struct stat st;
  const struct entry layer[] = {
    { "etc/", S_IFDIR, NULL, NULL },
    { "etc/.wh.gone", S_IFREG, "", NULL },
    { "opaque/", S_IFDIR, NULL, NULL },
    { "opaque/.wh..wh..opq", S_IFREG, "", NULL },
    { "opaque/kept", S_IFREG, "k", NULL },
    { "./top.wh.not", S_IFREG, "x", NULL },
  };

  snprintf (tar, sizeof tar, "%s/wh.tar", tmp);
  snprintf (dir, sizeof dir, "%s/wh", tmp);
  mkdir (dir, 0755);
  write_tar (tar, layer, sizeof layer / sizeof layer[0]);
  ok (unpack (tar, dir, msg, sizeof msg) == 0, "a layer with whiteouts unpacks");
  snprintf (p, sizeof p, "%s/etc/gone", dir);
  ok (stat (p, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0),
      ".wh.gone became a 0:0 character device named gone");
  snprintf (p, sizeof p, "%s/etc/.wh.gone", dir);
  ok (access (p, F_OK) < 0, "the .wh. file itself is not extracted");
  snprintf (p, sizeof p, "%s/opaque", dir);
  ok (getxattr (p, "trusted.overlay.opaque", val, sizeof val - 1) == 1 && val[0] == 'y',
      ".wh..wh..opq made its directory opaque");
  snprintf (p, sizeof p, "%s/opaque/kept", dir);
  ok (access (p, F_OK) == 0, "files beside the opaque marker are kept");
  snprintf (p, sizeof p, "%s/top.wh.not", dir);
  ok (access (p, F_OK) == 0, "only a .wh. prefix is a whiteout");
}

static void
expect_refused (const char *tmp, const char *label, const struct entry *entries, size_t n,
                const char *outside)
{
  char tar[600], dir[600], msg[1024];
  static int k;

  snprintf (tar, sizeof tar, "%s/bad%d.tar", tmp, k);
  snprintf (dir, sizeof dir, "%s/bad%d", tmp, k++);
  mkdir (dir, 0755);
  write_tar (tar, entries, n);
  ok (unpack (tar, dir, msg, sizeof msg) < 0, "refused: %s", label);
  printf ("# %s\n", msg);
  if (outside)
    ok (access (outside, F_OK) < 0, "nothing written outside: %s", label);
}

static void
test_escapes (const char *tmp)
{
  char outside[600], target[600];
  snprintf (outside, sizeof outside, "%s/outside", tmp);
  mkdir (outside, 0755);
  snprintf (target, sizeof target, "%s/outside/pwned", tmp);

  const struct entry dotdot[] = { { "../../escape", S_IFREG, "x", NULL } };
  expect_refused (tmp, "a ../ path", dotdot, 1, NULL);
  const struct entry absolute[] = { { "/tmp/husk-abs-escape", S_IFREG, "x", NULL } };
  expect_refused (tmp, "an absolute path", absolute, 1, "/tmp/husk-abs-escape");
  const struct entry via_link[] = {
    { "lib", S_IFLNK, outside, NULL },
    { "lib/pwned", S_IFREG, "x", NULL },
  };
  expect_refused (tmp, "a write through a symlink", via_link, 2, target);
  const struct entry hard[] = { { "passwd", S_IFREG, NULL, "../../../etc/passwd" } };
  expect_refused (tmp, "a hard link out of the layer", hard, 1, NULL);
}

int
main (void)
{
  char tmp[] = "/tmp/husk-whiteout-XXXXXX", cmd[64];
  if (getuid () != 0)
    {
      printf ("1..0 # SKIP whiteouts need root (mknod, trusted xattrs)\n");
      return 0;
    }
  if (mkdtemp (tmp) == NULL)
    return 1;
  test_whiteouts (tmp);
  test_escapes (tmp);
  snprintf (cmd, sizeof cmd, "rm -rf %s", tmp);
  if (system (cmd) != 0)
    ok (false, "cleanup");
  return tap_done ();
}
