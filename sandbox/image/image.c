/* Resolving and mounting pod images (see image.h). */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "../pod/pod_util.h"
#include "image_internal.h"
#include "image_ref.h"

#define REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"

void
husk_image_free (struct husk_image *img)
{
  if (img == NULL)
    return;
  free (img->ref);
  free (img->digest);
  husk_strvfreep (&img->layers);
  husk_strvfreep (&img->entrypoint);
  husk_strvfreep (&img->cmd);
  husk_strvfreep (&img->env);
  free (img->working_dir);
  free (img->user);
  free (img);
}

static const char *
jstr (yajl_val v)
{
  const char *s = YAJL_IS_STRING (v) ? v->u.string : NULL;
  return s ? s : "";
}

static char **
strv_of (yajl_val arr)
{
  size_t n = arr && YAJL_IS_ARRAY (arr) ? arr->u.array.len : 0;
  char **v = arr && YAJL_IS_ARRAY (arr) ? calloc (n + 1, sizeof *v) : NULL;

  for (size_t i = 0; v && i < n; i++)
    {
      v[i] = strdup (jstr (arr->u.array.values[i]));
    }
  return v;
}

static yajl_val
get (yajl_val v, const char *a, const char *b, yajl_type t)
{
  const char *path[] = { a, b, NULL };
  return yajl_tree_get (v, path, t);
}

/* "sha256:<64 hex>" -> "<layout>/blobs/sha256/<hex>"; anything else is
 * refused so a digest never becomes a path outside the layout. */
static int
blob_path (const char *layout, const char *digest, char **out, struct husk_error **err)
{
  if (digest == NULL || strncmp (digest, "sha256:", 7) != 0 || strlen (digest + 7) != 64
      || strspn (digest + 7, "0123456789abcdef") != 64)
    return husk_error_set (err, EINVAL, "unsupported digest `%s`", digest ? digest : "(none)");
  *out = pod_path ("%s/blobs/sha256/%s", layout, digest + 7);
  return *out ? 0 : husk_error_set (err, ENOMEM, "blob");
}

static int
read_blob_json (const char *layout, const char *digest, yajl_val *out, struct husk_error **err)
{
  cleanup_free char *path = NULL, *data = NULL;
  size_t len;

  if (blob_path (layout, digest, &path, err) < 0 || pod_read_file (path, &data, &len, err) < 0)
    return -1;
  return json_doc_parse (path, data, len, out, err);
}

/* How many nested indexes are followed: an index that names itself (or a
 * cycle of them) must end in an error, not a stack overflow. */
#define MAX_INDEX_DEPTH 8

/* The manifest for `tag` in index.json (the only one when tag is NULL);
 * a nested index is followed to its linux/amd64 (or first) manifest. */
static int
find_manifest (const char *layout, yajl_val index, const char *tag, int depth, char **digest,
               struct husk_error **err)
{
  yajl_val list = get (index, "manifests", NULL, yajl_t_array);
  yajl_val pick = NULL;

  for (size_t i = 0; list && i < list->u.array.len; i++)
    {
      yajl_val m = list->u.array.values[i];
      yajl_val name = get (m, "annotations", REF_NAME_ANNOTATION, yajl_t_string);
      if (tag == NULL || (name && strcmp (jstr (name), tag) == 0))
        {
          yajl_val arch = get (m, "platform", "architecture", yajl_t_string);
          if (pick == NULL || (arch && strcmp (jstr (arch), "amd64") == 0))
            pick = m;
        }
    }
  if (pick == NULL)
    return husk_error_set (err, ENOENT, "no manifest%s%s in `%s/index.json`", tag ? " for tag " : "",
                           tag ? tag : "", layout);
  yajl_val d = get (pick, "digest", NULL, yajl_t_string);
  yajl_val mt = get (pick, "mediaType", NULL, yajl_t_string);
  if (mt && strstr (jstr (mt), "index"))
    {
      cleanup_json yajl_val nested = NULL;
      if (depth >= MAX_INDEX_DEPTH)
        return husk_error_set (err, ELOOP, "`%s`: more than %d nested image indexes",
                               layout, MAX_INDEX_DEPTH);
      if (read_blob_json (layout, d ? jstr (d) : NULL, &nested, err) < 0)
        return -1;
      return find_manifest (layout, nested, NULL, depth + 1, digest, err);
    }
  *digest = d ? strdup (jstr (d)) : NULL;
  return *digest ? 0 : husk_error_set (err, EINVAL, "manifest without a digest");
}

static int
read_config (const char *layout, yajl_val manifest, struct husk_image *img,
             struct husk_error **err)
{
  yajl_val d = get (manifest, "config", "digest", yajl_t_string);
  cleanup_json yajl_val cfg = NULL;

  if (read_blob_json (layout, d ? jstr (d) : NULL, &cfg, err) < 0)
    return husk_error_wrap (err, "image config");
  img->entrypoint = strv_of (get (cfg, "config", "Entrypoint", yajl_t_any));
  img->cmd = strv_of (get (cfg, "config", "Cmd", yajl_t_any));
  img->env = strv_of (get (cfg, "config", "Env", yajl_t_any));
  yajl_val wd = get (cfg, "config", "WorkingDir", yajl_t_string);
  yajl_val user = get (cfg, "config", "User", yajl_t_string);
  img->working_dir = wd ? strdup (jstr (wd)) : NULL;
  img->user = user ? strdup (jstr (user)) : NULL;
  return 0;
}

/* A layer is unpacked into a temporary directory and renamed into place
 * only when complete, so a crash never leaves a half layer that looks
 * whole. */
static int
ensure_layer (const char *store, const char *layout, const char *digest, char **dir,
              struct husk_error **err)
{
  cleanup_free char *blob = NULL, *tmp = NULL;
  char rnd[33];

  if (blob_path (layout, digest, &blob, err) < 0)
    return -1;
  *dir = pod_path ("%s/layers/%s", store, digest + 7);
  if (*dir == NULL)
    return husk_error_set (err, ENOMEM, "layer");
  if (access (*dir, F_OK) == 0)
    return 0;
  if (pod_random_id (rnd, err) < 0 || (tmp = pod_path ("%s/layers/.tmp-%s", store, rnd)) == NULL)
    return -1;
  if (image_verify_blob (blob, digest, err) < 0 || pod_mkdir_p (tmp, 0755, err) < 0)
    return -1;
  if (husk_image_unpack_layer (blob, tmp, err) < 0 || rename (tmp, *dir) < 0)
    {
      struct husk_error *ignored = NULL;
      int e = errno;
      if (pod_rm_rf (tmp, &ignored) < 0)
        husk_error_release (&ignored);
      return *err ? -1 : husk_error_set (err, e, "rename layer into `%s`", *dir);
    }
  return 0;
}

static int
resolve_layers (const char *store, const char *layout, yajl_val manifest, struct husk_image *img,
                struct husk_error **err)
{
  yajl_val layers = get (manifest, "layers", NULL, yajl_t_array);
  size_t n = layers ? layers->u.array.len : 0;

  img->layers = calloc (n + 1, sizeof *img->layers);
  if (img->layers == NULL)
    return husk_error_set (err, ENOMEM, "layers");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val d = get (layers->u.array.values[i], "digest", NULL, yajl_t_string);
      if (ensure_layer (store, layout, d ? jstr (d) : NULL, &img->layers[i], err) < 0)
        return husk_error_wrap (err, "layers[%zu]", i);
      img->layers_len++;
    }
  if (n == 0)
    return husk_error_set (err, EINVAL, "image without layers");
  return 0;
}

/* One unpacker at a time per store: two pods starting from one image
 * unpack it once. */
static int
lock_store (const char *store, int *fd, struct husk_error **err)
{
  cleanup_free char *layers = pod_path ("%s/layers", store);
  cleanup_free char *lock = pod_path ("%s/lock", store);

  if (layers == NULL || lock == NULL || pod_mkdir_p (layers, 0700, err) < 0)
    return layers && lock ? -1 : husk_error_set (err, ENOMEM, "image store");
  *fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (*fd < 0 || flock (*fd, LOCK_EX) < 0)
    return husk_error_set (err, errno, "lock `%s`", lock);
  return 0;
}

int
image_from_manifest (const char *store, const char *blobs, const char *digest,
                     struct husk_image *img, struct husk_error **err)
{
  cleanup_json yajl_val manifest = NULL;
  cleanup_close int lock = -1;

  if (read_blob_json (blobs, digest, &manifest, err) < 0
      || read_config (blobs, manifest, img, err) < 0 || lock_store (store, &lock, err) < 0)
    return -1;
  return resolve_layers (store, blobs, manifest, img, err);
}

static int
resolve_layout (const char *store, const char *layout, const char *tag, struct husk_image *img,
                struct husk_error **err)
{
  cleanup_free char *index_path = pod_path ("%s/index.json", layout);
  cleanup_free char *data = NULL;
  cleanup_json yajl_val index = NULL;
  size_t len;

  if (index_path == NULL)
    return husk_error_set (err, ENOMEM, "image");
  if (pod_read_file (index_path, &data, &len, err) < 0
      || json_doc_parse (index_path, data, len, &index, err) < 0
      || find_manifest (layout, index, tag, 0, &img->digest, err) < 0)
    return -1;
  return image_from_manifest (store, layout, img->digest, img, err);
}

char *
image_ref_record_path (const char *store, const char *name)
{
  char hex[65];
  struct husk_error *ignored = NULL;
  if (image_sha256_hex (name, strlen (name), hex, &ignored) < 0)
    {
      husk_error_release (&ignored);
      return NULL;
    }
  return pod_path ("%s/refs/%s", store, hex);
}

/* A registry reference: the image a pull recorded for it. */
static int
resolve_pulled (const char *store, const char *ref, struct husk_image *img,
                struct husk_error **err)
{
  struct husk_image_ref r;
  cleanup_free char *name = NULL, *record = NULL, *text = NULL, *manifest = NULL;
  size_t len;

  if (husk_image_ref_parse (ref, &r, err) < 0)
    return -1;
  name = husk_image_ref_string (&r);
  husk_image_ref_clear (&r);
  if (name == NULL || (record = image_ref_record_path (store, name)) == NULL)
    return husk_error_set (err, ENOMEM, "image");
  if (access (record, F_OK) < 0)
    return husk_error_set (err, ENOENT, "image `%s` (%s) is not present: pull it first", ref, name);
  if (pod_read_file (record, &text, &len, err) < 0)
    return -1;
  img->digest = pod_kv_get (text, "digest");
  manifest = pod_kv_get (text, "manifest");
  if (img->digest == NULL || manifest == NULL)
    return husk_error_set (err, EINVAL, "image record `%s` is damaged", record);
  return image_from_manifest (store, store, manifest, img, err);
}

/* "PATH:TAG" when PATH:TAG itself is not a directory and PATH is. */
static int
split_ref (const char *ref, char **path, char **tag)
{
  struct stat st;
  const char *colon = strrchr (ref, ':');

  *tag = NULL;
  if (colon && strchr (colon, '/') == NULL && stat (ref, &st) < 0)
    {
      *path = strndup (ref, colon - ref);
      *tag = strdup (colon + 1);
      return *path && *tag ? 0 : -1;
    }
  *path = strdup (ref);
  return *path ? 0 : -1;
}

int
husk_image_resolve (const char *store, const char *ref, struct husk_image **out,
                    struct husk_error **err)
{
  cleanup_free char *path = NULL, *tag = NULL, *index = NULL;
  struct husk_image *img;
  struct stat st;

  if (ref == NULL || ref[0] == '\0')
    return husk_error_set (err, EINVAL, "empty image reference");
  if (ref[0] != '/')
    {
      if ((img = calloc (1, sizeof *img)) == NULL || (img->ref = strdup (ref)) == NULL)
        {
          husk_image_free (img);
          return husk_error_set (err, ENOMEM, "image");
        }
      if (resolve_pulled (store, ref, img, err) < 0)
        {
          husk_image_free (img);
          return -1;
        }
      *out = img;
      return 0;
    }
  if (split_ref (ref, &path, &tag) < 0 || (index = pod_path ("%s/index.json", path)) == NULL)
    return husk_error_set (err, ENOMEM, "image");
  if (stat (path, &st) < 0 || !S_ISDIR (st.st_mode))
    return husk_error_set (err, errno ? errno : ENOTDIR, "image `%s`", path);
  if ((img = calloc (1, sizeof *img)) == NULL || (img->ref = strdup (ref)) == NULL)
    {
      husk_image_free (img);
      return husk_error_set (err, ENOMEM, "image");
    }
  int ret;
  if (access (index, F_OK) == 0)
    ret = resolve_layout (store, path, tag, img, err);
  else if (tag)
    ret = husk_error_set (err, ENOENT, "image `%s`: not an OCI layout (no index.json)", path);
  else
    {
      img->layers = calloc (2, sizeof *img->layers);
      img->layers_len = 1;
      ret = img->layers && (img->layers[0] = strdup (path)) ? 0
                                                             : husk_error_set (err, ENOMEM, "image");
    }
  if (ret < 0)
    {
      husk_image_free (img);
      return -1;
    }
  *out = img;
  return 0;
}

int
husk_image_mount (const struct husk_image *img, const char *upper, const char *work,
                  const char *target, struct husk_error **err)
{
  size_t len = 64 + strlen (upper) + strlen (work);
  cleanup_free char *opts = NULL;
  char *p;

  for (size_t i = 0; i < img->layers_len; i++)
    len += strlen (img->layers[i]) + 1;
  if ((opts = p = malloc (len)) == NULL)
    return husk_error_set (err, ENOMEM, "overlay options");
  /* overlayfs lists the top layer first. */
  p = stpcpy (p, "lowerdir=");
  for (size_t i = img->layers_len; i-- > 0;)
    {
      p = stpcpy (p, img->layers[i]);
      if (i > 0)
        p = stpcpy (p, ":");
    }
  sprintf (p, ",upperdir=%s,workdir=%s", upper, work);
  if (pod_mkdir_p (upper, 0755, err) < 0 || pod_mkdir_p (work, 0700, err) < 0)
    return -1;
  if (mount ("overlay", target, "overlay", 0, opts) < 0)
    return husk_error_set (err, errno, "mount overlay on `%s` (%s)", target, opts);
  return 0;
}
