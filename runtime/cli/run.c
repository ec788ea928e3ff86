/* husk run [flags] <id>: create + start, in the foreground unless -d. */
#include "cli.h"

int
husk_cli_run (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  struct husk_cli_create_flags f;
  int exit_code = 0;

  if (husk_cli_parse_create (cli, argc, argv, true, &f, err) < 0)
    return -1;
  if (husk_container_run (&cli->rt, &f.opts, f.detach, &exit_code, err) < 0)
    return -1;
  return exit_code;
}
