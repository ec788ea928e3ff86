/* Images from registries: the public API that huskd's pods and the CRI
 * ImageService use (docs/images.md).
 *
 *   husk_image_pull     reference + credentials -> image id and digest
 *   husk_image_list     every pulled image (id, tags, digests, size)
 *   husk_image_status   one image by reference or id
 *   husk_image_remove   forgets a reference (or every reference of an id)
 *   husk_image_fs_info  what the store uses on disk
 *
 * The store (`HUSK_IMAGE_STORE_DEFAULT` or huskd --image-store) keeps
 * blobs by digest (`blobs/sha256/<hex>`, each verified against its digest
 * and size while it downloads), unpacked layers by digest (`layers/<hex>`,
 * shared with OCI layouts, unpacked once) and one record per reference
 * (`refs/<sha256 of the reference>`: name, manifest digest, image id).
 * A pulled image is what husk_image_resolve() finds for a pod's `image:`.
 *
 * All calls are blocking and thread safe; concurrent pulls of one blob
 * (in threads or processes) download it once: a lock per blob digest. */
#ifndef HUSK_SANDBOX_IMAGE_REGISTRY_H
#define HUSK_SANDBOX_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../oci/error.h"
#include "image_ref.h"
#include "registry_config.h"

/* Where huskd reads its registry configuration (huskd --registry-config). */
#define HUSK_REGISTRY_CONFIG_DEFAULT "/etc/husk/registries.yaml"

/* Credentials given with one pull (CRI AuthConfig); all may be NULL.  They
 * win over the configuration file's for the pull's registry. */
struct husk_registry_auth {
  const char *username;
  const char *password;
  const char *auth;           /* base64 "user:password" */
  const char *identity_token; /* a refresh token for the token server */
  const char *registry_token; /* a bearer token sent as is */
};

/* Called from the pulling thread as blobs arrive. */
typedef void (*husk_pull_progress_fn) (void *arg, const char *digest, uint64_t done,
                                       uint64_t total);

struct husk_pull_options {
  const struct husk_registry_config *config; /* NULL: no mirrors, no credentials */
  const struct husk_registry_auth *auth;     /* NULL: those of the config, or anonymous */
  husk_pull_progress_fn progress;
  void *progress_arg;
};

struct husk_pull_result {
  char *name;        /* "docker.io/library/busybox:latest", as pulled */
  char *image_id;    /* the config digest, "sha256:..." */
  char *digest;      /* the manifest digest, "sha256:..." */
  char *repo_digest; /* "docker.io/library/busybox@sha256:..." (status.imageID) */
  char *manifest_digest; /* the linux/amd64 manifest's (== digest unless an index) */
  uint64_t size;     /* bytes of the image's blobs */
  uint64_t downloaded; /* bytes fetched by this pull (0: all present) */
  double seconds;
};

void husk_pull_result_free (struct husk_pull_result *r);

/* Pulls `reference` (Kubernetes' normalisation: "busybox" is
 * docker.io/library/busybox:latest) for linux/amd64.  Mirrors of the
 * registry are tried first, then the registry itself; a failed transfer is
 * retried.  On failure nothing of it is kept but complete, verified blobs. */
int husk_image_pull (const char *store, const char *reference,
                     const struct husk_pull_options *opts, struct husk_pull_result *out,
                     struct husk_error **err);

/* husk_image_pull with the registry configuration read afresh from
 * `config_path` (NULL: HUSK_REGISTRY_CONFIG_DEFAULT; a missing file is no
 * mirrors and no credentials), so an edit of it applies to the next pull;
 * `auth` (may be NULL) wins over the file's credentials. */
int husk_image_pull_configured (const char *store, const char *config_path, const char *reference,
                                const struct husk_registry_auth *auth,
                                struct husk_pull_result *out, struct husk_error **err);

struct husk_image_info {
  char *id;            /* "sha256:<config digest>" */
  char **repo_tags;    /* NULL terminated */
  char **repo_digests; /* NULL terminated */
  uint64_t size;
  char *user;          /* from the config, may be NULL */
};

void husk_image_info_free (struct husk_image_info *info);
void husk_image_info_list_free (struct husk_image_info *infos, size_t n);

int husk_image_list (const char *store, struct husk_image_info **out, size_t *n,
                     struct husk_error **err);

/* `what` is a reference, an image id ("sha256:<hex>") or an id's hex
 * prefix.  Returns 1 with *out filled when present, 0 when not. */
int husk_image_status (const char *store, const char *what, struct husk_image_info *out,
                       struct husk_error **err);

/* A reference forgets that reference; an id forgets every reference of
 * the image.  Unpacked layers stay (running containers may use them) until
 * husk_image_prune.  Returns 1 when something was removed, 0 when absent. */
int husk_image_remove (const char *store, const char *what, struct husk_error **err);

/* Bytes and inodes under the store (the CRI's ImageFsInfo). */
struct husk_image_fs_info {
  char *mountpoint; /* the store's directory */
  uint64_t used_bytes;
  uint64_t inodes_used;
};
int husk_image_fs_info (const char *store, struct husk_image_fs_info *out,
                        struct husk_error **err);
void husk_image_fs_info_free (struct husk_image_fs_info *info);

/* The manifest digest a local reference points to ("sha256:..."), NULL
 * when it was not pulled. */
char *husk_image_local_digest (const char *store, const char *reference);

#endif
