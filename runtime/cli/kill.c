/* husk kill [--all] <id> [signal]: SIGTERM by default. */
#include "cli.h"

int
husk_cli_kill (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  static const struct option options[] = { { "all", no_argument, NULL, 'a' },
                                           { NULL, 0, NULL, 0 } };
  bool all = false;
  int c, signal = 15;

  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "a", options, NULL)) != -1)
    {
      if (c != 'a')
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
      all = true;
    }
  if (husk_cli_need_id (cli, argc, argv, 1, 2, err) < 0)
    return -1;
  if (argc - optind == 2)
    {
      signal = husk_signal_parse (argv[optind + 1]);
      if (signal < 0)
        return husk_cli_usage_error (err, "unknown signal \"%s\"", argv[optind + 1]);
    }
  return husk_container_kill (&cli->rt, cli->id, signal, all, err) < 0 ? -1 : 0;
}
