/* huskctl exec POD [-c C] -- CMD [ARG...]: runs the command in the
 * container, prints its stdout and stderr and exits with its exit code. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "huskctl.h"
#include "jv.h"

int
cmd_exec (struct ctl *c, int argc, char **argv)
{
  struct hc_response r = { 0 };
  cleanup_jv yajl_val req = jv_object ();
  yajl_val cmd;
  char path[2048];
  size_t len;
  long long code = 1;
  int rc = HUSKCTL_OK, i = 2;
  if (argc < 3)
    {
      fprintf (stderr, "Usage: huskctl exec POD [-c CONTAINER] -- COMMAND [ARG...]\n");
      return HUSKCTL_USAGE;
    }
  if (!strcmp (argv[i], "--"))
    i++;
  if (i >= argc)
    return HUSKCTL_USAGE;
  cmd = jv_set (req, "command", jv_array ());
  for (; i < argc; i++)
    jv_push (cmd, jv_string (argv[i]));
  if (c->container)
    jv_set (req, "container", jv_string (c->container));
  cleanup_free char *body = jv_dump (req, &len);
  snprintf (path, sizeof path, "/husk/v1/namespaces/%s/pods/%s/exec", c->ns, argv[1]);
  if (!ctl_call (c, "POST", path, NULL, body, len, NULL, &r, &rc))
    return hc_response_clear (&r), rc;
  cleanup_jv yajl_val res = hc_json (&r);
  hc_response_clear (&r);
  fputs (jv_str (res, "stdout") ?: "", stdout);
  fputs (jv_str (res, "stderr") ?: "", stderr);
  jv_int_of (res, "exitCode", &code);
  if (code != 0)
    fprintf (stderr, "command terminated with exit code %lld\n", code);
  return (int) code;
}
