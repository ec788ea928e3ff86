/* The pulled images of a store: listing, status, removal and disk use
 * (see registry.h), all from the reference records under refs/. */
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "../../oci/str_printf.h"
#include "../pod/pod_util.h"
#include "image_internal.h"

struct record {
  char *file, *name, *digest, *manifest, *id;
};

static void
record_clear (struct record *r)
{
  free (r->file);
  free (r->name);
  free (r->digest);
  free (r->manifest);
  free (r->id);
  memset (r, 0, sizeof *r);
}

static void
records_free (struct record *r, size_t n)
{
  for (size_t i = 0; i < n; i++)
    record_clear (&r[i]);
  free (r);
}

static int
load_records (const char *store, struct record **out, size_t *n, struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/refs", store);
  char **names = NULL;
  size_t len = 0;

  *out = NULL;
  *n = 0;
  if (dir == NULL)
    return husk_error_set (err, ENOMEM, "refs");
  if (pod_list_dir (dir, &names, &len, err) < 0)
    return -1;
  *out = calloc (len + 1, sizeof **out);
  for (size_t i = 0; *out && i < len; i++)
    {
      cleanup_free char *text = NULL;
      struct record *r = &(*out)[*n];
      struct husk_error *ignored = NULL;
      size_t tl;
      r->file = pod_path ("%s/%s", dir, names[i]);
      if (r->file == NULL || pod_read_file (r->file, &text, &tl, &ignored) < 0)
        {
          husk_error_release (&ignored);
          record_clear (r);
          continue; /* removed meanwhile */
        }
      r->name = pod_kv_get (text, "name");
      r->digest = pod_kv_get (text, "digest");
      r->manifest = pod_kv_get (text, "manifest");
      r->id = pod_kv_get (text, "id");
      if (!r->name || !husk_digest_valid (r->digest) || !husk_digest_valid (r->manifest)
          || !husk_digest_valid (r->id))
        record_clear (r);
      else
        (*n)++;
    }
  husk_strvfreep (&names);
  return *out ? 0 : husk_error_set (err, ENOMEM, "refs");
}

/* here, not in image_pull.c: a program that loads the pull code as a
 * module frees its results (image_transfer.h) */
void
husk_pull_result_free (struct husk_pull_result *r)
{
  free (r->name);
  free (r->image_id);
  free (r->digest);
  free (r->repo_digest);
  free (r->manifest_digest);
  memset (r, 0, sizeof *r);
}

void
husk_image_info_free (struct husk_image_info *info)
{
  free (info->id);
  husk_strvfreep (&info->repo_tags);
  husk_strvfreep (&info->repo_digests);
  free (info->user);
  memset (info, 0, sizeof *info);
}

void
husk_image_info_list_free (struct husk_image_info *infos, size_t n)
{
  for (size_t i = 0; i < n; i++)
    husk_image_info_free (&infos[i]);
  free (infos);
}

static int
strv_add (char ***v, const char *s)
{
  size_t n = 0;
  while (*v && (*v)[n])
    if (!strcmp ((*v)[n++], s))
      return 0;
  char **nv = realloc (*v, (n + 2) * sizeof *nv);
  if (nv == NULL || (nv[n] = strdup (s)) == NULL)
    return -1;
  nv[n + 1] = NULL;
  *v = nv;
  return 0;
}

static yajl_val
read_blob (const char *store, const char *digest)
{
  cleanup_free char *path = pod_path ("%s/blobs/sha256/%s", store, digest + 7);
  cleanup_free char *data = NULL;
  struct husk_error *e = NULL;
  yajl_val v = NULL;
  size_t len;
  if (path && pod_read_file (path, &data, &len, &e) == 0)
    json_doc_parse (path, data, len, &v, &e);
  husk_error_release (&e);
  return v;
}

/* Size (config + layers, from the manifest) and the config's User. */
static void
describe (const char *store, const struct record *r, struct husk_image_info *info)
{
  cleanup_json yajl_val manifest = read_blob (store, r->manifest);
  cleanup_json yajl_val config = read_blob (store, r->id);
  const char *size_path[] = { "size", NULL }, *cfg_path[] = { "config", NULL };
  const char *layers_path[] = { "layers", NULL }, *user_path[] = { "config", "User", NULL };
  yajl_val c = yajl_tree_get (manifest, cfg_path, yajl_t_object);
  yajl_val layers = yajl_tree_get (manifest, layers_path, yajl_t_array);
  yajl_val user = yajl_tree_get (config, user_path, yajl_t_string);
  yajl_val s = yajl_tree_get (c, size_path, yajl_t_number);

  info->size = s && YAJL_IS_INTEGER (s) ? YAJL_GET_INTEGER (s) : 0;
  for (size_t i = 0; layers && i < layers->u.array.len; i++)
    {
      s = yajl_tree_get (layers->u.array.values[i], size_path, yajl_t_number);
      info->size += s && YAJL_IS_INTEGER (s) ? YAJL_GET_INTEGER (s) : 0;
    }
  const char *u = user ? YAJL_GET_STRING (user) : NULL;
  if (u && u[0])
    info->user = strdup (u);
}

static int
add_record (const char *store, struct husk_image_info *info, const struct record *r)
{
  if (info->id == NULL)
    {
      if ((info->id = strdup (r->id)) == NULL)
        return -1;
      describe (store, r, info);
    }
  if (strchr (r->name, '@'))
    return strv_add (&info->repo_digests, r->name);
  cleanup_free char *by_digest = NULL;
  const char *colon = strrchr (r->name, ':');
  by_digest = str_printf ("%.*s@%s", (int) (colon - r->name), r->name, r->digest);
  return strv_add (&info->repo_tags, r->name) < 0 || !by_digest
                 || strv_add (&info->repo_digests, by_digest) < 0
             ? -1
             : 0;
}

int
husk_image_list (const char *store, struct husk_image_info **out, size_t *n,
                 struct husk_error **err)
{
  struct record *recs;
  size_t nr;

  *out = NULL;
  *n = 0;
  if (load_records (store, &recs, &nr, err) < 0)
    return -1;
  struct husk_image_info *infos = calloc (nr + 1, sizeof *infos);
  size_t ni = 0;
  for (size_t i = 0; infos && i < nr; i++)
    {
      size_t j = 0;
      while (j < ni && strcmp (infos[j].id, recs[i].id))
        j++;
      if (j == ni)
        ni++;
      if (add_record (store, &infos[j], &recs[i]) < 0)
        {
          husk_image_info_list_free (infos, ni);
          infos = NULL;
        }
    }
  records_free (recs, nr);
  if (infos == NULL)
    return husk_error_set (err, ENOMEM, "images");
  *out = infos;
  *n = ni;
  return 0;
}

/* The id `what` names: a reference's image, an id or an id's prefix. */
static const char *
match_id (const struct record *recs, size_t n, const char *what)
{
  struct husk_image_ref ref;
  cleanup_free char *name = NULL;
  cleanup_error struct husk_error *e = NULL;
  const char *hex = strncmp (what, "sha256:", 7) == 0 ? what + 7 : what;
  size_t hl = strlen (hex);

  if (husk_image_ref_parse (what, &ref, &e) == 0)
    {
      name = husk_image_ref_string (&ref);
      husk_image_ref_clear (&ref);
    }
  for (size_t i = 0; name && i < n; i++)
    if (!strcmp (recs[i].name, name))
      return recs[i].id;
  if (hl < 6 || strspn (hex, "0123456789abcdef") != hl)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (!strncmp (recs[i].id + 7, hex, hl))
      return recs[i].id;
  return NULL;
}

int
husk_image_status (const char *store, const char *what, struct husk_image_info *out,
                   struct husk_error **err)
{
  struct record *recs;
  size_t n;
  int ret = 0;

  memset (out, 0, sizeof *out);
  if (load_records (store, &recs, &n, err) < 0)
    return -1;
  const char *id = match_id (recs, n, what);
  for (size_t i = 0; id && i < n && ret == 0; i++)
    if (!strcmp (recs[i].id, id) && add_record (store, out, &recs[i]) < 0)
      ret = husk_error_set (err, ENOMEM, "image");
  records_free (recs, n);
  if (ret < 0)
    husk_image_info_free (out);
  return ret < 0 ? -1 : id != NULL;
}

int
husk_image_remove (const char *store, const char *what, struct husk_error **err)
{
  struct record *recs;
  size_t n;
  int removed = 0;
  struct husk_image_ref ref;
  cleanup_free char *name = NULL;
  cleanup_error struct husk_error *e = NULL;

  if (load_records (store, &recs, &n, err) < 0)
    return -1;
  if (husk_image_ref_parse (what, &ref, &e) == 0)
    {
      name = husk_image_ref_string (&ref);
      husk_image_ref_clear (&ref);
    }
  bool by_name = false;
  for (size_t i = 0; name && i < n; i++)
    by_name |= !strcmp (recs[i].name, name);
  /* a tag forgets the tag (and the image's digest reference once no tag
   * is left); an id forgets them all */
  const char *id = match_id (recs, n, what);
  size_t tags_left = 0;
  for (size_t i = 0; id && i < n; i++)
    if (!strcmp (recs[i].id, id) && !strchr (recs[i].name, '@') && by_name
        && strcmp (recs[i].name, name))
      tags_left++;
  for (size_t i = 0; id && i < n; i++)
    {
      bool mine = !strcmp (recs[i].id, id);
      bool go = mine && (!by_name || !strcmp (recs[i].name, name)
                         || (tags_left == 0 && strchr (recs[i].name, '@')));
      if (go && unlink (recs[i].file) == 0)
        removed = 1;
    }
  records_free (recs, n);
  return removed;
}

static __thread uint64_t walk_bytes, walk_inodes;

static int
walk_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  walk_bytes += (uint64_t) st->st_blocks * 512;
  walk_inodes++;
  return 0;
}

int
husk_image_fs_info (const char *store, struct husk_image_fs_info *out, struct husk_error **err)
{
  memset (out, 0, sizeof *out);
  walk_bytes = walk_inodes = 0;
  if (access (store, F_OK) == 0 && nftw (store, walk_one, 16, FTW_PHYS | FTW_MOUNT) < 0)
    return husk_error_set (err, errno, "walk `%s`", store);
  out->mountpoint = strdup (store);
  out->used_bytes = walk_bytes;
  out->inodes_used = walk_inodes;
  return out->mountpoint ? 0 : husk_error_set (err, ENOMEM, "fs info");
}

void
husk_image_fs_info_free (struct husk_image_fs_info *info)
{
  free (info->mountpoint);
  memset (info, 0, sizeof *info);
}

char *
husk_image_local_digest (const char *store, const char *reference)
{
  struct husk_image_ref ref;
  cleanup_error struct husk_error *e = NULL;
  cleanup_free char *name = NULL, *path = NULL, *text = NULL;
  size_t len;

  if (husk_image_ref_parse (reference, &ref, &e) < 0)
    return NULL;
  name = husk_image_ref_string (&ref);
  husk_image_ref_clear (&ref);
  if (name == NULL || (path = image_ref_record_path (store, name)) == NULL
      || access (path, F_OK) < 0 || pod_read_file (path, &text, &len, &e) < 0)
    return NULL;
  return pod_kv_get (text, "digest");
}
