/* What image.c shares with the registry code of sandbox/image. */
#ifndef HUSK_SANDBOX_IMAGE_INTERNAL_H
#define HUSK_SANDBOX_IMAGE_INTERNAL_H

#include "image.h"

/* An image from its manifest (`digest`, a blob of the layout or store
 * `blobs`): its config read, its layers unpacked into `store` (verified
 * first, once per digest, under the store's lock). */
int image_from_manifest (const char *store, const char *blobs, const char *digest,
                         struct husk_image *img, struct husk_error **err);

/* The reference record of a pulled image (refs/<sha256 of name>):
 * "name=", "digest=" (what the name resolved to: an index or manifest),
 * "manifest=" (the linux/amd64 manifest), "id=" (the config digest). */
char *image_ref_record_path (const char *store, const char *name);

/* image_digest.c: sha256 of a buffer as 64 lower-case hex digits. */
int image_sha256_hex (const void *data, size_t len, char hex[65], struct husk_error **err);
/* The store is keyed by digest and shared by every image: a blob whose
 * content does not match its name would poison the layer for all of them,
 * so it is hashed (`digest`: "sha256:<hex>") before it is unpacked. */
int image_verify_blob (const char *path, const char *digest, struct husk_error **err);

#endif
