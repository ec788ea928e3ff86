/* Image references (sandbox/image/image_ref.c): parsing and normalising
 * never crash, and a parsed reference prints back to one that parses to
 * itself. */
#include "../../sandbox/image/image_ref.h"

#include <stdio.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *s = fuzz_text (data, size);
  struct husk_image_ref ref, again;
  struct husk_error *err = NULL;

  if (husk_image_ref_parse (s, &ref, &err) == 0)
    {
      char *str = husk_image_ref_string (&ref), *repo = husk_image_ref_repository (&ref);
      if (str == NULL || repo == NULL || husk_image_ref_parse (str, &again, &err) < 0)
        abort ();
      char *str2 = husk_image_ref_string (&again);
      if (str2 == NULL || strcmp (str, str2) != 0)
        abort ();
      free (str2);
      husk_image_ref_clear (&again);
      free (str);
      free (repo);
      husk_image_ref_clear (&ref);
    }
  husk_error_release (&err);
  free (s);
  return 0;
}
