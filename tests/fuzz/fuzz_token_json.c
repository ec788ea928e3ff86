/* A token server's JSON answer (sandbox/image/registry_auth.c). */
#include "../../sandbox/image/registry_auth.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *token = NULL, *refresh = NULL;
  struct husk_error *err = NULL;

  if (reg_token_parse ((const char *) data, size, &token, &refresh, &err) == 0)
    {
      free (token);
      free (refresh);
    }
  husk_error_release (&err);
  return 0;
}
