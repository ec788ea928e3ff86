/* SPDY/3 header blocks: name/value pairs, each length-prefixed, compressed
 * with zlib primed with the spec's dictionary (section 2.6.10.1).  Each
 * direction of a connection is one zlib stream for the connection's whole
 * life, so the state lives in a struct spdy_zlib per connection. */
#ifndef HUSK_STREAM_SPDY_ZLIB_H
#define HUSK_STREAM_SPDY_ZLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "../../oci/error.h"

/* A decoded block larger than this is refused (a compression bomb). */
#define SPDY_MAX_HEADERS_SIZE (64u * 1024)

struct spdy_zlib {
  z_stream in;  /* inflates what the peer sends */
  z_stream out; /* deflates what we send */
  bool in_ready, out_ready;
};

struct spdy_header {
  char *name;  /* lower case on the wire */
  char *value; /* several values are separated by NUL bytes */
  size_t value_len;
};

struct spdy_headers {
  struct spdy_header *v;
  size_t n;
};

/* The dictionary bytes (1423). */
const uint8_t *spdy_dictionary (size_t *len);

int spdy_zlib_init (struct spdy_zlib *z, struct husk_error **err);
void spdy_zlib_free (struct spdy_zlib *z);

int spdy_headers_decode (struct spdy_zlib *z, const uint8_t *block, size_t len,
                         struct spdy_headers *out, struct husk_error **err);
void spdy_headers_free (struct spdy_headers *h);
/* The first value of `name`, NULL when absent. */
const char *spdy_headers_get (const struct spdy_headers *h, const char *name);

/* pairs: name, value, name, value, ..., NULL.  *out is malloc'd. */
int spdy_headers_encode (struct spdy_zlib *z, const char *const *pairs, uint8_t **out,
                         size_t *len, struct husk_error **err);

#endif
