/* Label and field selectors and resource quantities, as query strings and
 * pod fields give them: parsed, matched against a pod, formatted again. */
#include <yajl/yajl_tree.h>

#include "fuzz.h"
#include "quantity.h"
#include "selector.h"
#include "status.h"

static const char obj[] = "{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\",\"labels\":"
                          "{\"app\":\"web\",\"tier\":\"1\"}},\"status\":{\"phase\":\"Running\"}}";

static void
selector (const char *text, bool fields, yajl_val o)
{
  struct api_selector sel = { 0 };
  struct api_status *s = api_selector_parse (text, fields, &sel);
  if (s)
    {
      api_status_free (s);
      return;
    }
  api_selector_match_labels (&sel, yajl_tree_get (o, (const char *[]) { "metadata", "labels", NULL },
                                                  yajl_t_object));
  api_selector_match_fields (&sel, o);
  api_selector_free (&sel);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = fuzz_text (data, size), buf[32];
  yajl_val o = yajl_tree_parse (obj, NULL, 0);
  long long milli;

  selector (text, false, o);
  selector (text, true, o);
  if (api_quantity_parse (text, &milli))
    {
      long long again;
      api_quantity_format (milli, false, buf);
      if (!api_quantity_parse (buf, &again))
        abort (); /* what we print we read back */
      api_quantity_format (milli, true, buf);
    }
  yajl_tree_free (o);
  free (text);
  return 0;
}
