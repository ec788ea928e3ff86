/* SPDY/3.1 frames: every number is big-endian; a control frame starts with
 * the bit 0x80, the version (3) and its type; a data frame with a 31 bit
 * stream id. */
#include "spdy.h"

#include <errno.h>
#include <string.h>

static uint32_t
get32 (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void
put32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v >> 24);
  p[1] = (uint8_t) (v >> 16);
  p[2] = (uint8_t) (v >> 8);
  p[3] = (uint8_t) v;
}

/* The minimum payload of each control frame type; 0 for unknown types,
 * which section 2.2.1 says to ignore. */
static uint32_t
min_length (uint16_t type)
{
  switch (type)
    {
    case SPDY_SYN_STREAM: return 10;
    case SPDY_SYN_REPLY: case SPDY_HEADERS: return 4;
    case SPDY_RST_STREAM: case SPDY_GOAWAY: case SPDY_WINDOW_UPDATE: return 8;
    case SPDY_SETTINGS: case SPDY_PING: return 4;
    default: return 0;
    }
}

static void
decode_control (struct spdy_frame *f)
{
  const uint8_t *p = f->payload;
  switch (f->type)
    {
    case SPDY_SYN_STREAM:
      f->stream_id = get32 (p) & 0x7fffffff;
      f->headers = p + 10, f->headers_len = f->length - 10;
      break;
    case SPDY_SYN_REPLY: case SPDY_HEADERS:
      f->stream_id = get32 (p) & 0x7fffffff;
      f->headers = p + 4, f->headers_len = f->length - 4;
      break;
    case SPDY_RST_STREAM: case SPDY_WINDOW_UPDATE:
      f->stream_id = get32 (p) & 0x7fffffff;
      f->value = get32 (p + 4) & (f->type == SPDY_WINDOW_UPDATE ? 0x7fffffff : 0xffffffff);
      break;
    case SPDY_GOAWAY:
      f->stream_id = get32 (p) & 0x7fffffff;
      f->value = get32 (p + 4);
      break;
    case SPDY_PING:
      f->value = get32 (p);
      break;
    }
}

int
spdy_frame_parse (const uint8_t *buf, size_t len, uint32_t max_length, struct spdy_frame *f,
                  struct husk_error **err)
{
  if (len < SPDY_HEADER_LEN)
    return 0;
  memset (f, 0, sizeof *f);
  f->flags = buf[4];
  f->length = get32 (buf + 4) & 0xffffff;
  if (f->length > max_length)
    return husk_error_set (err, EMSGSIZE, "spdy: frame of %u bytes (limit %u)", f->length,
                           max_length);
  if (buf[0] & 0x80)
    {
      uint16_t version = (uint16_t) ((buf[0] & 0x7f) << 8 | buf[1]);
      f->type = (uint16_t) (buf[2] << 8 | buf[3]);
      if (version != SPDY_VERSION)
        return husk_error_set (err, EPROTO, "spdy: version %u, want 3", version);
      if (f->length < min_length (f->type))
        return husk_error_set (err, EPROTO, "spdy: control frame type %u of %u bytes", f->type,
                               f->length);
    }
  else
    f->stream_id = get32 (buf) & 0x7fffffff;
  if (len - SPDY_HEADER_LEN < f->length)
    return 0;
  f->payload = buf + SPDY_HEADER_LEN;
  if (buf[0] & 0x80)
    decode_control (f);
  return 1;
}

static void
control (uint8_t *out, uint16_t type, uint8_t flags, uint32_t length)
{
  out[0] = 0x80;
  out[1] = SPDY_VERSION;
  out[2] = (uint8_t) (type >> 8);
  out[3] = (uint8_t) type;
  put32 (out + 4, length & 0xffffff);
  out[4] = flags;
}

size_t
spdy_data_header (uint8_t out[SPDY_HEADER_LEN], uint32_t stream_id, uint8_t flags,
                  uint32_t length)
{
  put32 (out, stream_id & 0x7fffffff);
  put32 (out + 4, length & 0xffffff);
  out[4] = flags;
  return SPDY_HEADER_LEN;
}

size_t
spdy_reply_header (uint8_t out[12], uint16_t type, uint32_t stream_id, uint8_t flags,
                   uint32_t block_len)
{
  control (out, type, flags, 4 + block_len);
  put32 (out + 8, stream_id & 0x7fffffff);
  return 12;
}

size_t
spdy_syn_stream_header (uint8_t out[18], uint32_t stream_id, uint8_t flags, uint32_t block_len)
{
  control (out, SPDY_SYN_STREAM, flags, 10 + block_len);
  put32 (out + 8, stream_id & 0x7fffffff);
  put32 (out + 12, 0);
  out[16] = out[17] = 0;
  return 18;
}

static size_t
two_words (uint8_t out[16], uint16_t type, uint32_t a, uint32_t b)
{
  control (out, type, 0, 8);
  put32 (out + 8, a);
  put32 (out + 12, b);
  return 16;
}

size_t
spdy_rst_stream (uint8_t out[16], uint32_t stream_id, uint32_t status)
{
  return two_words (out, SPDY_RST_STREAM, stream_id & 0x7fffffff, status);
}

size_t
spdy_goaway (uint8_t out[16], uint32_t last_stream_id, uint32_t status)
{
  return two_words (out, SPDY_GOAWAY, last_stream_id & 0x7fffffff, status);
}

size_t
spdy_window_update (uint8_t out[16], uint32_t stream_id, uint32_t delta)
{
  return two_words (out, SPDY_WINDOW_UPDATE, stream_id & 0x7fffffff, delta & 0x7fffffff);
}

size_t
spdy_ping (uint8_t out[12], uint32_t id)
{
  control (out, SPDY_PING, 0, 4);
  put32 (out + 8, id);
  return 12;
}

int
spdy_settings_each (const struct spdy_frame *f,
                    void (*fn) (void *arg, uint32_t id, uint32_t value), void *arg,
                    struct husk_error **err)
{
  uint32_t n = get32 (f->payload);
  if (n > (f->length - 4) / 8)
    return husk_error_set (err, EPROTO, "spdy: SETTINGS with %u entries in %u bytes", n,
                           f->length);
  for (uint32_t i = 0; i < n; i++)
    {
      const uint8_t *e = f->payload + 4 + 8 * i;
      fn (arg, get32 (e) & 0xffffff, get32 (e + 4));
    }
  return 0;
}
