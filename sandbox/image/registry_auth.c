/* Parsing auth challenges and token answers (see registry_auth.h).  The
 * challenge grammar is RFC 7235's: a scheme, then comma-separated
 * name=value pairs whose value is a token or a quoted string with
 * backslash escapes. */
#include "registry_auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"

#define CHALLENGE_MAX_LEN 8192
#define TOKEN_MAX_LEN (64 * 1024)

void
reg_challenge_clear (struct reg_challenge *c)
{
  free (c->realm);
  free (c->service);
  free (c->scope);
  memset (c, 0, sizeof *c);
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* A token or quoted string at *p into a malloc'd string; advances *p. */
static char *
param_value (const char **p)
{
  const char *s = *p;
  size_t n = 0;
  char *out;

  if (*s != '"')
    {
      n = strcspn (s, ", \t");
      *p = s + n;
      return strndup (s, n);
    }
  s++;
  if ((out = malloc (strlen (s) + 1)) == NULL)
    return NULL;
  while (*s && *s != '"')
    {
      if (*s == '\\' && s[1])
        s++;
      out[n++] = *s++;
    }
  out[n] = '\0';
  if (*s != '"')
    {
      free (out);
      return NULL;
    }
  *p = s + 1;
  return out;
}

static int
set_param (struct reg_challenge *c, const char *name, size_t len, char *value)
{
  char **slot = NULL;
  if (len == 5 && !strncasecmp (name, "realm", 5))
    slot = &c->realm;
  else if (len == 7 && !strncasecmp (name, "service", 7))
    slot = &c->service;
  else if (len == 5 && !strncasecmp (name, "scope", 5))
    slot = &c->scope;
  if (slot == NULL || *slot)
    {
      free (value); /* unknown, or repeated: the first wins */
      return 0;
    }
  *slot = value;
  return 0;
}

static int
parse_params (const char *p, struct reg_challenge *c, struct husk_error **err)
{
  for (;;)
    {
      p = skip_space (p);
      while (*p == ',')
        p = skip_space (p + 1);
      if (*p == '\0')
        return 0;
      const char *name = p;
      size_t len = strcspn (p, "= \t,");
      if (len == 0)
        return husk_error_set (err, EINVAL, "auth challenge: expected a parameter at `%.20s`", p);
      p = skip_space (p + len);
      if (*p != '=')
        return husk_error_set (err, EINVAL, "auth challenge: parameter `%.*s` without a value",
                               (int) (len > 40 ? 40 : len), name);
      p = skip_space (p + 1);
      char *value = param_value (&p);
      if (value == NULL)
        return husk_error_set (err, EINVAL, "auth challenge: unterminated quoted value");
      set_param (c, name, len, value);
      p = skip_space (p);
      if (*p != ',' && *p != '\0')
        return husk_error_set (err, EINVAL, "auth challenge: expected `,` at `%.20s`", p);
    }
}

int
reg_challenge_parse (const char *header, struct reg_challenge *out, struct husk_error **err)
{
  const char *p = skip_space (header);
  size_t n = strcspn (p, " \t");

  memset (out, 0, sizeof *out);
  if (strlen (header) > CHALLENGE_MAX_LEN)
    return husk_error_set (err, EINVAL, "auth challenge over %d bytes", CHALLENGE_MAX_LEN);
  if (n == 6 && !strncasecmp (p, "Bearer", 6))
    out->scheme = REG_AUTH_BEARER;
  else if (n == 5 && !strncasecmp (p, "Basic", 5))
    out->scheme = REG_AUTH_BASIC;
  else
    return husk_error_set (err, ENOTSUP, "unsupported auth scheme `%.*s`",
                           (int) (n > 40 ? 40 : n), p);
  if (parse_params (p + n, out, err) < 0)
    {
      reg_challenge_clear (out);
      return -1;
    }
  if (out->scheme == REG_AUTH_BEARER && (out->realm == NULL || out->realm[0] == '\0'))
    {
      reg_challenge_clear (out);
      return husk_error_set (err, EINVAL, "bearer auth challenge without a realm");
    }
  return 0;
}

static char *
json_string (yajl_val doc, const char *key)
{
  const char *path[] = { key, NULL };
  yajl_val v = yajl_tree_get (doc, path, yajl_t_string);
  const char *s = v ? YAJL_GET_STRING (v) : NULL;
  return s && s[0] ? strdup (s) : NULL;
}

int
reg_token_parse (const char *body, size_t len, char **token, char **refresh,
                 struct husk_error **err)
{
  cleanup_json yajl_val doc = NULL;

  *token = NULL;
  if (refresh)
    *refresh = NULL;
  if (len > TOKEN_MAX_LEN)
    return husk_error_set (err, EFBIG, "token answer over %d bytes", TOKEN_MAX_LEN);
  if (json_doc_parse ("token answer", body, len, &doc, err) < 0)
    return -1;
  if (!YAJL_IS_OBJECT (doc))
    return husk_error_set (err, EINVAL, "token answer: not an object");
  *token = json_string (doc, "token");
  if (*token == NULL)
    *token = json_string (doc, "access_token");
  if (*token == NULL)
    return husk_error_set (err, EINVAL, "token answer without a token");
  /* a token goes into a header line: no control characters */
  for (const char *c = *token; *c; c++)
    if (iscntrl ((unsigned char) *c))
      {
        free (*token);
        *token = NULL;
        return husk_error_set (err, EINVAL, "token answer: control character in the token");
      }
  if (refresh)
    *refresh = json_string (doc, "refresh_token");
  return 0;
}
