/* huskctl get pods|pod NAME|ns|events [-o json|yaml|wide|name] [-l SEL] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "huskctl.h"
#include "jv.h"

static const char table_accept[] = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

static void
add_query (char *path, size_t size, const char *key, const char *value)
{
  cleanup_free char *esc = hc_escape (value);
  size_t n = strlen (path);
  snprintf (path + n, size - n, "%c%s=%s", strchr (path, '?') ? '&' : '?', key, esc);
}

int
cmd_get (struct ctl *c, int argc, char **argv)
{
  struct hc_response r = { 0 };
  const char *plural;
  const char *name = argc > 2 ? argv[2] : NULL;
  char path[4096];
  bool table = !c->output || !strcmp (c->output, "wide");
  int rc = HUSKCTL_OK;

  if (argc < 2 || argc > 3 || !(plural = resource_plural (argv[1])))
    {
      fprintf (stderr, "Usage: huskctl get pods|pod NAME|namespaces|events [-o FORMAT]\n");
      return HUSKCTL_USAGE;
    }
  resource_path (c, plural, name, path, sizeof path);
  if (c->selector && !name)
    add_query (path, sizeof path, "labelSelector", c->selector);
  if (c->field_selector && !name)
    add_query (path, sizeof path, "fieldSelector", c->field_selector);
  if (!ctl_call (c, "GET", path, NULL, NULL, 0, table ? table_accept : NULL, &r, &rc))
    {
      hc_response_clear (&r);
      return rc;
    }
  cleanup_jv yajl_val doc = hc_json (&r);
  hc_response_clear (&r);
  if (!doc)
    {
      fprintf (stderr, "huskctl: huskd answered something that is not JSON\n");
      return HUSKCTL_FAIL;
    }
  if (!table)
    return print_object (c, doc, resource_singular (plural));
  if (!jv_get (doc, "rows") || jv_get (doc, "rows")->u.array.len == 0)
    {
      if (c->all_namespaces)
        fprintf (stderr, "No resources found\n");
      else
        fprintf (stderr, "No resources found in %s namespace.\n", c->ns);
      return HUSKCTL_OK;
    }
  print_table (doc, c->output != NULL, c->all_namespaces && !name && strcmp (plural, "namespaces"),
               true);
  return HUSKCTL_OK;
}

int
cmd_events (struct ctl *c, int argc, char **argv)
{
  char *args[] = { "get", "events", NULL };
  char fs[320];
  if (argc > 2)
    return HUSKCTL_USAGE;
  if (argc == 2)
    {
      snprintf (fs, sizeof fs, "involvedObject.name=%s", argv[1]);
      c->field_selector = fs;
    }
  return cmd_get (c, 2, args);
}
