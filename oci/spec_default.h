/* Pieces of the default config.json (oci/spec_default.c) that other
 * writers of a config.json reuse, so the defaults are written once. */
#ifndef HUSK_OCI_SPEC_DEFAULT_H
#define HUSK_OCI_SPEC_DEFAULT_H

#include "json_writer.h"

/* "devices": [{"allow": false, "access": "rwm"}], a key of
 * linux.resources: deny every device, as runc's and containerd's defaults
 * do; the runtime still allows its standard set (/dev/null, ptys, ...). */
void oci_spec_write_default_devices (struct jw *w);

#endif
