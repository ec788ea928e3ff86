/* registries.yaml (sandbox/image/registry_config.c), and the endpoints
 * it gives for a few registries. */
#include "../../sandbox/image/registry_config.h"

#include "../../oci/cleanup.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_registry_config *cfg = NULL;
  struct husk_error *err = NULL;
  static const char *const regs[] = { "docker.io", "127.0.0.1:5000", "quay.io", NULL };

  if (husk_registry_config_parse ("fuzz", (const char *) data, size, &cfg, &err) == 0)
    {
      for (size_t i = 0; regs[i]; i++)
        {
          char **eps = husk_registry_endpoints (cfg, regs[i]);
          husk_strvfreep (&eps);
          husk_registry_host_find (cfg, regs[i]);
        }
      husk_registry_config_free (cfg);
    }
  husk_error_release (&err);
  return 0;
}
