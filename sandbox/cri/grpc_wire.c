/* The pure parts of gRPC over HTTP/2 (grpc.h): message framing, timeouts,
 * grpc-message encoding.  PROTOCOL-HTTP2.md of grpc/grpc is the reference. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc.h"

int
cri_grpc_unframe (const uint8_t *body, size_t len, const uint8_t **msg, size_t *msg_len,
                  int *code, struct husk_error **err)
{
  uint32_t n;
  if (len < 5)
    {
      *code = GRPC_INTERNAL;
      return husk_error_set (err, EINVAL, "a gRPC message needs a 5 byte prefix, got %zu bytes",
                             len);
    }
  if (body[0] != 0)
    {
      /* we advertise no grpc-accept-encoding, so a client never compresses */
      *code = GRPC_UNIMPLEMENTED;
      return husk_error_set (err, EINVAL, "compressed messages are not supported");
    }
  n = (uint32_t) body[1] << 24 | (uint32_t) body[2] << 16 | (uint32_t) body[3] << 8 | body[4];
  if (n > CRI_GRPC_MAX_MESSAGE)
    {
      *code = GRPC_RESOURCE_EXHAUSTED;
      return husk_error_set (err, EMSGSIZE, "message of %u bytes is over the limit of %u", n,
                             CRI_GRPC_MAX_MESSAGE);
    }
  if ((size_t) n != len - 5)
    {
      *code = GRPC_INTERNAL;
      return husk_error_set (err, EINVAL,
                             "a unary call carries one message: prefix says %u bytes, body has %zu",
                             n, len - 5);
    }
  *msg = body + 5;
  *msg_len = n;
  return 0;
}

int64_t
cri_grpc_timeout_ns (const char *v, size_t len)
{
  int64_t n = 0, unit;
  /* TimeoutValue is at most 8 digits, then one unit */
  if (len < 2 || len > 9)
    return -1;
  for (size_t i = 0; i + 1 < len; i++)
    {
      if (!isdigit ((unsigned char) v[i]))
        return -1;
      n = n * 10 + (v[i] - '0');
    }
  switch (v[len - 1])
    {
    case 'H': unit = 3600000000000LL; break;
    case 'M': unit = 60000000000LL; break;
    case 'S': unit = 1000000000LL; break;
    case 'm': unit = 1000000LL; break;
    case 'u': unit = 1000LL; break;
    case 'n': unit = 1; break;
    default: return -1;
    }
  /* 99999999H is more ns than an int64 holds: as good as no deadline */
  return n > INT64_MAX / unit ? INT64_MAX : n * unit;
}

char *
cri_grpc_percent_encode (const char *s)
{
  size_t n = strlen (s);
  char *out = malloc (n * 3 + 1), *p = out;
  if (out == NULL)
    return NULL;
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      /* the spec: printable ASCII except '%' as is, the rest %XX */
      if (c >= 0x20 && c <= 0x7e && c != '%')
        *p++ = (char) c;
      else
        p += sprintf (p, "%%%02X", c);
    }
  *p = '\0';
  return out;
}
