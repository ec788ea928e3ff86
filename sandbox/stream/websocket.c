/* RFC 6455 framing.  Client frames must be masked and server frames never
 * are (section 5.1); the checks below are the ones section 5.2 makes a
 * server fail the connection for. */
#include "websocket.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

int
ws_accept_key (const char *key, char out[WS_ACCEPT_LEN], struct husk_error **err)
{
  unsigned char decoded[32], digest[SHA_DIGEST_LENGTH];
  char joined[128];
  size_t n = key ? strlen (key) : 0;

  /* 16 random bytes in base64 are 24 characters ending in "==" */
  if (n != 24 || EVP_DecodeBlock (decoded, (const unsigned char *) key, (int) n) != 18
      || key[22] != '=' || key[23] != '=')
    return husk_error_set (err, EINVAL, "Sec-WebSocket-Key `%s` is not 16 bytes in base64",
                           key ? key : "");
  n = (size_t) snprintf (joined, sizeof joined, "%s%s", key, WS_GUID);
  SHA1 ((const unsigned char *) joined, n, digest);
  EVP_EncodeBlock ((unsigned char *) out, digest, sizeof digest);
  return 0;
}

static bool
opcode_known (uint8_t op)
{
  return op <= WS_OP_BINARY || (op >= WS_OP_CLOSE && op <= WS_OP_PONG);
}

/* The payload length in its 7, 16 or 64 bit form; 0 when incomplete. */
static size_t
read_length (const uint8_t *buf, size_t len, uint64_t *out, bool *minimal)
{
  uint8_t l7 = buf[1] & 0x7f;
  *minimal = true;
  if (l7 < 126)
    {
      *out = l7;
      return 2;
    }
  if (l7 == 126)
    {
      if (len < 4)
        return 0;
      *out = (uint64_t) buf[2] << 8 | buf[3];
      *minimal = *out >= 126;
      return 4;
    }
  if (len < 10)
    return 0;
  *out = 0;
  for (int i = 0; i < 8; i++)
    *out = *out << 8 | buf[2 + i];
  *minimal = *out > 0xffff && !(*out >> 63);
  return 10;
}

int
ws_frame_parse (const uint8_t *buf, size_t len, uint64_t max_payload, struct ws_frame *f,
                struct husk_error **err)
{
  bool minimal;
  size_t at;

  if (len < 2)
    return 0;
  memset (f, 0, sizeof *f);
  f->fin = buf[0] & 0x80;
  f->opcode = buf[0] & 0x0f;
  f->masked = buf[1] & 0x80;
  if (buf[0] & 0x70)
    return husk_error_set (err, EPROTO, "websocket: reserved bits set without an extension");
  if (!opcode_known (f->opcode))
    return husk_error_set (err, EPROTO, "websocket: unknown opcode %#x", f->opcode);
  if ((at = read_length (buf, len, &f->length, &minimal)) == 0)
    return 0;
  if (!minimal)
    return husk_error_set (err, EPROTO, "websocket: payload length not in its shortest form");
  if (f->opcode >= WS_OP_CLOSE && (!f->fin || f->length > 125))
    return husk_error_set (err, EPROTO, "websocket: control frame fragmented or over 125 bytes");
  if (f->length > max_payload)
    return husk_error_set (err, EMSGSIZE, "websocket: frame of %llu bytes (limit %llu)",
                           (unsigned long long) f->length, (unsigned long long) max_payload);
  if (f->masked)
    {
      if (len < at + 4)
        return 0;
      memcpy (f->mask, buf + at, 4);
      at += 4;
    }
  f->header_len = at;
  return len - at >= f->length ? 1 : 0;
}

void
ws_mask (uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset)
{
  for (size_t i = 0; i < n; i++)
    p[i] ^= mask[(offset + i) & 3];
}

size_t
ws_frame_header (uint8_t out[WS_MAX_HEADER], bool fin, uint8_t opcode, uint64_t length,
                 const uint8_t *mask)
{
  size_t n = 2;
  out[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  out[1] = mask ? 0x80 : 0;
  if (length < 126)
    out[1] |= (uint8_t) length;
  else if (length <= 0xffff)
    {
      out[1] |= 126;
      out[n++] = (uint8_t) (length >> 8);
      out[n++] = (uint8_t) length;
    }
  else
    {
      out[1] |= 127;
      for (int i = 7; i >= 0; i--)
        out[n++] = (uint8_t) (length >> (8 * i));
    }
  if (mask)
    {
      memcpy (out + n, mask, 4);
      n += 4;
    }
  return n;
}
