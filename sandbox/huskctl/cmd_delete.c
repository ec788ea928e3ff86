/* huskctl delete pod NAME | delete ns NAME | delete -f FILE, and
 * huskctl stop POD: deletion is graceful and, as kubectl, waits until the
 * object is gone unless --wait=false. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "huskctl.h"
#include "jv.h"

static bool
gone (struct ctl *c, const char *path)
{
  struct hc_response r = { 0 };
  cleanup_error struct husk_error *err = NULL;
  bool is_gone = hc_request (c->socket, "GET", path, NULL, NULL, 0, NULL, &r, &err) == 0
                 && r.code == 404;
  hc_response_clear (&r);
  return is_gone;
}

static int
delete_one (struct ctl *c, const char *plural, const char *name)
{
  struct hc_response r = { 0 };
  char path[2048], query[2100];
  int rc = HUSKCTL_OK;
  resource_path (c, plural, name, path, sizeof path);
  if (c->grace >= 0)
    snprintf (query, sizeof query, "%s?gracePeriodSeconds=%ld", path, c->grace);
  else
    snprintf (query, sizeof query, "%s", path);
  if (!ctl_call (c, "DELETE", query, NULL, NULL, 0, NULL, &r, &rc))
    return hc_response_clear (&r), rc;
  hc_response_clear (&r);
  printf ("%s \"%s\" deleted\n", !strcmp (plural, "namespaces") ? "namespace"
                                 : !strcmp (plural, "pods") ? "pod" : plural, name);
  fflush (stdout);
  while (c->wait && !gone (c, path))
    usleep (200 * 1000);
  return HUSKCTL_OK;
}

int
cmd_delete (struct ctl *c, int argc, char **argv)
{
  const char *plural;
  int rc = HUSKCTL_OK;
  if (argc < 3 || !(plural = resource_plural (argv[1])))
    {
      fprintf (stderr, "Usage: huskctl delete pod|namespace NAME... [--grace-period N]\n");
      return HUSKCTL_USAGE;
    }
  for (int i = 2; i < argc; i++)
    rc |= delete_one (c, plural, argv[i]);
  return rc;
}

int
cmd_stop (struct ctl *c, int argc, char **argv)
{
  struct hc_response r = { 0 };
  char path[2048], body[64];
  int rc = HUSKCTL_OK;
  if (argc != 2)
    {
      fprintf (stderr, "Usage: huskctl stop POD [--grace-period N]\n");
      return HUSKCTL_USAGE;
    }
  snprintf (path, sizeof path, "/husk/v1/namespaces/%s/pods/%s/stop", c->ns, argv[1]);
  snprintf (body, sizeof body, "{\"gracePeriodSeconds\":%ld}", c->grace);
  if (!ctl_call (c, "POST", path, NULL, c->grace >= 0 ? body : "{}", strlen (c->grace >= 0 ? body : "{}"), NULL, &r, &rc))
    return hc_response_clear (&r), rc;
  hc_response_clear (&r);
  printf ("pod/%s stopped\n", argv[1]);
  return HUSKCTL_OK;
}
