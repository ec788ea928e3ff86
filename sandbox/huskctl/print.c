/* Output as kubectl prints it: tables from the server's Table answers,
 * -o json|yaml|name for objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "huskctl.h"
#include "jv.h"
#include "yaml_json.h"

/* The one table of what huskctl knows: typed[0] is the plural, typed[1]
 * the singular of "-o name" and apply's output; kind is what apply may
 * create (NULL: not applied). */
static const struct
{
  const char *typed[4];
  const char *kind;
} resources[] = {
  { { "pods", "pod", "po", NULL }, "Pod" },
  { { "namespaces", "namespace", "ns", NULL }, "Namespace" },
  { { "events", "event", "ev", NULL }, NULL },
  { { "resourcequotas", "resourcequota", "quota", NULL }, "ResourceQuota" },
  { { "limitranges", "limitrange", "limits", NULL }, "LimitRange" },
};
#define N_RESOURCES (sizeof resources / sizeof resources[0])

const char *
resource_plural (const char *typed)
{
  for (size_t i = 0; i < N_RESOURCES; i++)
    for (size_t j = 0; resources[i].typed[j]; j++)
      if (!strcasecmp (typed, resources[i].typed[j]))
        return resources[i].typed[0];
  return NULL;
}

const char *
resource_singular (const char *plural)
{
  for (size_t i = 0; i < N_RESOURCES; i++)
    if (!strcmp (plural, resources[i].typed[0]))
      return resources[i].typed[1];
  return plural;
}

const char *
resource_plural_of_kind (const char *kind)
{
  for (size_t i = 0; kind && i < N_RESOURCES; i++)
    if (resources[i].kind && !strcmp (kind, resources[i].kind))
      return resources[i].typed[0];
  return NULL;
}

void
resource_path (struct ctl *c, const char *plural, const char *name, char *buf, size_t size)
{
  if (!strcmp (plural, "namespaces"))
    snprintf (buf, size, "/api/v1/namespaces%s%s", name ? "/" : "", name ? name : "");
  else if (c->all_namespaces && !name)
    snprintf (buf, size, "/api/v1/%s", plural);
  else
    snprintf (buf, size, "/api/v1/namespaces/%s/%s%s%s", c->ns, plural, name ? "/" : "",
              name ? name : "");
}

bool
ctl_call (struct ctl *c, const char *method, const char *path, const char *ctype,
          const char *body, size_t len, const char *accept, struct hc_response *r, int *rc)
{
  cleanup_error struct husk_error *err = NULL;
  if (hc_request (c->socket, method, path, ctype, body, len, accept, r, &err) < 0)
    {
      fprintf (stderr, "huskctl: %s\n", err->message);
      *rc = HUSKCTL_FAIL;
      return false;
    }
  if (r->code >= 200 && r->code < 300)
    return true;
  hc_print_error (r);
  *rc = HUSKCTL_FAIL;
  return false;
}

static const char *
cell_text (yajl_val cell, char buf[32])
{
  long long n;
  if (jv_str (cell, NULL))
    return jv_str (cell, NULL);
  if (jv_int_of (cell, NULL, &n))
    {
      snprintf (buf, 32, "%lld", n);
      return buf;
    }
  return "";
}

static void
upper (const char *s, char *out, size_t size)
{
  size_t i = 0;
  for (; s[i] && i + 1 < size; i++)
    out[i] = (char) (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
  out[i] = '\0';
}

/* One cell: padded to its column, except the last (kubectl leaves no
 * trailing blanks). */
static void
put_cell (const char *text, size_t width, bool first, bool last)
{
  printf ("%s%-*s", first ? "" : "   ", last ? 0 : (int) width, text);
}

void
print_table (yajl_val table, bool wide, bool with_ns, bool headers)
{
  yajl_val cols = jv_get (table, "columnDefinitions"), rows = jv_get (table, "rows");
  size_t ncols = cols ? cols->u.array.len : 0, nrows = rows ? rows->u.array.len : 0;
  size_t width[32] = { 0 }, nsw = strlen ("NAMESPACE");
  char head[32][64], buf[32];
  bool show[32];
  if (ncols > 31)
    ncols = 31;
  for (size_t i = 0; i < ncols; i++)
    {
      long long prio = 0;
      jv_int_of (cols->u.array.values[i], "priority", &prio);
      show[i] = wide || prio == 0;
      upper (jv_str (cols->u.array.values[i], "name") ?: "", head[i], sizeof head[i]);
      width[i] = strlen (head[i]);
    }
  for (size_t r = 0; r < nrows; r++)
    {
      yajl_val cells = jv_get (rows->u.array.values[r], "cells");
      const char *ns = jv_str (jv_path (rows->u.array.values[r], "object", "metadata", NULL), "namespace");
      if (ns && strlen (ns) > nsw)
        nsw = strlen (ns);
      for (size_t i = 0; i < ncols && cells && i < cells->u.array.len; i++)
        if (strlen (cell_text (cells->u.array.values[i], buf)) > width[i])
          width[i] = strlen (cell_text (cells->u.array.values[i], buf));
    }
  size_t last = 0;
  for (size_t i = 0; i < ncols; i++)
    if (show[i])
      last = i;
  if (headers)
    {
      if (with_ns)
        printf ("%-*s   ", (int) nsw, "NAMESPACE");
      for (size_t i = 0, first = 1; i < ncols; i++)
        if (show[i])
          put_cell (head[i], width[i], first, i == last), first = 0;
      printf ("\n");
    }
  for (size_t r = 0; r < nrows; r++)
    {
      yajl_val cells = jv_get (rows->u.array.values[r], "cells");
      if (with_ns)
        printf ("%-*s   ", (int) nsw,
                jv_str (jv_path (rows->u.array.values[r], "object", "metadata", NULL), "namespace") ?: "");
      for (size_t i = 0, first = 1; i < ncols && cells && i < cells->u.array.len; i++)
        if (show[i])
          put_cell (cell_text (cells->u.array.values[i], buf), width[i], first, i == last),
              first = 0;
      printf ("\n");
    }
}

int
print_object (struct ctl *c, yajl_val obj, const char *singular)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val items = jv_get (obj, "items");
  if (!strcmp (c->output, "json"))
    {
      cleanup_gen yajl_gen g = yajl_gen_alloc (NULL);
      size_t len;
      yajl_gen_config (g, yajl_gen_beautify, 1);
      yajl_gen_config (g, yajl_gen_indent_string, "    ");
      jv_gen (g, obj);
      cleanup_free char *text = jg_take (g, &len);
      printf ("%s\n", text);
      return HUSKCTL_OK;
    }
  if (!strcmp (c->output, "yaml"))
    {
      if (json_to_yaml (obj, stdout, &err) < 0)
        {
          fprintf (stderr, "huskctl: %s\n", err->message);
          return HUSKCTL_FAIL;
        }
      return HUSKCTL_OK;
    }
  if (!strcmp (c->output, "name"))
    {
      for (size_t i = 0; items && i < items->u.array.len; i++)
        printf ("%s/%s\n", singular, jv_str (jv_path (items->u.array.values[i], "metadata", NULL), "name"));
      if (!items)
        printf ("%s/%s\n", singular, jv_str (jv_get (obj, "metadata"), "name"));
      return HUSKCTL_OK;
    }
  fprintf (stderr, "huskctl: unknown output format \"%s\" (json, yaml, wide, name)\n", c->output);
  return HUSKCTL_USAGE;
}
