/* The part of sandbox/image that needs the heavy libraries: GnuTLS (the
 * sha256 of blobs and names), libarchive (layers) and libcurl (registries),
 * 45 shared objects that cost a process ~9 ms to map and relocate before
 * main().  huskd links it directly (it runs for days).  husk-pod, a command
 * run once per pod, links image_transfer_dlopen.c instead: the same
 * functions, which load this part as a module (husk-image-transfer.so,
 * image_transfer_module.c) the first time one is called, so a pod whose
 * image is a directory never loads it.  systemd dlopen()s its optional
 * libraries for the same reason. */
#ifndef HUSK_SANDBOX_IMAGE_TRANSFER_H
#define HUSK_SANDBOX_IMAGE_TRANSFER_H

#include "image.h"
#include "image_internal.h"
#include "registry.h"

/* What the module exports: one table, every other symbol of it hidden, so
 * that nothing of it interposes on the program that loads it. */
struct image_transfer_ops {
  unsigned version; /* IMAGE_TRANSFER_OPS_VERSION */
  int (*sha256_hex) (const void *data, size_t len, char hex[65], struct husk_error **err);
  int (*verify_blob) (const char *path, const char *digest, struct husk_error **err);
  int (*unpack_layer) (const char *tarball, const char *dir, struct husk_error **err);
  int (*pull) (const char *store, const char *reference, const struct husk_pull_options *opts,
               struct husk_pull_result *out, struct husk_error **err);
  int (*pull_configured) (const char *store, const char *config_path, const char *reference,
                          const struct husk_registry_auth *auth, struct husk_pull_result *out,
                          struct husk_error **err);
};

/* Bumped with any change of the table or of the structures it passes. */
#define IMAGE_TRANSFER_OPS_VERSION 1
#define IMAGE_TRANSFER_OPS_SYMBOL "husk_image_transfer_ops"
#define IMAGE_TRANSFER_MODULE "husk-image-transfer.so"

#endif
