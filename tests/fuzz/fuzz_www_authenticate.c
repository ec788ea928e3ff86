/* The WWW-Authenticate challenge parser (sandbox/image/registry_auth.c). */
#include "../../sandbox/image/registry_auth.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *s = fuzz_text (data, size);
  struct reg_challenge c;
  struct husk_error *err = NULL;

  if (reg_challenge_parse (s, &c, &err) == 0)
    reg_challenge_clear (&c);
  husk_error_release (&err);
  free (s);
  return 0;
}
