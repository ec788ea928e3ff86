/* Pulling an image from a registry into the store (see registry.h).
 *
 * The order makes a failed pull leave nothing that looks like an image:
 * the manifest and config are held in memory, each layer blob downloads
 * into a temporary file that is renamed into blobs/ only once its sha256
 * and size match its descriptor, the layers are unpacked, and only then
 * are the manifest, the config and the reference records written.  A
 * corrupt or cut-short blob is refused and deleted; blobs that did verify
 * stay for the next attempt. */
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "../../oci/str_printf.h"
#include "../pod/pod_util.h"
#include "image_internal.h"
#include "registry_http.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define ACCEPT_MANIFESTS MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST
#define MANIFEST_MAX (4u * 1024 * 1024)
#define CONFIG_MAX (8u * 1024 * 1024)

#define PLATFORM_OS "linux"
#define PLATFORM_ARCH "amd64"

static const char *
jstr (yajl_val v, const char *key)
{
  const char *path[] = { key, NULL };
  yajl_val s = yajl_tree_get (v, path, yajl_t_string);
  return s ? YAJL_GET_STRING (s) : NULL;
}

static yajl_val
jget (yajl_val v, const char *key, yajl_type t)
{
  const char *path[] = { key, NULL };
  return yajl_tree_get (v, path, t);
}

static double
now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One pull's state against one endpoint. */
struct pull {
  const char *store;
  const struct husk_pull_options *opts;
  struct reg_client client;
  struct husk_pull_result *result;
  char *top_body; /* what the reference named: an index or a manifest */
  size_t top_len;
  char top_digest[72];
  char *manifest_body;
  size_t manifest_len;
  char manifest_digest[72];
  char *config_body;
  size_t config_len;
};

static void
pull_clear (struct pull *p)
{
  reg_client_close (&p->client);
  free (p->top_body);
  free (p->manifest_body);
  free (p->config_body);
}

/* A manifest or index by tag or digest into memory; *digest is the
 * sha256 of what came, which must be `want` when that was asked for. */
static int
fetch_manifest (struct pull *p, const char *ref, const char *want, char **body, size_t *len,
                char digest[72], struct husk_error **err)
{
  struct reg_sink sink = { .fd = -1, .max = MANIFEST_MAX };
  struct reg_reply reply = { 0 };
  int ret = reg_get (&p->client, "manifests", ref, ACCEPT_MANIFESTS, &sink, &reply, err);

  reg_reply_clear (&reply);
  if (ret < 0)
    {
      reg_sink_clear (&sink);
      return -1;
    }
  reg_sink_digest (&sink, digest);
  if (want && strcmp (want, digest) != 0)
    {
      reg_sink_clear (&sink);
      return husk_error_set (err, EINVAL, "manifest `%s` does not match its digest (got %s)",
                             want, digest);
    }
  *body = sink.buf ? sink.buf : strdup ("");
  *len = sink.len;
  sink.buf = NULL;
  reg_sink_clear (&sink);
  return *body ? 0 : husk_error_set (err, ENOMEM, "manifest");
}

static bool
variant_ok (const char *variant)
{
  return variant == NULL || !strcmp (variant, "") || !strcmp (variant, "v1")
         || !strcmp (variant, "v2") || !strcmp (variant, "v3");
}

/* The linux/amd64 manifest of an index: no variant beats a microarch
 * level; an entry that needs OS features (os.features) is not taken. */
static int
pick_platform (yajl_val index, const char **digest, struct husk_error **err)
{
  yajl_val list = jget (index, "manifests", yajl_t_array);
  int best = -1;

  *digest = NULL;
  for (size_t i = 0; list && i < list->u.array.len; i++)
    {
      yajl_val m = list->u.array.values[i];
      yajl_val plat = jget (m, "platform", yajl_t_object);
      const char *os = jstr (plat, "os"), *arch = jstr (plat, "architecture");
      const char *variant = jstr (plat, "variant");
      yajl_val features = jget (plat, "os.features", yajl_t_array);
      if (!os || !arch || strcmp (os, PLATFORM_OS) || strcmp (arch, PLATFORM_ARCH)
          || !variant_ok (variant) || (features && features->u.array.len > 0)
          || !husk_digest_valid (jstr (m, "digest")))
        continue;
      int score = variant == NULL || !*variant ? 2 : 1;
      if (score > best)
        {
          best = score;
          *digest = jstr (m, "digest");
        }
    }
  if (*digest == NULL)
    return husk_error_set (err, ENOENT, "no manifest for %s/%s in the image index", PLATFORM_OS,
                           PLATFORM_ARCH);
  return 0;
}

static const char *
media_type (yajl_val doc)
{
  const char *mt = jstr (doc, "mediaType");
  if (mt)
    return mt;
  /* an OCI index need not say so: it has "manifests" */
  return jget (doc, "manifests", yajl_t_array) ? MT_OCI_INDEX : MT_OCI_MANIFEST;
}

static int
fetch_manifests (struct pull *p, const struct husk_image_ref *ref, struct husk_error **err)
{
  cleanup_json yajl_val top = NULL;
  const char *mt, *child;

  if (fetch_manifest (p, ref->digest ? ref->digest : ref->tag, ref->digest, &p->top_body,
                      &p->top_len, p->top_digest, err) < 0
      || json_doc_parse ("manifest", p->top_body, p->top_len, &top, err) < 0)
    return -1;
  mt = media_type (top);
  if (!strncmp (mt, "application/vnd.docker.distribution.manifest.v1", 47))
    return husk_error_set (err, ENOTSUP, "Docker schema 1 manifests are not supported (%s)", mt);
  if (strcmp (mt, MT_OCI_INDEX) && strcmp (mt, MT_DOCKER_LIST))
    {
      p->manifest_body = strndup (p->top_body, p->top_len);
      p->manifest_len = p->top_len;
      strcpy (p->manifest_digest, p->top_digest);
      return p->manifest_body ? 0 : husk_error_set (err, ENOMEM, "manifest");
    }
  if (pick_platform (top, &child, err) < 0)
    return -1;
  return fetch_manifest (p, child, child, &p->manifest_body, &p->manifest_len,
                         p->manifest_digest, err);
}

static bool
layer_type_ok (const char *mt, bool *zstd)
{
  static const char *const ok[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    NULL,
  };
  *zstd = mt && strstr (mt, "+zstd") != NULL;
  for (size_t i = 0; mt && ok[i]; i++)
    if (!strcmp (mt, ok[i]))
      return true;
  return mt == NULL; /* Docker's manifests always say; be lenient */
}

/* The blob's lock: one download per digest across threads and processes. */
static int
lock_blob (const char *store, const char *digest, int *fd, struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/locks", store);
  cleanup_free char *path = pod_path ("%s/locks/%s", store, digest + 7);
  if (dir == NULL || path == NULL)
    return husk_error_set (err, ENOMEM, "lock");
  if (pod_mkdir_p (dir, 0700, err) < 0)
    return -1;
  *fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (*fd < 0)
    return husk_error_set (err, errno, "open `%s`", path);
  while (flock (*fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return husk_error_set (err, errno, "lock `%s`", path);
  return 0;
}

static int
download_blob (struct pull *p, const char *digest, uint64_t size, const char *final,
               struct husk_error **err)
{
  cleanup_free char *tmp = NULL;
  char rnd[33], got[72];
  struct reg_reply reply = { 0 };
  struct reg_sink sink = { .expected = size, .digest = digest };
  int ret;

  if (pod_random_id (rnd, err) < 0
      || (tmp = pod_path ("%s/blobs/sha256/.tmp-%s", p->store, rnd)) == NULL)
    return *err ? -1 : husk_error_set (err, ENOMEM, "blob");
  sink.fd = open (tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (sink.fd < 0)
    return husk_error_set (err, errno, "create `%s`", tmp);
  sink.progress = p->opts ? p->opts->progress : NULL;
  sink.progress_arg = p->opts ? p->opts->progress_arg : NULL;
  ret = reg_get (&p->client, "blobs", digest, NULL, &sink, &reply, err);
  reg_reply_clear (&reply);
  if (ret == 0)
    {
      reg_sink_digest (&sink, got);
      if (strcmp (got, digest) != 0)
        ret = husk_error_set (err, EINVAL, "blob `%s` does not match its digest (got %s)", digest,
                              got);
      else if (sink.written != size)
        ret = husk_error_set (err, EINVAL, "blob `%s`: %llu bytes, the manifest says %llu",
                              digest, (unsigned long long) sink.written,
                              (unsigned long long) size);
      else if (fsync (sink.fd) < 0 || rename (tmp, final) < 0)
        ret = husk_error_set (err, errno, "store blob `%s`", final);
    }
  reg_sink_clear (&sink);
  close (sink.fd);
  if (ret < 0)
    unlink (tmp);
  else
    p->result->downloaded += size;
  return ret;
}

static int
ensure_blob (struct pull *p, yajl_val desc, struct husk_error **err)
{
  const char *digest = jstr (desc, "digest");
  yajl_val size_v = jget (desc, "size", yajl_t_number);
  cleanup_free char *final = NULL;
  cleanup_close int lock = -1;
  long long size;
  struct stat st;

  if (!husk_digest_valid (digest))
    return husk_error_set (err, EINVAL, "unsupported digest `%s`", digest ? digest : "(none)");
  if (size_v == NULL || !YAJL_IS_INTEGER (size_v) || (size = YAJL_GET_INTEGER (size_v)) < 0)
    return husk_error_set (err, EINVAL, "blob `%s` without a size", digest);
  if ((final = pod_path ("%s/blobs/sha256/%s", p->store, digest + 7)) == NULL)
    return husk_error_set (err, ENOMEM, "blob");
  p->result->size += size;
  if (lock_blob (p->store, digest, &lock, err) < 0)
    return -1;
  /* a blob in the store was verified when it came */
  if (stat (final, &st) == 0 && st.st_size == size)
    return 0;
  if (download_blob (p, digest, size, final, err) < 0)
    return husk_error_wrap (err, "%s/%s", p->client.base, p->client.repo);
  return 0;
}

static int
fetch_config (struct pull *p, yajl_val desc, struct husk_error **err)
{
  const char *digest = jstr (desc, "digest");
  struct reg_sink sink = { .fd = -1, .max = CONFIG_MAX };
  struct reg_reply reply = { 0 };
  char got[72];
  int ret;

  if (!husk_digest_valid (digest))
    return husk_error_set (err, EINVAL, "config: unsupported digest `%s`", digest ? digest : "");
  ret = reg_get (&p->client, "blobs", digest, NULL, &sink, &reply, err);
  reg_reply_clear (&reply);
  if (ret == 0)
    {
      reg_sink_digest (&sink, got);
      if (strcmp (got, digest) != 0)
        ret = husk_error_set (err, EINVAL, "config `%s` does not match its digest (got %s)",
                              digest, got);
    }
  if (ret == 0)
    {
      p->config_body = sink.buf ? sink.buf : strdup ("");
      p->config_len = sink.len;
      sink.buf = NULL;
      p->result->size += sink.len;
    }
  reg_sink_clear (&sink);
  return ret;
}

static int
fetch_layers (struct pull *p, yajl_val manifest, struct husk_error **err)
{
  yajl_val layers = jget (manifest, "layers", yajl_t_array);
  cleanup_free char *blobs = pod_path ("%s/blobs/sha256", p->store);

  if (blobs == NULL || pod_mkdir_p (blobs, 0755, err) < 0)
    return blobs ? -1 : husk_error_set (err, ENOMEM, "blobs");
  if (layers == NULL || layers->u.array.len == 0)
    return husk_error_set (err, EINVAL, "manifest without layers");
  for (size_t i = 0; i < layers->u.array.len; i++)
    {
      yajl_val l = layers->u.array.values[i];
      bool zstd;
      if (!layer_type_ok (jstr (l, "mediaType"), &zstd))
        return husk_error_set (err, ENOTSUP, "layers[%zu]: unsupported media type `%s`", i,
                               jstr (l, "mediaType"));
      if (zstd && !husk_image_zstd_supported ())
        return husk_error_set (err, ENOTSUP,
                               "layers[%zu] is zstd-compressed and this libarchive has no "
                               "libzstd",
                               i);
      if (ensure_blob (p, l, err) < 0)
        return husk_error_wrap (err, "layers[%zu]", i);
    }
  return 0;
}

static int
store_blob (const char *store, const char *digest, const char *body, size_t len,
            struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/blobs/sha256/%s", store, digest + 7);
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "blob");
  return access (path, F_OK) == 0 ? 0 : pod_write_file_atomic (path, body, len, 0644, err);
}

static int
write_record (const char *store, const char *name, const char *digest, const char *manifest,
              const char *id, struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/refs", store);
  cleanup_free char *path = image_ref_record_path (store, name);
  cleanup_free char *text
      = str_printf ("name=%s\ndigest=%s\nmanifest=%s\nid=%s\n", name, digest, manifest, id);
  if (!dir || !path || !text)
    return husk_error_set (err, ENOMEM, "image record");
  if (pod_mkdir_p (dir, 0755, err) < 0)
    return -1;
  return pod_write_file_atomic (path, text, strlen (text), 0644, err);
}

/* The layers unpacked into the store, then the image becomes visible. */
static int
commit (struct pull *p, const struct husk_image_ref *ref, const char *id, struct husk_error **err)
{
  struct husk_image img = { 0 };
  cleanup_free char *repo = husk_image_ref_repository (ref);
  cleanup_free char *tagged = husk_image_ref_string (ref);
  cleanup_free char *by_digest = repo ? str_printf ("%s@%s", repo, p->top_digest) : NULL;
  int ret;

  if (!repo || !tagged || !by_digest)
    return husk_error_set (err, ENOMEM, "image");
  if (store_blob (p->store, p->manifest_digest, p->manifest_body, p->manifest_len, err) < 0
      || store_blob (p->store, p->top_digest, p->top_body, p->top_len, err) < 0
      || store_blob (p->store, id, p->config_body, p->config_len, err) < 0)
    return -1;
  ret = image_from_manifest (p->store, p->store, p->manifest_digest, &img, err);
  img.ref = NULL;
  for (size_t i = 0; img.layers && img.layers[i]; i++)
    free (img.layers[i]);
  free (img.layers);
  img.layers = NULL;
  husk_strvfreep (&img.entrypoint);
  husk_strvfreep (&img.cmd);
  husk_strvfreep (&img.env);
  free (img.working_dir);
  free (img.user);
  if (ret < 0)
    return -1;
  if (write_record (p->store, by_digest, p->top_digest, p->manifest_digest, id, err) < 0
      || (ref->digest == NULL
          && write_record (p->store, tagged, p->top_digest, p->manifest_digest, id, err) < 0))
    return -1;
  p->result->manifest_digest = strdup (p->manifest_digest);
  p->result->name = steal_pointer (&tagged);
  p->result->repo_digest = steal_pointer (&by_digest);
  p->result->digest = strdup (p->top_digest);
  p->result->image_id = strdup (id);
  return p->result->digest && p->result->image_id ? 0 : husk_error_set (err, ENOMEM, "image");
}

static int
pull_from (const char *store, const char *endpoint, const struct husk_image_ref *ref,
           const struct husk_pull_options *opts, struct husk_pull_result *result,
           struct husk_error **err)
{
  __attribute__ ((cleanup (pull_clear))) struct pull p = { .store = store, .opts = opts,
                                                           .result = result };
  cleanup_json yajl_val manifest = NULL;
  const char *id;

  if (reg_client_open (&p.client, endpoint, ref->path, opts ? opts->config : NULL,
                       opts ? opts->auth : NULL, err) < 0
      || fetch_manifests (&p, ref, err) < 0
      || json_doc_parse ("manifest", p.manifest_body, p.manifest_len, &manifest, err) < 0)
    return -1;
  id = jstr (jget (manifest, "config", yajl_t_object), "digest");
  if (fetch_config (&p, jget (manifest, "config", yajl_t_object), err) < 0
      || fetch_layers (&p, manifest, err) < 0)
    return -1;
  return commit (&p, ref, id, err);
}

/* Every endpoint of the reference's registry in turn; the error kept is
 * the registry's own (the last), with the mirrors' in its message. */
static int
pull_ref (const char *store, const struct husk_image_ref *ref,
          const struct husk_pull_options *opts, struct husk_pull_result *out,
          struct husk_error **err)
{
  char **eps = husk_registry_endpoints (opts ? opts->config : NULL, ref->domain);
  cleanup_free char *earlier = NULL;
  int ret = -1;

  if (eps == NULL)
    return husk_error_set (err, ENOMEM, "endpoints");
  for (size_t i = 0; eps[i] && ret < 0; i++)
    {
      struct husk_error *e = NULL;
      out->size = 0;
      ret = pull_from (store, eps[i], ref, opts, out, &e);
      if (ret < 0 && eps[i + 1])
        {
          char *s = str_printf ("%s%s%s", earlier ? earlier : "", earlier ? "; " : "", e->message);
          free (earlier);
          earlier = s;
          husk_error_release (&e);
        }
      else if (ret < 0)
        {
          husk_error_propagate (err, &e);
          if (earlier)
            husk_error_wrap (err, "(mirrors: %s)", earlier);
        }
    }
  husk_strvfreep (&eps);
  return ret;
}

/* `ref` (an unqualified name) looked up in `registry`. */
static int
pull_candidate (const char *store, const struct husk_image_ref *ref, const char *registry,
                const struct husk_pull_options *opts, struct husk_pull_result *out,
                struct husk_error **err)
{
  const char *bare = strncmp (ref->path, "library/", 8) == 0 ? ref->path + 8 : ref->path;
  cleanup_free char *q = str_printf ("%s/%s%s%s", registry,
                                     !strcmp (registry, HUSK_DOCKER_HUB) ? ref->path : bare,
                                     ref->digest ? "@" : ":", ref->digest ? ref->digest : ref->tag);
  struct husk_image_ref rq;
  int ret;

  if (q == NULL)
    return husk_error_set (err, ENOMEM, "reference");
  if (husk_image_ref_parse (q, &rq, err) < 0)
    return -1;
  ret = pull_ref (store, &rq, opts, out, err);
  husk_image_ref_clear (&rq);
  return ret;
}

/* A short name pulled from a search registry is found again by the name
 * pods give (whose normalisation is docker.io's): a record under that
 * name too, pointing to what was pulled. */
static int
record_alias (const char *store, const struct husk_image_ref *ref,
              const struct husk_pull_result *out, struct husk_error **err)
{
  cleanup_free char *name = husk_image_ref_string (ref);
  if (name == NULL)
    return husk_error_set (err, ENOMEM, "reference");
  if (!strcmp (name, out->name) || (ref->digest && !strcmp (name, out->repo_digest)))
    return 0;
  return write_record (store, name, out->digest, out->manifest_digest, out->image_id, err);
}

int
husk_image_pull (const char *store, const char *reference, const struct husk_pull_options *opts,
                 struct husk_pull_result *out, struct husk_error **err)
{
  struct husk_image_ref ref;
  double t0 = now_s ();
  char **search = opts && opts->config ? opts->config->search : NULL;
  int ret = -1;

  memset (out, 0, sizeof *out);
  if (husk_image_ref_parse (reference, &ref, err) < 0)
    return -1;
  if (ref.qualified || search == NULL || search[0] == NULL)
    ret = pull_ref (store, &ref, opts, out, err);
  else
    {
      /* an unqualified name: each search registry in turn, the first
       * that has it wins; the error kept is the last one's */
      for (size_t i = 0; search[i] && ret < 0; i++)
        {
          cleanup_error struct husk_error *e = NULL;
          bool last = search[i + 1] == NULL;
          ret = pull_candidate (store, &ref, search[i], opts, out, last ? err : &e);
        }
      if (ret == 0 && record_alias (store, &ref, out, err) < 0)
        ret = -1;
    }
  husk_image_ref_clear (&ref);
  if (ret < 0)
    {
      husk_pull_result_free (out);
      return husk_error_wrap (err, "pull `%s`", reference);
    }
  out->seconds = now_s () - t0;
  return 0;
}

static void
registry_config_freep (struct husk_registry_config **c)
{
  husk_registry_config_free (*c);
}

int
husk_image_pull_configured (const char *store, const char *config_path, const char *reference,
                            const struct husk_registry_auth *auth, struct husk_pull_result *out,
                            struct husk_error **err)
{
  __attribute__ ((cleanup (registry_config_freep))) struct husk_registry_config *cfg = NULL;
  memset (out, 0, sizeof *out);
  if (husk_registry_config_load (config_path ?: HUSK_REGISTRY_CONFIG_DEFAULT, &cfg, err) < 0)
    return -1;
  struct husk_pull_options opts = { .config = cfg, .auth = auth };
  return husk_image_pull (store, reference, &opts, out, err);
}
