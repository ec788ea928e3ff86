/* The ImageService over husk's image store (sandbox/image): an image is
 * what husk_image_resolve() takes, an absolute path to an OCI layout
 * (`PATH` or `PATH:TAG`) or to a rootfs, or a registry reference.
 * PullImage "pulls" such a path (resolving it unpacks its layers into the
 * store); any other name is pulled from its registry with the registry
 * client huskd's pods use (huskd --registry-config, the request's
 * AuthConfig).  The images the CRI pulled are listed in
 * <state>/images/ (an ImageSpec each); their layers stay in the shared
 * per-digest store, which other pods may use. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../oci/cleanup.h"
#include "../image/image.h"
#include "../image/image_ref.h"
#include "../image/registry.h"
#include "../pod/pod_util.h"
#include "cri_internal.h"

#define IMAGES "images"

static void
hash_key (const char *s, char out[20])
{
  uint32_t h1 = 2166136261u, h2 = 5381;
  for (const char *p = s; *p; p++)
    {
      h1 = (h1 ^ (unsigned char) *p) * 16777619u;
      h2 = h2 * 33 + (unsigned char) *p;
    }
  snprintf (out, 20, "%08x%08x", h1, h2);
}

/* The store's key of a reference: its normalised form ("busybox" and
 * "docker.io/library/busybox:latest" are one image, as for containerd), a
 * local rootfs path as it is. */
static void
image_key (const char *ref, char out[20])
{
  struct husk_image_ref r = { 0 };
  cleanup_error struct husk_error *e = NULL;
  cleanup_free char *norm = NULL;
  if (ref[0] != '/' && husk_image_ref_parse (ref, &r, &e) == 0)
    norm = husk_image_ref_string (&r);
  husk_image_ref_clear (&r);
  hash_key (norm ? norm : ref, out);
}

static const char *
store_dir (struct cri_server *s)
{
  return s->opts.env->image_store ? s->opts.env->image_store : HUSK_IMAGE_STORE_DEFAULT;
}

static __thread uint64_t fs_bytes, fs_inodes;

static int
count (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  fs_bytes += (uint64_t) st->st_blocks * 512;
  fs_inodes++;
  return 0;
}

/* What its layers take on disk (never 0: kubelet and crictl refuse an
 * image without a size). */
static uint64_t
image_size (const struct husk_image *img)
{
  fs_bytes = fs_inodes = 0;
  for (size_t i = 0; i < img->layers_len; i++)
    nftw (img->layers[i], count, 16, FTW_PHYS | FTW_MOUNT);
  return fs_bytes ? fs_bytes : 1;
}

/* The image's User as containerd reports it: its user part (before a
 * ":group") as uid when numeric, else as username. */
static void
set_user (struct cri_arena *a, Runtime__V1__Image *i, const char *user)
{
  size_t n = user ? strcspn (user, ":") : 0;
  char *end;
  if (n == 0)
    return;
  unsigned long long uid = strtoull (user, &end, 10);
  if (end == user + n && user[0] >= '0' && user[0] <= '9')
    {
      i->uid = cri_alloc (a, sizeof *i->uid);
      runtime__v1__int64_value__init (i->uid);
      i->uid->value = (int64_t) uid;
      return;
    }
  i->username = cri_alloc (a, n + 1);
  memcpy (i->username, user, n);
}

static Runtime__V1__Image *
image_of (struct cri_arena *a, const struct husk_image *img)
{
  Runtime__V1__Image *i = cri_alloc (a, sizeof *i);
  Runtime__V1__ImageSpec *spec = cri_alloc (a, sizeof *spec);
  runtime__v1__image__init (i);
  runtime__v1__image_spec__init (spec);
  i->id = cri_strdup (a, img->digest ? img->digest : img->ref);
  i->n_repo_tags = 1;
  i->repo_tags = cri_alloc (a, sizeof *i->repo_tags);
  i->repo_tags[0] = cri_strdup (a, img->ref);
  set_user (a, i, img->user);
  spec->image = cri_strdup (a, img->ref);
  i->spec = spec;
  i->size = image_size (img);
  return i;
}

/* The image `ref` names, if the store has it (NULL and 0 if not). */
static int
find (struct cri_server *s, const char *ref, struct husk_image **img, struct husk_error **err)
{
  cleanup_msg Runtime__V1__ImageSpec *spec = NULL;
  cleanup_error struct husk_error *e = NULL;
  char key[20];
  *img = NULL;
  image_key (ref, key);
  if (cri_store_get (s, IMAGES, key, &runtime__v1__image_spec__descriptor,
                     (ProtobufCMessage **) &spec, &e) < 0)
    {
      /* an id: the digest of a listed image */
      cleanup_strv char **keys = NULL;
      size_t n = 0;
      husk_error_release (&e);
      if (cri_store_list (s, IMAGES, &keys, &n, err) < 0)
        return -1;
      for (size_t i = 0; i < n && *img == NULL; i++)
        {
          cleanup_msg Runtime__V1__ImageSpec *sp = NULL;
          struct husk_image *cand = NULL;
          if (cri_store_get (s, IMAGES, keys[i], &runtime__v1__image_spec__descriptor,
                             (ProtobufCMessage **) &sp, &e) < 0
              || husk_image_resolve (store_dir (s), sp->image, &cand, &e) < 0)
            {
              husk_error_release (&e);
              continue;
            }
          if (cand->digest && strcmp (cand->digest, ref) == 0)
            *img = cand;
          else
            husk_image_free (cand);
        }
      return 0;
    }
  if (husk_image_resolve (store_dir (s), spec->image, img, &e) < 0)
    *img = NULL;
  return 0;
}

int
cri_image_status (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                  ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ImageStatusRequest *r = (const void *) req;
  Runtime__V1__ImageStatusResponse *out = cri_alloc (a, sizeof *out);
  struct husk_image *img = NULL;
  if (r->image == NULL)
    return husk_error_set (err, EINVAL, "ImageStatus: image is required");
  if (find (s, r->image->image, &img, err) < 0)
    return -1;
  runtime__v1__image_status_response__init (out);
  if (img)
    out->image = image_of (a, img);
  husk_image_free (img);
  *resp = &out->base;
  return 0;
}

static const char *
nonempty (const char *v)
{
  return v && *v ? v : NULL;
}

/* The registry's half of PullImage: kubelet's AuthConfig wins over the
 * configuration file's credentials, as with containerd. */
static int
pull_from_registry (struct cri_server *s, const Runtime__V1__PullImageRequest *r,
                    struct husk_error **err)
{
  const Runtime__V1__AuthConfig *a = r->auth;
  struct husk_registry_auth auth = { 0 };
  struct husk_pull_result res;
  if (a)
    auth = (struct husk_registry_auth) { .username = nonempty (a->username),
                                         .password = nonempty (a->password),
                                         .auth = nonempty (a->auth),
                                         .identity_token = nonempty (a->identity_token),
                                         .registry_token = nonempty (a->registry_token) };
  int rc = husk_image_pull_configured (store_dir (s), s->opts.registry_config, r->image->image,
                                       a ? &auth : NULL, &res, err);
  husk_pull_result_free (&res);
  return rc < 0 ? husk_error_wrap (err, "PullImage") : 0;
}

int
cri_pull_image (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__PullImageRequest *r = (const void *) req;
  Runtime__V1__PullImageResponse *out = cri_alloc (a, sizeof *out);
  struct husk_image *img = NULL;
  cleanup_error struct husk_error *e = NULL;
  char key[20];
  if (r->image == NULL || r->image->image[0] == '\0')
    return husk_error_set (err, EINVAL, "PullImage: image is required");
  /* A registry reference is always asked of its registry, as containerd
   * does (kubelet calls PullImage when its pull policy says so: a tag may
   * have moved); blobs already in the store are not fetched again. */
  if (r->image->image[0] != '/' && pull_from_registry (s, r, err) < 0)
    return -1;
  if (husk_image_resolve (store_dir (s), r->image->image, &img, &e) < 0)
    return husk_error_set (err, ENOENT, "PullImage `%s`: %s", r->image->image, e->message);
  image_key (r->image->image, key);
  if (cri_store_put (s, IMAGES, key, &r->image->base, err) < 0)
    {
      husk_image_free (img);
      return -1;
    }
  runtime__v1__pull_image_response__init (out);
  out->image_ref = cri_strdup (a, img->digest ? img->digest : img->ref);
  husk_image_free (img);
  *resp = &out->base;
  return 0;
}

/* One entry per image id, with every tag it was pulled by. */
static void
add_listed (struct cri_arena *a, Runtime__V1__ListImagesResponse *out, Runtime__V1__Image *img)
{
  for (size_t i = 0; i < out->n_images; i++)
    {
      Runtime__V1__Image *seen = out->images[i];
      if (strcmp (seen->id, img->id) != 0)
        continue;
      char **tags = cri_alloc (a, (seen->n_repo_tags + 1) * sizeof *tags);
      memcpy (tags, seen->repo_tags, seen->n_repo_tags * sizeof *tags);
      tags[seen->n_repo_tags] = img->repo_tags[0];
      seen->repo_tags = tags;
      seen->n_repo_tags++;
      return;
    }
  out->images[out->n_images++] = img;
}

int
cri_list_images (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                 ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ListImagesRequest *r = (const void *) req;
  Runtime__V1__ListImagesResponse *out = cri_alloc (a, sizeof *out);
  cleanup_strv char **keys = NULL;
  size_t n = 0;
  const char *only = r->filter && r->filter->image ? r->filter->image->image : "";

  if (cri_store_list (s, IMAGES, &keys, &n, err) < 0)
    return -1;
  runtime__v1__list_images_response__init (out);
  out->images = cri_alloc (a, (n ? n : 1) * sizeof *out->images);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_msg Runtime__V1__ImageSpec *sp = NULL;
      cleanup_error struct husk_error *e = NULL;
      struct husk_image *img = NULL;
      if (cri_store_get (s, IMAGES, keys[i], &runtime__v1__image_spec__descriptor,
                         (ProtobufCMessage **) &sp, &e) < 0
          || (only[0] && strcmp (sp->image, only) != 0)
          || husk_image_resolve (store_dir (s), sp->image, &img, &e) < 0)
        continue;
      add_listed (a, out, image_of (a, img));
      husk_image_free (img);
    }
  *resp = &out->base;
  return 0;
}

int
cri_remove_image (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                  ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__RemoveImageRequest *r = (const void *) req;
  Runtime__V1__RemoveImageResponse *out = cri_alloc (a, sizeof *out);
  struct husk_image *img = NULL;
  char key[20];
  runtime__v1__remove_image_response__init (out);
  *resp = &out->base;
  if (r->image == NULL)
    return husk_error_set (err, EINVAL, "RemoveImage: image is required");
  /* by reference or by id; an image that is not there is removed already */
  if (find (s, r->image->image, &img, err) < 0)
    return -1;
  image_key (img ? img->ref : r->image->image, key);
  husk_image_free (img);
  return cri_store_delete (s, IMAGES, key, err);
}

int
cri_image_fs_info (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                   ProtobufCMessage **resp, struct husk_error **err)
{
  Runtime__V1__ImageFsInfoResponse *out = cri_alloc (a, sizeof *out);
  Runtime__V1__FilesystemUsage *u = cri_alloc (a, sizeof *u);
  Runtime__V1__FilesystemIdentifier *id = cri_alloc (a, sizeof *id);
  Runtime__V1__UInt64Value *bytes = cri_alloc (a, sizeof *bytes);
  Runtime__V1__UInt64Value *inodes = cri_alloc (a, sizeof *inodes);
  struct timespec now;

  fs_bytes = fs_inodes = 0;
  nftw (store_dir (s), count, 16, FTW_PHYS | FTW_MOUNT);
  clock_gettime (CLOCK_REALTIME, &now);
  runtime__v1__image_fs_info_response__init (out);
  runtime__v1__filesystem_usage__init (u);
  runtime__v1__filesystem_identifier__init (id);
  runtime__v1__uint64_value__init (bytes);
  runtime__v1__uint64_value__init (inodes);
  id->mountpoint = cri_strdup (a, store_dir (s));
  bytes->value = fs_bytes;
  inodes->value = fs_inodes;
  u->timestamp = (int64_t) now.tv_sec * 1000000000LL + now.tv_nsec;
  u->fs_id = id;
  u->used_bytes = bytes;
  u->inodes_used = inodes;
  out->n_image_filesystems = 1;
  out->image_filesystems = cri_alloc (a, sizeof *out->image_filesystems);
  out->image_filesystems[0] = u;
  *resp = &out->base;
  return 0;
}
