/* A layer tarball as the image store unpacks it (gzip or plain tar, OCI
 * whiteouts): the input unpacked into a fresh directory, which is then
 * removed.  Nothing may land outside it: a symlink or `..` entry that
 * escapes would write beside the directory, into `outside/`, checked
 * empty after every run. */
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "image.h"
#include "../../sandbox/pod/pod_util.h"

static char base[256], tarball[300], outside[300];

static int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  remove (path); /* never chmod: a hard link would change its target */
  return 0;
}

static void
rm_tree (const char *path)
{
  nftw (path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_error *err = NULL;
  char dir[400];

  if (base[0] == '\0')
    {
      snprintf (base, sizeof base, "%s/husk-fuzz-layer-XXXXXX", getenv ("FUZZ_TMPDIR") ?: "/tmp");
      if (mkdtemp (base) == NULL)
        abort ();
      snprintf (tarball, sizeof tarball, "%s/layer.tar", base);
      snprintf (outside, sizeof outside, "%s/outside", base);
    }
  FILE *f = fopen (tarball, "w");
  if (f == NULL || fwrite (data, 1, size, f) != size || fclose (f) != 0)
    abort ();
  snprintf (dir, sizeof dir, "%s/outside/layer", base);
  if (mkdir (outside, 0700) < 0 || mkdir (dir, 0755) < 0)
    abort ();
  if (husk_image_unpack_layer (tarball, dir, &err) < 0)
    husk_error_release (&err);
  rm_tree (dir);
  if (rmdir (outside) < 0)
    abort (); /* an entry escaped the layer directory */
  return 0;
}
