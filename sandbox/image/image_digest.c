/* sha256 of image blobs and names (GnuTLS). */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "image_internal.h"

int
image_verify_blob (const char *path, const char *digest, struct husk_error **err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  unsigned char sum[32], buf[65536];
  char hex[65];
  gnutls_hash_hd_t h;
  ssize_t n;

  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", path);
  if (gnutls_hash_init (&h, GNUTLS_DIG_SHA256) < 0)
    return husk_error_set (err, ENOMEM, "sha256");
  while ((n = read (fd, buf, sizeof buf)) > 0)
    gnutls_hash (h, buf, n);
  gnutls_hash_deinit (h, sum);
  if (n < 0)
    return husk_error_set (err, errno, "read `%s`", path);
  for (int i = 0; i < 32; i++)
    sprintf (hex + 2 * i, "%02x", sum[i]);
  if (strcmp (hex, digest + 7) != 0)
    return husk_error_set (err, EINVAL, "blob `%s` does not match its digest (sha256:%s)", digest,
                           hex);
  return 0;
}

int
image_sha256_hex (const void *data, size_t len, char hex[65], struct husk_error **err)
{
  unsigned char sum[32];
  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, data, len, sum) < 0)
    return husk_error_set (err, ENOMEM, "sha256");
  for (int i = 0; i < 32; i++)
    sprintf (hex + 2 * i, "%02x", sum[i]);
  return 0;
}

