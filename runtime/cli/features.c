/* husk features: what this husk supports, as features.json. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../oci/cleanup.h"
#include "../cgroup/cgroup.h"

int
husk_cli_features (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  cleanup_free char *json = NULL;
  size_t len;

  if (oci_features_to_json (husk_cgroup_systemd_built (), &json, &len, err) < 0)
    return -1;
  fwrite (json, 1, len, stdout);
  putchar ('\n');
  return 0;
}
