/* husk events [--stats] [--interval N] <id>: runc's event lines. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"

static int
print_stats (struct husk_cli *cli, struct husk_error **err)
{
  cleanup_free char *data = NULL;

  if (husk_container_stats_json (&cli->rt, cli->id, &data, err) < 0)
    return -1;
  /* the id was validated (no quotes or backslashes), data is yajl's */
  printf ("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", cli->id, data);
  fflush (stdout);
  return 0;
}

int
husk_cli_events (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  static const struct option options[] = { { "stats", no_argument, NULL, 's' },
                                           { "interval", required_argument, NULL, 'i' },
                                           { NULL, 0, NULL, 0 } };
  bool stats = false;
  int c, interval = 5;

  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    {
      if (c == 's')
        stats = true;
      else if (c == 'i')
        interval = atoi (optarg) > 0 ? atoi (optarg) : 5;
      else
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
    }
  if (husk_cli_need_id (cli, argc, argv, 1, 1, err) < 0)
    return -1;
  if (stats)
    return print_stats (cli, err) < 0 ? -1 : 0;
  for (;;)
    {
      if (print_stats (cli, err) < 0)
        return -1;
      sleep ((unsigned) interval);
    }
}
