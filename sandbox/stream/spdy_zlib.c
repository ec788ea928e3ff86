/* SPDY/3 header compression.  The dictionary is the spec's: a run of
 * length-prefixed words (the encoding of a header block's names and
 * values) followed by common strings without prefixes.  zlib matches the
 * peer's dictionary by its Adler-32, so a single byte off breaks every
 * SYN_STREAM: tests/unit/stream checks its length and checksum. */
#include "spdy_zlib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"

static const char *const dictionary_words[] = {
  "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset",
  "accept-encoding", "accept-language", "accept-ranges", "age", "allow", "authorization",
  "cache-control", "connection", "content-base", "content-encoding", "content-language",
  "content-length", "content-location", "content-md5", "content-range", "content-type", "date",
  "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match",
  "if-range", "if-unmodified-since", "last-modified", "location", "max-forwards", "pragma",
  "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after", "server", "te",
  "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
  "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url",
  "public", "set-cookie", "keep-alive", "origin",
};

static const char dictionary_tail[] =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 "
  "Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 "
  "Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, "
  "Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,application/xml,"
  "application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch"
  "charset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

#define DICTIONARY_LEN 1423

static void
put32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v >> 24), p[1] = (uint8_t) (v >> 16), p[2] = (uint8_t) (v >> 8);
  p[3] = (uint8_t) v;
}

static uint32_t
get32 (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

const uint8_t *
spdy_dictionary (size_t *len)
{
  /* built once; the same bytes every time, so a race only writes twice */
  static uint8_t dict[DICTIONARY_LEN + 64];
  static size_t n;
  if (!n)
    {
      size_t at = 0;
      for (size_t i = 0; i < sizeof dictionary_words / sizeof *dictionary_words; i++)
        {
          size_t w = strlen (dictionary_words[i]);
          put32 (dict + at, (uint32_t) w);
          memcpy (dict + at + 4, dictionary_words[i], w);
          at += 4 + w;
        }
      memcpy (dict + at, dictionary_tail, sizeof dictionary_tail - 1);
      n = at + sizeof dictionary_tail - 1;
    }
  *len = n;
  return dict;
}

int
spdy_zlib_init (struct spdy_zlib *z, struct husk_error **err)
{
  size_t dlen;
  const uint8_t *dict = spdy_dictionary (&dlen);
  memset (z, 0, sizeof *z);
  if (inflateInit (&z->in) != Z_OK)
    return husk_error_set (err, ENOMEM, "spdy: inflateInit");
  z->in_ready = true;
  if (deflateInit (&z->out, Z_DEFAULT_COMPRESSION) != Z_OK)
    return husk_error_set (err, ENOMEM, "spdy: deflateInit");
  z->out_ready = true;
  if (deflateSetDictionary (&z->out, dict, (uInt) dlen) != Z_OK)
    return husk_error_set (err, EINVAL, "spdy: deflateSetDictionary");
  return 0;
}

void
spdy_zlib_free (struct spdy_zlib *z)
{
  if (z->in_ready)
    inflateEnd (&z->in);
  if (z->out_ready)
    deflateEnd (&z->out);
  z->in_ready = z->out_ready = false;
}

/* Inflates the whole block; the first block asks for the dictionary. */
static int
inflate_block (struct spdy_zlib *z, const uint8_t *block, size_t len, uint8_t *out,
               size_t *out_len, struct husk_error **err)
{
  size_t dlen;
  const uint8_t *dict = spdy_dictionary (&dlen);
  z->in.next_in = (Bytef *) block;
  z->in.avail_in = (uInt) len;
  z->in.next_out = out;
  z->in.avail_out = SPDY_MAX_HEADERS_SIZE;
  while (z->in.avail_in > 0)
    {
      int r = inflate (&z->in, Z_SYNC_FLUSH);
      if (r == Z_NEED_DICT && inflateSetDictionary (&z->in, dict, (uInt) dlen) == Z_OK)
        continue;
      if (r == Z_BUF_ERROR && z->in.avail_out == 0)
        return husk_error_set (err, EMSGSIZE, "spdy: header block over %u bytes",
                               SPDY_MAX_HEADERS_SIZE);
      if (r != Z_OK && r != Z_BUF_ERROR)
        return husk_error_set (err, EPROTO, "spdy: header block: %s",
                               z->in.msg ? z->in.msg : "bad zlib data");
      if (r == Z_BUF_ERROR)
        break;
    }
  *out_len = SPDY_MAX_HEADERS_SIZE - z->in.avail_out;
  return 0;
}

/* One length-prefixed string at *at; NUL terminated copy in *s. */
static int
take_string (const uint8_t *p, size_t len, size_t *at, char **s, size_t *slen)
{
  if (len - *at < 4)
    return -1;
  uint32_t n = get32 (p + *at);
  *at += 4;
  if (len - *at < n || !(*s = malloc (n + 1)))
    return -1;
  memcpy (*s, p + *at, n); /* values may hold NULs between values */
  (*s)[n] = '\0';
  *slen = n;
  *at += n;
  return 0;
}

static int
parse_pairs (const uint8_t *p, size_t len, struct spdy_headers *out, struct husk_error **err)
{
  size_t at = 4, nlen;
  if (len < 4)
    return husk_error_set (err, EPROTO, "spdy: header block of %zu bytes", len);
  uint32_t n = get32 (p);
  if (n > len / 8)
    return husk_error_set (err, EPROTO, "spdy: header block claims %u pairs", n);
  out->v = calloc (n ? n : 1, sizeof *out->v);
  if (!out->v)
    return husk_error_set (err, ENOMEM, "spdy: headers");
  for (; out->n < n; out->n++)
    {
      struct spdy_header *h = &out->v[out->n];
      if (take_string (p, len, &at, &h->name, &nlen) < 0
          || take_string (p, len, &at, &h->value, &h->value_len) < 0)
        {
          out->n++;
          return husk_error_set (err, EPROTO, "spdy: header pair %zu is cut short", out->n);
        }
    }
  return 0;
}

int
spdy_headers_decode (struct spdy_zlib *z, const uint8_t *block, size_t len,
                     struct spdy_headers *out, struct husk_error **err)
{
  cleanup_free uint8_t *plain = malloc (SPDY_MAX_HEADERS_SIZE);
  size_t plain_len = 0;
  memset (out, 0, sizeof *out);
  if (!plain)
    return husk_error_set (err, ENOMEM, "spdy: headers");
  if (inflate_block (z, block, len, plain, &plain_len, err) < 0)
    return -1;
  if (parse_pairs (plain, plain_len, out, err) < 0)
    {
      spdy_headers_free (out);
      return -1;
    }
  return 0;
}

void
spdy_headers_free (struct spdy_headers *h)
{
  for (size_t i = 0; h->v && i < h->n; i++)
    {
      free (h->v[i].name);
      free (h->v[i].value);
    }
  free (h->v);
  memset (h, 0, sizeof *h);
}

const char *
spdy_headers_get (const struct spdy_headers *h, const char *name)
{
  for (size_t i = 0; i < h->n; i++)
    if (strcmp (h->v[i].name, name) == 0)
      return h->v[i].value;
  return NULL;
}

static size_t
plain_block (const char *const *pairs, uint8_t *out)
{
  size_t n = 0, at = 4;
  for (; pairs[n] && pairs[n + 1]; n += 2)
    for (int k = 0; k < 2; k++)
      {
        size_t l = strlen (pairs[n + k]);
        if (out)
          put32 (out + at, (uint32_t) l), memcpy (out + at + 4, pairs[n + k], l);
        at += 4 + l;
      }
  if (out)
    put32 (out, (uint32_t) (n / 2));
  return at;
}

int
spdy_headers_encode (struct spdy_zlib *z, const char *const *pairs, uint8_t **out, size_t *len,
                     struct husk_error **err)
{
  size_t plain_len = plain_block (pairs, NULL);
  cleanup_free uint8_t *plain = malloc (plain_len);
  size_t bound = deflateBound (&z->out, plain_len) + 64;
  cleanup_free uint8_t *packed = malloc (bound);
  if (!plain || !packed)
    return husk_error_set (err, ENOMEM, "spdy: headers");
  plain_block (pairs, plain);
  z->out.next_in = plain;
  z->out.avail_in = (uInt) plain_len;
  z->out.next_out = packed;
  z->out.avail_out = (uInt) bound;
  /* a sync flush ends the block on a byte boundary: the peer can inflate
   * this frame alone, the stream goes on with the next one */
  if (deflate (&z->out, Z_SYNC_FLUSH) != Z_OK || z->out.avail_in != 0)
    return husk_error_set (err, EPROTO, "spdy: deflate header block");
  *len = bound - z->out.avail_out;
  *out = steal_pointer (&packed);
  return 0;
}
