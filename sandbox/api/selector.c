#include "selector.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"

static char *
trimmed (const char *s, size_t n)
{
  while (n && isspace ((unsigned char) *s))
    s++, n--;
  while (n && isspace ((unsigned char) s[n - 1]))
    n--;
  return strndup (s, n);
}

static char **
split_values (const char *s, size_t n)
{
  char **v = calloc (1, sizeof (char *));
  size_t count = 0;
  for (const char *p = s, *end = s + n; p <= end;)
    {
      const char *comma = memchr (p, ',', (size_t) (end - p));
      const char *stop = comma ? comma : end;
      v = realloc (v, (count + 2) * sizeof (char *));
      v[count++] = trimmed (p, (size_t) (stop - p));
      v[count] = NULL;
      p = stop + 1;
    }
  return v;
}

/* One requirement: "k", "!k", "k=v", "k==v", "k!=v", "k in (a,b)", "k notin (a)". */
static bool
parse_requirement (const char *s, size_t n, bool fields, struct api_requirement *r)
{
  cleanup_free char *text = trimmed (s, n);
  char *op, *open, *close;
  memset (r, 0, sizeof *r);
  if (!*text)
    return false;
  if ((op = strstr (text, "!=")) || (op = strstr (text, "==")) || (op = strchr (text, '=')))
    {
      r->op = op[0] == '!' ? API_SEL_NE : API_SEL_EQ;
      r->key = trimmed (text, (size_t) (op - text));
      op += op[0] == '=' && op[1] != '=' ? 1 : 2;
      r->values = split_values (op, strlen (op));
      return *r->key && !r->values[1];
    }
  if (!fields && (open = strchr (text, '(')) && (close = strrchr (text, ')')) && close > open)
    {
      cleanup_free char *head = trimmed (text, (size_t) (open - text));
      char *sp = strrchr (head, ' ');
      if (!sp || (strcmp (sp + 1, "in") && strcmp (sp + 1, "notin")))
        return false;
      r->op = strcmp (sp + 1, "in") == 0 ? API_SEL_IN : API_SEL_NOTIN;
      r->key = trimmed (head, (size_t) (sp - head));
      r->values = split_values (open + 1, (size_t) (close - open - 1));
      return *r->key;
    }
  if (fields)
    return false;
  r->op = text[0] == '!' ? API_SEL_NOT_EXISTS : API_SEL_EXISTS;
  r->key = trimmed (text + (text[0] == '!'), strlen (text) - (text[0] == '!'));
  r->values = calloc (1, sizeof (char *));
  return *r->key && !strpbrk (r->key, " ()!");
}

/* Commas inside "( )" belong to an in/notin list, not the selector. */
static size_t
requirement_end (const char *s)
{
  int depth = 0;
  size_t i = 0;
  for (; s[i]; i++)
    {
      depth += s[i] == '(';
      depth -= s[i] == ')';
      if (s[i] == ',' && depth == 0)
        break;
    }
  return i;
}

static void
free_requirement (struct api_requirement *r)
{
  free (r->key);
  husk_strvfreep (&r->values);
}

struct api_status *
api_selector_parse (const char *text, bool fields, struct api_selector *out)
{
  memset (out, 0, sizeof *out);
  for (const char *p = text; p && *p;)
    {
      size_t n = requirement_end (p);
      struct api_requirement r;
      bool good = parse_requirement (p, n, fields, &r);
      if (!good)
        {
          free_requirement (&r);
          api_selector_free (out);
          if (fields)
            return api_bad_request ("invalid field selector: '%.*s'", (int) n, p);
          return api_bad_request ("unable to parse requirement: found '%.*s', expected: "
                                  "'=', '!=', '==', 'in', notin'",
                                  (int) n, p);
        }
      out->reqs = realloc (out->reqs, (out->n + 1) * sizeof r);
      out->reqs[out->n++] = r;
      p += n + (p[n] == ',');
    }
  return NULL;
}

void
api_selector_free (struct api_selector *sel)
{
  for (size_t i = 0; i < sel->n; i++)
    free_requirement (&sel->reqs[i]);
  free (sel->reqs);
  sel->reqs = NULL;
  sel->n = 0;
}

static bool
in_values (char **values, const char *v)
{
  for (; *values; values++)
    if (strcmp (*values, v) == 0)
      return true;
  return false;
}

static bool
match_one (const struct api_requirement *r, const char *value)
{
  switch (r->op)
    {
    case API_SEL_EQ:
    case API_SEL_IN:
      return value && in_values (r->values, value);
    case API_SEL_NE:
    case API_SEL_NOTIN:
      return !value || !in_values (r->values, value);
    case API_SEL_EXISTS:
      return value != NULL;
    case API_SEL_NOT_EXISTS:
      return value == NULL;
    }
  return false;
}

bool
api_selector_match_labels (const struct api_selector *sel, yajl_val labels)
{
  for (size_t i = 0; i < sel->n; i++)
    if (!match_one (&sel->reqs[i], jv_str (labels, sel->reqs[i].key)))
      return false;
  return true;
}

static const char *
field_value (yajl_val obj, const char *path)
{
  char key[128];
  while (obj && *path)
    {
      const char *dot = strchr (path, '.');
      size_t n = dot ? (size_t) (dot - path) : strlen (path);
      if (n >= sizeof key)
        return NULL;
      memcpy (key, path, n);
      key[n] = '\0';
      obj = jv_get (obj, key);
      path += n + (dot != NULL);
    }
  return jv_str (obj, NULL);
}

bool
api_selector_match_fields (const struct api_selector *sel, yajl_val obj)
{
  for (size_t i = 0; i < sel->n; i++)
    {
      const char *v = field_value (obj, sel->reqs[i].key);
      /* an unset string field compares as "" in Kubernetes' field sets */
      if (!match_one (&sel->reqs[i], v ? v : ""))
        return false;
    }
  return true;
}
