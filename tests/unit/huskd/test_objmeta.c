/* Label, annotation and quantity rules of every object's admission
 * (sandbox/api/objmeta.c), in kube-apiserver's words. */
#include <string.h>

#include "jv.h"
#include "json_text.h"
#include "objmeta.h"
#include "tap.h"

static void
quantity_grammar (void)
{
  static const char *good[] = { "1", "-1", "+2", "0.5", ".5", "1.", "128Mi", "2Ei", "500m",
                                "1e3", "1E-3", "-1e999", "1n", "3E" };
  static const char *bad[] = { "", "1x1", "12QQ", "1.2.3", "Mi", "1e", "1e+", "1 Mi", "--1",
                               "1Ki5", "1ee3" };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    ok (api_quantity_syntax (good[i]), "\"%s\" is a quantity", good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    ok (!api_quantity_syntax (bad[i]), "\"%s\" is not", bad[i]);
}

static void
qualified_names (void)
{
  char buf[512];
  ok (!api_qualified_name_error ("app", buf), "app");
  ok (!api_qualified_name_error ("example.com/My_name.1", buf), "prefixed");
  is_str (api_qualified_name_error ("/x", buf), "prefix part must be non-empty", "empty prefix");
  is_str (api_qualified_name_error ("x/", buf), "name part must be non-empty", "empty name");
  ok (strncmp (api_qualified_name_error ("a/b/c", buf), "a qualified name must consist", 29) == 0,
      "two slashes");
  ok (strncmp (api_qualified_name_error ("Big.com/x", buf), "prefix part a lowercase RFC 1123", 32)
          == 0,
      "uppercase prefix");
  ok (strncmp (api_qualified_name_error ("-x", buf), "name part must consist", 22) == 0,
      "leading dash");
  ok (!api_label_value_error (""), "empty value");
  ok (api_label_value_error ("x_") != NULL, "trailing underscore");
}

static void
objects (void)
{
  yajl_val quota = parse ("{\"metadata\":{\"name\":\"q\"},\"spec\":{\"hard\":{\"pods\":\"1x1\"}}}");
  yajl_val frac = parse ("{\"metadata\":{\"name\":\"q\"},\"spec\":{\"hard\":{\"pods\":\"2500m\",\"cpu\":\"2500m\"}}}");
  yajl_val pod = parse ("{\"apiVersion\":\"v2\",\"metadata\":{\"name\":\"p\",\"labels\":{\"a\":\"b\"}},"
                             "\"spec\":{\"containers\":[{\"resources\":{\"limits\":{\"memory\":4}}}]}}");
  struct api_status *s = api_quantities_decode (quota, "ResourceQuota");
  is_int (s ? s->code : 0, 400, "1x1 is a decoding error");
  api_status_free (s);
  s = api_object_validate (frac, "ResourceQuota");
  is_str (s ? s->message : "", "ResourceQuota \"q\" is invalid: spec.hard[pods]: Invalid value: \"2500m\": must be an integer",
          "a fractional count (cpu may be)");
  api_status_free (s);
  ok (!api_quantities_decode (pod, "Pod"), "a bare JSON number is a quantity");
  ok (!api_object_validate (pod, "Pod"), "a valid pod");
  s = api_check_kind (pod, "Pod");
  is_str (s ? s->message : "", "the API version in the data (v2) does not match the expected API version (v1)",
          "apiVersion v2");
  api_status_free (s);
  yajl_tree_free (quota);
  yajl_tree_free (frac);
  yajl_tree_free (pod);
}

int
main (void)
{
  quantity_grammar ();
  qualified_names ();
  objects ();
  return tap_done ();
}
