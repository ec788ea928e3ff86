/* husk pause <id> */
#include "cli.h"

int
husk_cli_pause (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  if (husk_cli_simple_id (cli, argc, argv, err) < 0)
    return -1;
  return husk_container_pause (&cli->rt, cli->id, err) < 0 ? -1 : 0;
}
