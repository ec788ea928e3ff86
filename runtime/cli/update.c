/* husk update [-r resources.json | flags] <id> */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"

enum { OPT_MEMORY = 256, OPT_PIDS, OPT_SHARES, OPT_QUOTA, OPT_PERIOD, OPT_CPUSET, OPT_MEMS };

static const struct option options[] = {
  { "resources", required_argument, NULL, 'r' },
  { "memory", required_argument, NULL, OPT_MEMORY },
  { "pids-limit", required_argument, NULL, OPT_PIDS },
  { "cpu-shares", required_argument, NULL, OPT_SHARES },
  { "cpu-quota", required_argument, NULL, OPT_QUOTA },
  { "cpu-period", required_argument, NULL, OPT_PERIOD },
  { "cpuset-cpus", required_argument, NULL, OPT_CPUSET },
  { "cpuset-mems", required_argument, NULL, OPT_MEMS },
  { NULL, 0, NULL, 0 },
};

/* The flags become a resources document, parsed like -r's. */
static int
flags_json (FILE *f, int c, const char *value, bool *first, struct husk_error **err)
{
  static const char *const keys[] = { [OPT_MEMORY - 256] = "\"memory\":{\"limit\":%s}",
                                      [OPT_PIDS - 256] = "\"pids\":{\"limit\":%s}",
                                      [OPT_SHARES - 256] = "\"cpu\":{\"shares\":%s}",
                                      [OPT_QUOTA - 256] = "\"cpu\":{\"quota\":%s}",
                                      [OPT_PERIOD - 256] = "\"cpu\":{\"period\":%s}",
                                      [OPT_CPUSET - 256] = "\"cpu\":{\"cpus\":\"%s\"}",
                                      [OPT_MEMS - 256] = "\"cpu\":{\"mems\":\"%s\"}" };
  if (c < 256 || c > OPT_MEMS)
    return husk_cli_usage_error (err, "flag provided but not defined");
  for (const char *p = value; *p; p++)
    if (!strchr ("0123456789-,", *p))
      return husk_cli_usage_error (err, "invalid value \"%s\"", value);
  fprintf (f, "%s", *first ? "" : ",");
  fprintf (f, keys[c - 256], value);
  *first = false;
  return 0;
}

int
husk_cli_update (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  cleanup_free char *data = NULL, *doc = NULL;
  size_t len = 0, doc_len = 0;
  struct oci_resources *res = NULL;
  FILE *f = open_memstream (&doc, &doc_len);
  bool first = true;
  int c, ret;

  if (f == NULL)
    return husk_error_set (err, errno, "open_memstream");
  fputc ('{', f);
  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "r:", options, NULL)) != -1)
    {
      if (c == 'r' && json_doc_read_file (strcmp (optarg, "-") ? optarg : "/dev/stdin", &data,
                                          &len, err) < 0)
        return fclose (f), -1;
      if (c != 'r' && flags_json (f, c, optarg, &first, err) < 0)
        return fclose (f), -1;
    }
  fputc ('}', f);
  fclose (f);
  if (husk_cli_need_id (cli, argc, argv, 1, 1, err) < 0)
    return -1;
  if (data)
    ret = oci_resources_parse_data ("resources", data, len, &res, err);
  else
    ret = oci_resources_parse_data ("flags", doc, doc_len, &res, err);
  if (ret < 0)
    return -1;
  ret = husk_container_update (&cli->rt, cli->id, res, err);
  oci_resources_free (res);
  return ret < 0 ? -1 : 0;
}
