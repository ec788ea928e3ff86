/* huskctl's YAML-to-JSON converter (apply -f): every document of a
 * stream, converted, written as JSON and, through json_to_yaml, as YAML
 * again, which must convert back. */
#include <stdio.h>

#include "fuzz.h"
#include "yaml_json.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_error *err = NULL;
  yajl_val docs = NULL, again = NULL;
  char *yaml = NULL;
  size_t yaml_len = 0;

  if (yaml_to_json ((const char *) data, size, &docs, &err) < 0)
    {
      husk_error_release (&err);
      return 0;
    }
  FILE *f = open_memstream (&yaml, &yaml_len);
  if (f == NULL)
    abort ();
  for (size_t i = 0; YAJL_IS_ARRAY (docs) && i < docs->u.array.len; i++)
    {
      fputs ("---\n", f);
      if (json_to_yaml (docs->u.array.values[i], f, &err) < 0)
        husk_error_release (&err);
    }
  fclose (f);
  if (yaml_to_json (yaml, yaml_len, &again, &err) < 0)
    husk_error_release (&err);
  yajl_tree_free (again);
  yajl_tree_free (docs);
  free (yaml);
  return 0;
}
