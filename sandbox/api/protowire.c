#include "protowire.h"

#include <string.h>

static bool
read_varint (struct pb_reader *r, uint64_t *v)
{
  *v = 0;
  for (int shift = 0; shift < 64 && r->p < r->end; shift += 7)
    {
      unsigned char c = *r->p++;
      *v |= (uint64_t) (c & 0x7f) << shift;
      if (!(c & 0x80))
        return true;
    }
  return false;
}

static bool
skip (struct pb_reader *r, size_t n)
{
  if ((size_t) (r->end - r->p) < n)
    return false;
  r->p += n;
  return true;
}

bool
pb_next_field (struct pb_reader *r, struct pb_field *f)
{
  uint64_t key, len;
  *f = (struct pb_field){ 0 };
  if (!read_varint (r, &key) || key >> 3 == 0 || key >> 3 > UINT32_MAX)
    return false;
  f->number = (unsigned) (key >> 3);
  f->type = (enum pb_wire_type) (key & 7);
  switch (f->type)
    {
    case PB_VARINT:
      return read_varint (r, &f->varint);
    case PB_FIXED64:
      return skip (r, 8);
    case PB_FIXED32:
      return skip (r, 4);
    case PB_BYTES:
      if (!read_varint (r, &len) || len > (uint64_t) (r->end - r->p))
        return false;
      f->bytes = (struct pb_reader){ r->p, r->p + len };
      r->p += len;
      return true;
    }
  return false; /* groups (3, 4) are long deprecated; 6 and 7 do not exist */
}

bool
pb_each_field (struct pb_reader r, bool (*fn) (const struct pb_field *f, void *ctx), void *ctx)
{
  struct pb_field f;
  while (pb_more (&r))
    if (!pb_next_field (&r, &f) || !fn (&f, ctx))
      return false;
  return true;
}

static size_t
put_raw_varint (unsigned char *out, size_t len, size_t size, uint64_t v)
{
  do
    {
      if (len >= size)
        return 0;
      out[len++] = (unsigned char) ((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>= 7;
    }
  while (v);
  return len;
}

size_t
pb_put_varint (unsigned char *out, size_t len, size_t size, unsigned number, uint64_t v)
{
  len = put_raw_varint (out, len, size, (uint64_t) number << 3 | PB_VARINT);
  return len ? put_raw_varint (out, len, size, v) : 0;
}

size_t
pb_put_bytes (unsigned char *out, size_t len, size_t size, unsigned number, const void *data,
              size_t data_len)
{
  len = put_raw_varint (out, len, size, (uint64_t) number << 3 | PB_BYTES);
  if (len)
    len = put_raw_varint (out, len, size, data_len);
  if (!len || size - len < data_len)
    return 0;
  memcpy (out + len, data, data_len);
  return len + data_len;
}
