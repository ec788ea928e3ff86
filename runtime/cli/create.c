/* husk create [flags] <id> */
#include "cli.h"

int
husk_cli_create (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  struct husk_cli_create_flags f;

  if (husk_cli_parse_create (cli, argc, argv, false, &f, err) < 0)
    return -1;
  return husk_container_create (&cli->rt, &f.opts, NULL, err) < 0 ? -1 : 0;
}
