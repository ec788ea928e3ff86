#include "quantity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct suffix {
  const char *text;
  double factor;
};

static const struct suffix suffixes[] = {
  { "Ki", 1024.0 }, { "Mi", 1048576.0 }, { "Gi", 1073741824.0 }, { "Ti", 1099511627776.0 },
  { "Pi", 1125899906842624.0 }, { "n", 1e-9 }, { "u", 1e-6 }, { "m", 1e-3 }, { "k", 1e3 },
  { "M", 1e6 }, { "G", 1e9 }, { "T", 1e12 }, { "P", 1e15 }, { "", 1.0 },
};

static bool
valid_number (const char *s, size_t n)
{
  size_t i = 0, digits = 0;
  bool dot = false;
  if (i < n && (s[i] == '+' || s[i] == '-'))
    i++;
  for (; i < n; i++)
    {
      if (s[i] >= '0' && s[i] <= '9')
        digits++;
      else if (s[i] == '.' && !dot)
        dot = true;
      else
        return false;
    }
  return digits > 0;
}

static bool
parse_exponent (const char *s, double *factor)
{
  /* "1e3" / "1E-3": decimal exponent form */
  char *end;
  long e;
  if (*s != 'e' && *s != 'E')
    return false;
  e = strtol (s + 1, &end, 10);
  if (end == s + 1 || *end || e > 18 || e < -9)
    return false;
  *factor = pow (10.0, (double) e);
  return true;
}

bool
api_quantity_parse (const char *s, long long *milli)
{
  size_t len = s ? strlen (s) : 0, num = 0;
  double factor = 0, v;
  while (num < len && strchr ("+-.0123456789", s[num]))
    num++;
  if (len == 0 || !valid_number (s, num))
    return false;
  if (!parse_exponent (s + num, &factor))
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
      if (strcmp (s + num, suffixes[i].text) == 0)
        {
          factor = suffixes[i].factor;
          break;
        }
  if (factor == 0)
    return false;
  char number[64];
  if (num >= sizeof number)
    return false;
  memcpy (number, s, num);
  number[num] = '\0';
  v = strtod (number, NULL) * factor * 1000.0;
  if (v > 9.2e18 || v < -9.2e18)
    return false;
  /* Kubernetes rounds up to the smallest unit it keeps */
  *milli = (long long) ceil (v - 1e-6);
  return true;
}

void
api_quantity_format (long long milli, bool binary, char buf[32])
{
  static const char *bin[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi" };
  static const char *dec[] = { "", "k", "M", "G", "T", "P" };
  long long units;
  int i = 0;

  if (milli % 1000 != 0)
    {
      snprintf (buf, 32, "%lldm", milli);
      return;
    }
  units = milli / 1000;
  if (binary)
    while (i < 5 && units != 0 && units % 1024 == 0)
      units /= 1024, i++;
  else
    while (i < 5 && units != 0 && units % 1000 == 0)
      units /= 1000, i++;
  snprintf (buf, 32, "%lld%s", units, binary ? bin[i] : dec[i]);
}
