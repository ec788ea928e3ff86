/* husk list [-q] [--format table|json] */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"

int
husk_cli_list (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  static const struct option options[] = { { "quiet", no_argument, NULL, 'q' },
                                           { "format", required_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  struct husk_container_info *infos = NULL;
  cleanup_free char *text = NULL;
  bool quiet = false, json = false;
  size_t n = 0;
  int c, ret;

  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "qf:", options, NULL)) != -1)
    {
      if (c == 'q')
        quiet = true;
      else if (c == 'f' && (strcmp (optarg, "json") == 0 || strcmp (optarg, "table") == 0))
        json = strcmp (optarg, "json") == 0;
      else if (c == 'f')
        return husk_cli_usage_error (err, "invalid format option");
      else
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
    }
  if (husk_container_list_info (&cli->rt, &infos, &n, err) < 0)
    return -1;
  if (json)
    ret = husk_list_format_json (infos, n, &text, err);
  else
    ret = husk_list_format_table (infos, n, quiet, &text, err);
  husk_container_info_free (infos, n);
  if (ret < 0)
    return -1;
  fputs (text, stdout);
  if (json)
    putchar ('\n');
  return 0;
}
