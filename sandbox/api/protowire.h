/* Protocol buffers' wire format, read and written by hand-sized pieces:
 * huskd reads the few Kubernetes objects kubectl sends as protobuf, and the
 * gRPC health probe encodes one request and decodes one response.  No
 * schema, no allocation; every read is bounded by the buffer. */
#ifndef HUSK_API_PROTOWIRE_H
#define HUSK_API_PROTOWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pb_wire_type { PB_VARINT = 0, PB_FIXED64 = 1, PB_BYTES = 2, PB_FIXED32 = 5 };

struct pb_reader {
  const unsigned char *p, *end;
};

/* One field: its number and type; `varint` holds a varint's value, `bytes`
 * a length-delimited field's contents (both empty otherwise). */
struct pb_field {
  unsigned number;
  enum pb_wire_type type;
  uint64_t varint;
  struct pb_reader bytes;
};

static inline bool
pb_more (const struct pb_reader *r)
{
  return r->p < r->end;
}

/* The next field of r; false on a truncated or malformed one. */
bool pb_next_field (struct pb_reader *r, struct pb_field *f);

/* Calls fn for each field of r in order; false as soon as a field is
 * malformed or fn returns false. */
bool pb_each_field (struct pb_reader r, bool (*fn) (const struct pb_field *f, void *ctx),
                    void *ctx);

/* Appends field `number` as bytes (strings, nested messages) to out, which
 * has room for `size`; returns the new length or 0 if it does not fit. */
size_t pb_put_bytes (unsigned char *out, size_t len, size_t size, unsigned number,
                     const void *data, size_t data_len);

/* Appends field `number` as a varint; 0 if it does not fit. */
size_t pb_put_varint (unsigned char *out, size_t len, size_t size, unsigned number, uint64_t v);

#endif
