#include "base64.h"

#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
api_base64_encode (const unsigned char *data, size_t len)
{
  char *out = malloc ((len + 2) / 3 * 4 + 1), *p = out;
  if (!out)
    abort ();
  for (size_t i = 0; i < len; i += 3)
    {
      unsigned v = (unsigned) data[i] << 16;
      if (i + 1 < len)
        v |= (unsigned) data[i + 1] << 8;
      if (i + 2 < len)
        v |= data[i + 2];
      *p++ = alphabet[v >> 18 & 63];
      *p++ = alphabet[v >> 12 & 63];
      *p++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
      *p++ = i + 2 < len ? alphabet[v & 63] : '=';
    }
  *p = '\0';
  return out;
}

static int
sextet (char c)
{
  const char *p = c ? strchr (alphabet, c) : NULL;
  return p ? (int) (p - alphabet) : -1;
}

/* Go's decoder: groups of four symbols; '=' pads the last group of two
 * or three, and nothing follows it.  A group cut short is an error at its
 * first symbol. */
int
api_base64_decode (const char *text, unsigned char **out, size_t *len, size_t *bad_at)
{
  size_t n = strlen (text), o = 0, have = 0, start = 0;
  unsigned char *buf = malloc (n / 4 * 3 + 4);
  unsigned v = 0;
  if (!buf)
    abort ();
  for (size_t i = 0; i < n; i++)
    {
      int s;
      if (text[i] == '\r' || text[i] == '\n')
        continue;
      if (have == 0)
        start = i;
      if (text[i] == '=' && have >= 2)
        {
          size_t pads = 0;
          for (; i < n && pads < 4 - have; i++)
            if (text[i] == '=')
              pads++;
            else if (text[i] != '\r' && text[i] != '\n')
              break;
          while (i < n && (text[i] == '\r' || text[i] == '\n'))
            i++;
          if (pads != 4 - have || i < n)
            {
              *bad_at = i < n ? i : start;
              free (buf);
              return -1;
            }
          v <<= 6 * (4 - have);
          buf[o++] = (unsigned char) (v >> 16);
          if (have == 3)
            buf[o++] = (unsigned char) (v >> 8);
          have = 0;
          break;
        }
      if ((s = sextet (text[i])) < 0)
        {
          *bad_at = i;
          free (buf);
          return -1;
        }
      v = v << 6 | (unsigned) s;
      if (++have == 4)
        {
          buf[o++] = (unsigned char) (v >> 16);
          buf[o++] = (unsigned char) (v >> 8);
          buf[o++] = (unsigned char) v;
          have = 0;
          v = 0;
        }
    }
  if (have)
    {
      *bad_at = start;
      free (buf);
      return -1;
    }
  buf[o] = '\0';
  *out = buf;
  *len = o;
  return 0;
}
