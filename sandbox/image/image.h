/* Container images for pods: an absolute path to a rootfs directory, or an
 * OCI image layout (`PATH` or `PATH:TAG`: index.json -> manifest -> config
 * and layers).  Layers are unpacked once per digest into a shared store
 * (`<store>/layers/<sha256 hex>/`, read-only once complete; a blob is
 * hashed first and refused when it does not match its digest) and a container
 * gets them through overlayfs with its own writable upper layer.
 *
 * Unpacking refuses entries that would land outside the layer: absolute
 * names, `..`, and paths through symlinks (extraction resolves every name
 * inside the layer directory, openat2 RESOLVE_IN_ROOT semantics through
 * libarchive's ARCHIVE_EXTRACT_SECURE_* checks).  Whiteouts (`.wh.NAME`,
 * `.wh..wh..opq`) become overlayfs whiteouts (0:0 character devices and the
 * trusted.overlay.opaque xattr). */
#ifndef HUSK_SANDBOX_IMAGE_H
#define HUSK_SANDBOX_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "../../oci/error.h"

struct husk_image {
  char *ref;
  char *digest;        /* manifest digest, NULL for a rootfs directory */
  char **layers;       /* directories, lowest first; NULL terminated */
  size_t layers_len;
  /* From the image config (all may be NULL): */
  char **entrypoint;
  char **cmd;
  char **env;
  char *working_dir;
  char *user;
};

void husk_image_free (struct husk_image *img);

/* Resolves `ref`, unpacking what is not in `store` yet.  Concurrent calls
 * for one image serialise on a lock in the store; a layer is unpacked into a
 * temporary directory renamed into place only when complete. */
int husk_image_resolve (const char *store, const char *ref, struct husk_image **out,
                        struct husk_error **err);

/* Mounts the image at `target` through overlayfs with `upper` and `work`
 * (created if missing, same filesystem). */
int husk_image_mount (const struct husk_image *img, const char *upper, const char *work,
                      const char *target, struct husk_error **err);

/* Unpacks one layer tarball (gzip or plain) into `dir` applying whiteouts;
 * exposed for unit tests.  Refuses entries escaping `dir`. */
int husk_image_unpack_layer (const char *tarball, const char *dir, struct husk_error **err);

/* Whether zstd layers can be unpacked (libarchive built with libzstd). */
bool husk_image_zstd_supported (void);

#endif
