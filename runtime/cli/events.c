/* husk events [--stats] [--interval DURATION] <id>: runc's event lines, one JSON
 * object each: {"type":"stats","id":..,"data":{..}} every interval and
 * {"type":"oom","id":..} when the cgroup sees an OOM kill. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"

/* The id was validated (no quotes or backslashes) and data is yajl's, so
 * the line needs no escaping. */
static int
print_stats (struct husk_cli *cli, struct husk_error **err)
{
  cleanup_free char *data = NULL;

  if (husk_container_stats_json (&cli->rt, cli->id, &data, err) < 0)
    return -1;
  printf ("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", cli->id, data);
  fflush (stdout);
  return 0;
}

static void
print_oom (struct husk_cli *cli, int fd)
{
  char buf[4096];

  if (read (fd, buf, sizeof buf) < 0 && errno != EAGAIN)
    return;
  printf ("{\"type\":\"oom\",\"id\":\"%s\"}\n", cli->id);
  fflush (stdout);
}

static int
watch (struct husk_cli *cli, int interval_ms, struct husk_error **err)
{
  cleanup_close int oom = -1;

  if (husk_container_oom_fd (&cli->rt, cli->id, &oom, err) < 0)
    husk_error_release (err); /* no memory controller: stats only */
  for (;;)
    {
      struct pollfd p = { oom, POLLIN, 0 };
      int n = poll (&p, oom >= 0 ? 1 : 0, interval_ms);
      if (n < 0 && errno != EINTR)
        return husk_error_set (err, errno, "poll");
      if (n > 0)
        print_oom (cli, oom);
      else if (print_stats (cli, err) < 0)
        {
          /* the container went away: the stream ends, as runc's does */
          if ((*err)->errnum == EINVAL || (*err)->errnum == ENOENT)
            return husk_error_release (err), 0;
          return -1;
        }
    }
}

int
husk_cli_events (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  static const struct option options[] = { { "stats", no_argument, NULL, 's' },
                                           { "interval", required_argument, NULL, 'i' },
                                           { NULL, 0, NULL, 0 } };
  bool stats = false;
  int c, interval = 5000;

  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    {
      if (c == 's')
        stats = true;
      else if (c == 'i')
        {
          long long ms;
          if (husk_cli_parse_duration ("--interval", optarg, &ms, err) < 0)
            return -1;
          if (ms <= 0 || ms > INT_MAX)
            return husk_cli_usage_error (err, "duration interval must be greater than 0");
          interval = (int) ms;
        }
      else
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
    }
  if (husk_cli_need_id (cli, argc, argv, 1, 1, err) < 0)
    return -1;
  if (stats)
    return print_stats (cli, err) < 0 ? -1 : 0;
  return watch (cli, interval, err) < 0 ? -1 : 0;
}
