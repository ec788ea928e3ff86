/* huskctl logs POD [-c C] [-f] [--tail N] [--since 5m] [--timestamps] [--previous] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "huskctl.h"

/* "90s", "5m", "2h" → seconds; -1 when malformed. */
static long
duration (const char *s)
{
  char *end;
  long v = strtol (s, &end, 10);
  if (end == s || v < 0)
    return -1;
  switch (*end)
    {
    case '\0':
    case 's': return v;
    case 'm': return v * 60;
    case 'h': return v * 3600;
    default: return -1;
    }
}

static void
write_out (void *ctx, const char *data, size_t len)
{
  fwrite (data, 1, len, stdout);
  fflush (stdout);
}

int
cmd_logs (struct ctl *c, int argc, char **argv)
{
  cleanup_error struct husk_error *err = NULL;
  struct hc_response r = { 0 };
  char path[4096];
  size_t n;
  int rc = HUSKCTL_OK;
  if (argc != 2)
    {
      fprintf (stderr, "Usage: huskctl logs POD [-c CONTAINER] [-f] [--tail N]\n");
      return HUSKCTL_USAGE;
    }
  n = (size_t) snprintf (path, sizeof path, "/api/v1/namespaces/%s/pods/%s/log?x=1", c->ns, argv[1]);
  if (c->container)
    n += (size_t) snprintf (path + n, sizeof path - n, "&container=%s", c->container);
  if (c->tail >= 0)
    n += (size_t) snprintf (path + n, sizeof path - n, "&tailLines=%ld", c->tail);
  if (c->since)
    {
      long s = duration (c->since);
      if (s < 0)
        {
          fprintf (stderr, "huskctl: --since: \"%s\" is not a duration (10s, 5m, 1h)\n", c->since);
          return HUSKCTL_USAGE;
        }
      n += (size_t) snprintf (path + n, sizeof path - n, "&sinceSeconds=%ld", s);
    }
  if (c->timestamps)
    n += (size_t) snprintf (path + n, sizeof path - n, "&timestamps=true");
  if (c->previous)
    n += (size_t) snprintf (path + n, sizeof path - n, "&previous=true");
  if (c->follow)
    {
      long code = 0;
      snprintf (path + n, sizeof path - n, "&follow=true");
      if (hc_stream (c->socket, path, write_out, NULL, &code, &err) < 0)
        {
          fprintf (stderr, "huskctl: %s\n", err->message);
          return HUSKCTL_FAIL;
        }
      return code == 200 ? HUSKCTL_OK : HUSKCTL_FAIL;
    }
  if (!ctl_call (c, "GET", path, NULL, NULL, 0, "text/plain", &r, &rc))
    return hc_response_clear (&r), rc;
  fwrite (r.body ? r.body : "", 1, r.len, stdout);
  hc_response_clear (&r);
  return HUSKCTL_OK;
}
