/* husk state <id>: runc's state document, pretty printed. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../oci/cleanup.h"

int
husk_cli_state (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  cleanup_free char *json = NULL;

  if (husk_cli_simple_id (cli, argc, argv, err) < 0)
    return -1;
  if (husk_container_state_json (&cli->rt, cli->id, &json, err) < 0)
    return -1;
  fputs (json, stdout); /* yajl ends a beautified document with a newline */
  return 0;
}
