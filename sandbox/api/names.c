#include "names.h"

#include <string.h>

const char api_dns1123_label_msg[]
    = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
      "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
      "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char api_dns1123_subdomain_msg[]
    = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
      "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
      "used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

static bool
alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The characters of one label; a subdomain's labels are not capped at 63
 * by Kubernetes' regex, only the whole name at 253. */
static bool
label_chars (const char *s, size_t n)
{
  if (n == 0 || !alnum (s[0]) || !alnum (s[n - 1]))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!alnum (s[i]) && s[i] != '-')
      return false;
  return true;
}

bool
api_is_dns1123_label (const char *s)
{
  return s && strlen (s) <= 63 && label_chars (s, strlen (s));
}

bool
api_is_dns1123_subdomain (const char *s)
{
  size_t n = s ? strlen (s) : 0;
  if (n == 0 || n > 253)
    return false;
  for (const char *p = s;;)
    {
      const char *dot = strchr (p, '.');
      size_t len = dot ? (size_t) (dot - p) : strlen (p);
      if (!label_chars (p, len))
        return false;
      if (!dot)
        return true;
      p = dot + 1;
    }
}
