/* Loading sd-bus at first use (see sd_api.h). */
#include <dlfcn.h>
#include <errno.h>

#include "sd_api.h"

struct husk_sd_api husk_sd_api;

int
cg_sd_load (struct husk_error **err)
{
  /* once per process: a CLI command uses one bus */
  static void *handle;
  void *h;

  if (handle)
    return 0;
  h = dlopen ("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return husk_error_set (err, ENOENT,
                           "--systemd-cgroup: load libsystemd.so.0 (package libsystemd0): %s",
                           dlerror ());
#define HUSK_SD_RESOLVE(name)                                                          \
  if ((husk_sd_api.p_##name = (__typeof__ (husk_sd_api.p_##name)) dlsym (h, #name)) == NULL) \
    {                                                                                  \
      dlclose (h);                                                                     \
      return husk_error_set (err, ENOSYS, "--systemd-cgroup: libsystemd.so.0 has no %s", \
                             #name);                                                   \
    }
  HUSK_SD_FUNCTIONS (HUSK_SD_RESOLVE)
#undef HUSK_SD_RESOLVE
  handle = h;
  return 0;
}
