/* huskctl apply -f FILE|- : creates each object, or patches it (strategic
 * merge) when it exists, keeping kubectl's last-applied annotation so that
 * kubectl and huskctl agree on what was applied. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "huskctl.h"
#include "jv.h"
#include "yaml_json.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

static char *
read_all (const char *file, size_t *len)
{
  FILE *f = strcmp (file, "-") ? fopen (file, "re") : stdin;
  char *data = NULL;
  size_t size = 0;
  FILE *mem;
  char buf[65536];
  size_t n;
  if (!f)
    return NULL;
  mem = open_memstream (&data, &size);
  while ((n = fread (buf, 1, sizeof buf, f)) > 0)
    fwrite (buf, 1, n, mem);
  fclose (mem);
  if (f != stdin)
    fclose (f);
  *len = size;
  return data;
}

/* Labels and annotations the last apply set and this one drops are
 * removed (null in the patch), as kubectl's three-way merge does. */
static void
add_removals (yajl_val patch, yajl_val last, const char *key)
{
  yajl_val was = jv_path (last, "metadata", key, NULL);
  yajl_val is = jv_path (patch, "metadata", key, NULL);
  for (size_t i = 0; was && was->type == yajl_t_object && i < was->u.object.len; i++)
    if (!jv_get (is, was->u.object.keys[i]))
      jv_set (jv_obj_at (jv_obj_at (patch, "metadata"), key), was->u.object.keys[i], jv_null ());
}

static int
apply_one (struct ctl *c, yajl_val doc)
{
  struct hc_response r = { 0 };
  const char *plural = resource_plural_of_kind (jv_str (doc, "kind"));
  const char *name = jv_str (jv_get (doc, "metadata"), "name");
  const char *ns = jv_str (jv_get (doc, "metadata"), "namespace");
  const char *singular;
  char path[2048];
  size_t len;
  int rc = HUSKCTL_OK;

  if (!plural || !name)
    {
      fprintf (stderr, "huskctl: apply: each object needs a known kind (Pod, Namespace, "
                       "ResourceQuota, LimitRange) and metadata.name\n");
      return HUSKCTL_FAIL;
    }
  singular = resource_singular (plural);
  if (ns)
    c->ns = ns;
  cleanup_free char *applied = jv_dump (doc, &len);
  resource_path (c, plural, name, path, sizeof path);
  if (hc_request (c->socket, "GET", path, NULL, NULL, 0, NULL, &r, &(struct husk_error *){ NULL }) < 0)
    {
      fprintf (stderr, "huskctl: cannot reach huskd at %s\n", c->socket);
      return HUSKCTL_FAIL;
    }
  long code = r.code;
  cleanup_jv yajl_val existing = hc_json (&r);
  hc_response_clear (&r);
  cleanup_jv yajl_val body = jv_copy (doc);
  jv_set (jv_obj_at (jv_obj_at (body, "metadata"), "annotations"), LAST_APPLIED,
          jv_string (applied));
  cleanup_free char *text = jv_dump (body, &len);
  if (code == 404)
    {
      resource_path (c, plural, NULL, path, sizeof path);
      if (!ctl_call (c, "POST", path, NULL, text, len, NULL, &r, &rc))
        return hc_response_clear (&r), rc;
      printf ("%s/%s created\n", singular, name);
      return hc_response_clear (&r), HUSKCTL_OK;
    }
  const char *last = jv_str (jv_path (existing, "metadata", "annotations", NULL), LAST_APPLIED);
  if (last && !strcmp (last, applied))
    {
      printf ("%s/%s unchanged\n", singular, name);
      return HUSKCTL_OK;
    }
  if (last)
    {
      cleanup_jv yajl_val docs = NULL;
      cleanup_error struct husk_error *err = NULL;
      if (yaml_to_json (last, strlen (last), &docs, &err) == 0 && docs->u.array.len)
        {
          add_removals (body, docs->u.array.values[0], "labels");
          add_removals (body, docs->u.array.values[0], "annotations");
        }
      free (text);
      text = jv_dump (body, &len);
    }
  if (!ctl_call (c, "PATCH", path, "application/strategic-merge-patch+json", text, len, NULL, &r,
                 &rc))
    return hc_response_clear (&r), rc;
  printf ("%s/%s configured\n", singular, name);
  hc_response_clear (&r);
  return HUSKCTL_OK;
}

int
cmd_apply (struct ctl *c, int argc, char **argv)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_jv yajl_val docs = NULL;
  size_t len = 0;
  int rc = HUSKCTL_OK;
  if (!c->file || argc != 1)
    {
      fprintf (stderr, "Usage: huskctl apply -f FILE|-\n");
      return HUSKCTL_USAGE;
    }
  cleanup_free char *text = read_all (c->file, &len);
  if (!text)
    {
      fprintf (stderr, "huskctl: %s: %s\n", c->file, strerror (errno));
      return HUSKCTL_FAIL;
    }
  if (yaml_to_json (text, len, &docs, &err) < 0)
    {
      fprintf (stderr, "huskctl: %s: %s\n", c->file, err->message);
      return HUSKCTL_FAIL;
    }
  for (size_t i = 0; i < docs->u.array.len; i++)
    {
      yajl_val d = docs->u.array.values[i];
      yajl_val items = jv_get (d, "items");
      if (items && items->type == yajl_t_array) /* a List */
        for (size_t j = 0; j < items->u.array.len; j++)
          rc |= apply_one (c, items->u.array.values[j]);
      else
        rc |= apply_one (c, d);
    }
  return rc ? HUSKCTL_FAIL : HUSKCTL_OK;
}
