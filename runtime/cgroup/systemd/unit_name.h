/* The systemd cgroup driver's names, as runc's libcontainer/cgroups/systemd
 * computes them: pure string rules, no D-Bus.
 *
 * linux.cgroupsPath is "slice:prefix:name": the slice ("" means
 * system.slice), and the unit, "prefix-name.scope" (or "name" itself when
 * it ends in ".slice").  A slice "a-b.slice" lives at a.slice/a-b.slice, as
 * systemd nests slices by their dashes; "-.slice" is the root. */
#ifndef HUSK_RUNTIME_CGROUP_SYSTEMD_UNIT_NAME_H
#define HUSK_RUNTIME_CGROUP_SYSTEMD_UNIT_NAME_H

#include "../../../oci/error.h"

struct husk_systemd_unit {
  char *slice; /* "system.slice" */
  char *unit;  /* "husk-c1.scope" */
  char *path;  /* the cgroup below the root: "/system.slice/husk-c1.scope" */
};

/* The cgroup path of a slice: "a-b.slice" -> "/a.slice/a-b.slice",
 * "-.slice" -> "/".  Refuses names without ".slice", with "/", or with an
 * empty dash-separated part ("a--b.slice", "-a.slice"). */
int husk_systemd_expand_slice (const char *slice, char **out, struct husk_error **err);

/* Splits linux.cgroupsPath (NULL or "": ":husk:<id>", runc's default for
 * the systemd driver) into *out; refuses anything but three ':' parts. */
int husk_systemd_unit_parse (const char *cgroups_path, const char *id,
                             struct husk_systemd_unit *out, struct husk_error **err);

void husk_systemd_unit_clear (struct husk_systemd_unit *u);

#endif
