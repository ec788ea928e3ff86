/* The systemd cgroup driver's D-Bus side (sd.c, props.c): the container's
 * cgroup is a transient unit of systemd's, started, changed and stopped
 * through org.freedesktop.systemd1.Manager.  Internal to runtime/cgroup. */
#ifndef HUSK_RUNTIME_CGROUP_SYSTEMD_SD_H
#define HUSK_RUNTIME_CGROUP_SYSTEMD_SD_H

#include <stdbool.h>
#include <sys/types.h>

#include "../../../oci/config.h"
#include "../../../oci/error.h"
#include "../cgroup.h"
#include "unit_name.h"

struct sd_bus;
struct sd_bus_message;

struct cg_systemd {
  struct husk_systemd_unit unit;
  char *spec;        /* "slice:prefix:name", what the state keeps */
  char *description; /* "husk container <id>" */
  const struct oci_resources *resources; /* until the unit is started */
  bool started;
  struct sd_bus *bus; /* connected on first use */
};

/* Connects (once per handle): systemd's private socket as root, else the
 * system bus.  The error names both addresses and why they failed. */
int cg_sd_connect (struct cg_systemd *sd, struct husk_error **err);

/* StartTransientUnit (mode "replace") with `pid` as its process, Delegate,
 * Slice (or Wants for a slice unit), accounting on, and the resources as
 * properties; waits for the job and reports its result.  A unit of that
 * name left failed is reset and the start tried once more. */
int cg_sd_start (struct cg_systemd *sd, enum husk_cgroup_mode mode, pid_t pid,
                 struct husk_error **err);

/* SetUnitProperties (runtime) with the resources' properties. */
int cg_sd_set (struct cg_systemd *sd, enum husk_cgroup_mode mode, const struct oci_resources *r,
               struct husk_error **err);

/* StopUnit and waits for the job, then ResetFailedUnit, so nothing of the
 * unit remains; a unit already gone is fine. */
int cg_sd_stop (struct cg_systemd *sd, struct husk_error **err);

void cg_sd_free (struct cg_systemd *sd);

/* The resources as unit properties, appended as (sv) items to an open
 * a(sv) container of `m` (props.c); `update` leaves the device policy
 * alone when `r` has no device rules. */
int cg_sd_append_resources (struct sd_bus_message *m, enum husk_cgroup_mode mode,
                            const struct oci_resources *r, bool update,
                            struct husk_error **err);

#endif
