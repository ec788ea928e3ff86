/* huskctl probe, version, kubeconfig. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "huskctl.h"
#include "jv.h"

int
cmd_probe (struct ctl *c, int argc, char **argv)
{
  struct hc_response r = { 0 };
  char path[2048];
  int rc = HUSKCTL_OK, failed = 0;
  if (argc != 2)
    {
      fprintf (stderr, "Usage: huskctl probe POD\n");
      return HUSKCTL_USAGE;
    }
  snprintf (path, sizeof path, "/husk/v1/namespaces/%s/pods/%s/probe", c->ns, argv[1]);
  if (!ctl_call (c, "POST", path, NULL, "{}", 2, NULL, &r, &rc))
    return hc_response_clear (&r), rc;
  cleanup_jv yajl_val res = hc_json (&r);
  hc_response_clear (&r);
  if (c->output && !strcmp (c->output, "json"))
    return print_object (c, res, "probe");
  yajl_val list = jv_get (res, "results");
  printf ("%-16s %-16s %-8s %s\n", "CONTAINER", "PROBE", "RESULT", "OUTPUT");
  for (size_t i = 0; list && i < list->u.array.len; i++)
    {
      yajl_val p = list->u.array.values[i];
      const char *result = jv_str (p, "result") ?: "";
      failed |= strcmp (result, "Success") != 0;
      printf ("%-16s %-16s %-8s %s\n", jv_str (p, "container") ?: "", jv_str (p, "probe") ?: "",
              result, jv_str (p, "output") ?: "");
    }
  return failed ? HUSKCTL_FAIL : HUSKCTL_OK;
}

int
cmd_version (struct ctl *c, int argc, char **argv)
{
  struct hc_response r = { 0 };
  int rc = HUSKCTL_OK;
  printf ("Client Version: huskctl %s\n", HUSK_VERSION);
  if (!ctl_call (c, "GET", "/version", NULL, NULL, 0, NULL, &r, &rc))
    return hc_response_clear (&r), rc;
  cleanup_jv yajl_val v = hc_json (&r);
  hc_response_clear (&r);
  printf ("Server Version: %s\n", jv_str (v, "gitVersion") ?: "unknown");
  return HUSKCTL_OK;
}

int
cmd_kubeconfig (struct ctl *c, int argc, char **argv)
{
  struct hc_response r = { 0 };
  int rc = HUSKCTL_OK;
  if (!ctl_call (c, "GET", "/husk/v1/kubeconfig", NULL, NULL, 0, "application/yaml", &r, &rc))
    return hc_response_clear (&r), rc;
  fwrite (r.body ? r.body : "", 1, r.len, stdout);
  hc_response_clear (&r);
  return HUSKCTL_OK;
}
