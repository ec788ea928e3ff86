/* An OCI image layout's JSON as pods' images give it: the input as
 * index.json (the manifest picked for no tag and for "latest", a nested
 * index followed to the blob named by the input's own digest), as a
 * manifest (its config digest) and as an image config (Entrypoint, Cmd,
 * Env, WorkingDir, User).  The blob of every digest is the input itself.
 * image.c is included for its static parsers. */
#include "../../sandbox/image/image.c"

#include "fuzz.h"

static const char digest[] =
  "sha256:0000000000000000000000000000000000000000000000000000000000000000";

static char layout[256];

static void
setup_layout (const uint8_t *data, size_t size)
{
  char path[400];
  struct husk_error *err = NULL;
  if (layout[0] == '\0')
    {
      snprintf (layout, sizeof layout, "%s/husk-fuzz-image-XXXXXX", getenv ("FUZZ_TMPDIR") ?: "/tmp");
      if (mkdtemp (layout) == NULL)
        abort ();
      snprintf (path, sizeof path, "%s/blobs/sha256", layout);
      if (pod_mkdir_p (path, 0755, &err) < 0)
        abort ();
    }
  snprintf (path, sizeof path, "%s/blobs/sha256/%s", layout, digest + 7);
  if (pod_write_file_atomic (path, (const char *) data, size, 0644, &err) < 0)
    abort ();
}

static void
clear_config (struct husk_image *img)
{
  husk_strvfreep (&img->entrypoint);
  husk_strvfreep (&img->cmd);
  husk_strvfreep (&img->env);
  free (img->working_dir);
  free (img->user);
  memset (img, 0, sizeof *img);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_error *err = NULL;
  struct husk_image img = { 0 };
  char *picked = NULL;
  yajl_val v = NULL, manifest;

  setup_layout (data, size);
  if (json_doc_parse ("index.json", (const char *) data, size, &v, &err) < 0)
    {
      husk_error_release (&err);
      return 0;
    }
  for (int tagged = 0; tagged < 2; tagged++)
    {
      if (find_manifest (layout, v, tagged ? "latest" : NULL, 0, &picked, &err) < 0)
        husk_error_release (&err);
      free (picked), picked = NULL;
    }
  manifest = yajl_tree_parse ("{\"config\":{\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}}", NULL, 0);
  if (read_config (layout, manifest, &img, &err) < 0)
    husk_error_release (&err);
  clear_config (&img);
  if (read_config (layout, v, &img, &err) < 0)
    husk_error_release (&err);
  clear_config (&img);
  yajl_tree_free (manifest);
  yajl_tree_free (v);
  return 0;
}
