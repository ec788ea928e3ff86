/* husk delete [--force] <id> */
#include "cli.h"

int
husk_cli_delete (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  static const struct option options[] = { { "force", no_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  bool force = false;
  int c;

  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "f", options, NULL)) != -1)
    {
      if (c != 'f')
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
      force = true;
    }
  if (husk_cli_need_id (cli, argc, argv, 1, 1, err) < 0)
    return -1;
  return husk_container_delete (&cli->rt, cli->id, force, err) < 0 ? -1 : 0;
}
