/* The systemd driver in a build without libsystemd: every call is a clear
 * error, never a fallback to cgroupfs. */
#include <errno.h>
#include <stdlib.h>

#include "sd.h"

bool
husk_cgroup_systemd_built (void)
{
  return false;
}

int
cg_sd_connect (struct cg_systemd *sd, struct husk_error **err)
{
  return husk_error_set (err, ENOTSUP,
                         "--systemd-cgroup: this husk was built without libsystemd (sd-bus)");
}

int
cg_sd_start (struct cg_systemd *sd, enum husk_cgroup_mode mode, pid_t pid,
             struct husk_error **err)
{
  return cg_sd_connect (sd, err);
}

int
cg_sd_set (struct cg_systemd *sd, enum husk_cgroup_mode mode, const struct oci_resources *r,
           struct husk_error **err)
{
  return cg_sd_connect (sd, err);
}

int
cg_sd_stop (struct cg_systemd *sd, struct husk_error **err)
{
  return cg_sd_connect (sd, err);
}

void
cg_sd_free (struct cg_systemd *sd)
{
  if (sd == NULL)
    return;
  husk_systemd_unit_clear (&sd->unit);
  free (sd->spec);
  free (sd->description);
  free (sd);
}
