/* Strategic merge patch as kubectl apply sends it, and JSON merge patch. */
#include <stdlib.h>
#include <string.h>

#include "json_text.h"
#include "jv.h"
#include "patch.h"
#include "tap.h"

static char *
patched (const char *target, const char *patch, bool strategic)
{
  cleanup_jv yajl_val t = parse (target), p = parse (patch);
  yajl_val out = NULL;
  struct api_status *s = api_merge_patch (t, p, strategic, &out);
  if (s)
    {
      api_status_free (s);
      return strdup ("error");
    }
  char *text = jv_dump (out, NULL);
  yajl_tree_free (out);
  return text;
}

static void
check (const char *target, const char *patch, bool strategic, const char *want, const char *what)
{
  char *got = patched (target, patch, strategic);
  is_str (got, want, "%s", what);
  free (got);
}

int
main (void)
{
  check ("{\"a\":1,\"b\":{\"c\":2}}", "{\"b\":{\"d\":3}}", false, "{\"a\":1,\"b\":{\"c\":2,\"d\":3}}",
         "merge adds nested keys");
  check ("{\"a\":1,\"b\":2}", "{\"a\":null}", false, "{\"b\":2}", "null deletes");
  check ("{\"l\":[1,2]}", "{\"l\":[3]}", false, "{\"l\":[3]}", "merge patch replaces lists");
  check ("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\",\"image\":\"y\"}]}}",
         "{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"z\"}]}}", true,
         "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\",\"image\":\"z\"}]}}",
         "containers merge by name");
  check ("{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
         "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"q\"}]}}", true,
         "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"c\",\"image\":\"q\"}]}}",
         "a new key is appended");
  check ("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
         "{\"spec\":{\"containers\":[{\"name\":\"a\",\"$patch\":\"delete\"}]}}", true,
         "{\"spec\":{\"containers\":[{\"name\":\"b\"}]}}", "$patch: delete removes");
  check ("{\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80,\"name\":\"h\"}]}]}}",
         "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"}],\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]}]}}",
         true,
         "{\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80,\"name\":\"h\",\"protocol\":\"TCP\"}]}]}}",
         "ports merge by containerPort; directives are dropped");
  check ("{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"1\",\"2\"]}]}}",
         "{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"3\"]}]}}", true,
         "{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"3\"]}]}}",
         "primitive lists are replaced");
  check ("{\"a\":1}", "[1]", true, "error", "a patch that is not an object is refused");
  return tap_done ();
}
