/* Parsing and normalising image references (see image_ref.h), after
 * distribution/reference's grammar, which containerd and the kubelet use. */
#include "image_ref.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../oci/str_printf.h"

/* distribution/reference's NameTotalLengthMax */
#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

bool
husk_digest_valid (const char *s)
{
  return s && strncmp (s, "sha256:", 7) == 0 && strlen (s + 7) == 64
         && strspn (s + 7, "0123456789abcdef") == 64;
}

static bool
is_alnum_lower (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)* over [s, s+n) */
static bool
component_valid (const char *s, size_t n)
{
  size_t i = 0;
  if (n == 0 || !is_alnum_lower (s[0]) || !is_alnum_lower (s[n - 1]))
    return false;
  while (i < n)
    {
      if (is_alnum_lower (s[i]))
        {
          i++;
          continue;
        }
      size_t j = i;
      while (j < n && !is_alnum_lower (s[j]))
        j++;
      size_t sep = j - i;
      bool dashes = strspn (s + i, "-") >= sep;
      if (!(dashes || (sep == 1 && (s[i] == '.' || s[i] == '_'))
            || (sep == 2 && s[i] == '_' && s[i + 1] == '_')))
        return false;
      i = j;
    }
  return true;
}

static bool
path_valid (const char *p)
{
  while (*p)
    {
      const char *slash = strchr (p, '/');
      size_t n = slash ? (size_t) (slash - p) : strlen (p);
      if (!component_valid (p, n))
        return false;
      if (slash == NULL)
        return true;
      p = slash + 1;
      if (*p == '\0')
        return false;
    }
  return false;
}

/* host[:port]: letters, digits, '-', '.', or an [IPv6] literal. */
static bool
domain_valid (const char *d)
{
  const char *colon;
  if (d[0] == '[')
    {
      const char *end = strchr (d, ']');
      if (end == NULL || strspn (d + 1, "0123456789abcdefABCDEF:") != (size_t) (end - d - 1))
        return false;
      colon = end[1] == ':' ? end + 1 : NULL;
      if (end[1] != '\0' && colon == NULL)
        return false;
    }
  else
    {
      size_t n = strcspn (d, ":");
      if (n == 0)
        return false;
      for (size_t i = 0; i < n; i++)
        if (!isalnum ((unsigned char) d[i]) && d[i] != '-' && d[i] != '.')
          return false;
      if (d[0] == '-' || d[0] == '.' || d[n - 1] == '-' || d[n - 1] == '.')
        return false;
      colon = d[n] == ':' ? d + n : NULL;
    }
  if (colon)
    {
      size_t digits = strspn (colon + 1, "0123456789");
      if (digits == 0 || digits > 5 || colon[1 + digits] != '\0')
        return false;
    }
  return true;
}

static bool
tag_valid (const char *t)
{
  size_t n = strlen (t);
  if (n == 0 || n > TAG_MAX_LEN || !(isalnum ((unsigned char) t[0]) || t[0] == '_'))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char) t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
      return false;
  return true;
}

void
husk_image_ref_clear (struct husk_image_ref *ref)
{
  free (ref->domain);
  free (ref->path);
  free (ref->tag);
  free (ref->digest);
  memset (ref, 0, sizeof *ref);
}

/* The first component names a registry when it looks like a host. */
static bool
looks_like_domain (const char *s, size_t n)
{
  return memchr (s, '.', n) || memchr (s, ':', n) || (n == 9 && !strncmp (s, "localhost", 9))
         || (n > 0 && s[0] == '[');
}

static int
split_name (char *name, struct husk_image_ref *out, struct husk_error **err)
{
  char *slash = strchr (name, '/');
  if (slash && looks_like_domain (name, slash - name))
    {
      out->domain = strndup (name, slash - name);
      out->qualified = true;
      name = slash + 1;
    }
  else
    out->domain = strdup (HUSK_DOCKER_HUB);
  if (out->domain == NULL)
    return husk_error_set (err, ENOMEM, "reference");
  if (!strcmp (out->domain, "index.docker.io") || !strcmp (out->domain, "registry-1.docker.io"))
    {
      free (out->domain);
      out->domain = strdup (HUSK_DOCKER_HUB);
    }
  if (out->domain && !strcmp (out->domain, HUSK_DOCKER_HUB) && strchr (name, '/') == NULL)
    out->path = str_printf ("library/%s", name);
  else
    out->path = strdup (name);
  return out->domain && out->path ? 0 : husk_error_set (err, ENOMEM, "reference");
}

static int
parse (const char *s, struct husk_image_ref *out, struct husk_error **err)
{
  cleanup_free char *copy = strdup (s);
  char *at, *colon, *slash;

  if (copy == NULL)
    return husk_error_set (err, ENOMEM, "reference");
  if ((at = strchr (copy, '@')))
    {
      *at = '\0';
      if (!husk_digest_valid (at + 1))
        return husk_error_set (err, EINVAL, "invalid digest `%s` (want sha256:<64 hex>)", at + 1);
      if ((out->digest = strdup (at + 1)) == NULL)
        return husk_error_set (err, ENOMEM, "reference");
    }
  slash = strrchr (copy, '/');
  colon = strrchr (slash ? slash : copy, ':');
  if (colon)
    {
      *colon = '\0';
      if (!tag_valid (colon + 1))
        return husk_error_set (err, EINVAL, "invalid tag `%s`", colon + 1);
      if ((out->tag = strdup (colon + 1)) == NULL)
        return husk_error_set (err, ENOMEM, "reference");
    }
  if (copy[0] == '\0' || strlen (copy) > NAME_MAX_LEN)
    return husk_error_set (err, EINVAL, "invalid repository name (empty or over %d characters)",
                           NAME_MAX_LEN);
  if (split_name (copy, out, err) < 0)
    return -1;
  /* the limit is on the normalised name, as distribution's */
  if (strlen (out->domain) + 1 + strlen (out->path) > NAME_MAX_LEN)
    return husk_error_set (err, EINVAL, "repository name `%s/%s` over %d characters",
                           out->domain, out->path, NAME_MAX_LEN);
  if (!domain_valid (out->domain))
    return husk_error_set (err, EINVAL, "invalid registry host `%s`", out->domain);
  if (!path_valid (out->path))
    return husk_error_set (err, EINVAL,
                           "invalid repository name `%s` (lower-case letters, digits and "
                           "separators)",
                           out->path);
  if (out->tag == NULL && out->digest == NULL && (out->tag = strdup ("latest")) == NULL)
    return husk_error_set (err, ENOMEM, "reference");
  return 0;
}

int
husk_image_ref_parse (const char *s, struct husk_image_ref *out, struct husk_error **err)
{
  memset (out, 0, sizeof *out);
  if (s == NULL || s[0] == '\0')
    return husk_error_set (err, EINVAL, "empty image reference");
  if (parse (s, out, err) < 0)
    {
      husk_image_ref_clear (out);
      return husk_error_wrap (err, "image reference `%s`", s);
    }
  return 0;
}

char *
husk_image_ref_repository (const struct husk_image_ref *ref)
{
  return str_printf ("%s/%s", ref->domain, ref->path);
}

char *
husk_image_ref_string (const struct husk_image_ref *ref)
{
  if (ref->digest)
    return str_printf ("%s/%s@%s", ref->domain, ref->path, ref->digest);
  return str_printf ("%s/%s:%s", ref->domain, ref->path, ref->tag);
}
