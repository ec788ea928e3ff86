/* husk exec [flags] <id> <command> [args...] */
#include "cli.h"

int
husk_cli_exec (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  struct husk_exec_options opts;
  int exit_code = 0;

  husk_exec_options_init (&opts);
  if (husk_cli_need_id (cli, argc, argv, 1, -1, err) < 0)
    return -1;
  opts.id = cli->id;
  if (husk_container_exec (&cli->rt, &opts, NULL, &exit_code, err) < 0)
    return -1;
  return exit_code;
}
