/* husk-image-transfer.so's one exported symbol (see image_transfer.h). */
#include "image_transfer.h"

__attribute__ ((visibility ("default"))) const struct image_transfer_ops husk_image_transfer_ops = {
  .version = IMAGE_TRANSFER_OPS_VERSION,
  .sha256_hex = image_sha256_hex,
  .verify_blob = image_verify_blob,
  .unpack_layer = husk_image_unpack_layer,
  .pull = husk_image_pull,
  .pull_configured = husk_image_pull_configured,
};
