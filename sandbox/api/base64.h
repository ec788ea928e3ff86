/* Standard base64 (RFC 4648 with padding), as Go's encoding/json reads a
 * []byte: a Secret's data values.  CR and LF are skipped as Go's decoder
 * skips them; anything else outside the alphabet is an error at its
 * offset, which kube-apiserver reports ("illegal base64 data at input
 * byte N"). */
#ifndef HUSK_API_BASE64_H
#define HUSK_API_BASE64_H

#include <stddef.h>

/* malloc'd, NUL terminated. */
char *api_base64_encode (const unsigned char *data, size_t len);
/* 0 and *out (malloc'd, NUL terminated, *len bytes without it), or -1 and
 * *bad_at: the offset of the first illegal byte. */
int api_base64_decode (const char *text, unsigned char **out, size_t *len, size_t *bad_at);

#endif
