/* husk ps [--format table|json] <id> [ps options]: like runc, the host's
 * ps output filtered to the container's pids, or the pids as JSON. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "../../oci/cleanup.h"

static bool
has_pid (const pid_t *pids, size_t n, pid_t pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static int
print_ps (const pid_t *pids, size_t n, char **ps_args, int ps_argc)
{
  char cmd[4096] = "ps";
  char *line = NULL;
  size_t cap = 0, used = 2;
  FILE *p;
  int pid_col = -1;

  for (int i = 0; i < ps_argc; i++)
    used += (size_t) snprintf (cmd + used, sizeof cmd - used, " '%s'", ps_args[i]);
  if (ps_argc == 0)
    snprintf (cmd + used, sizeof cmd - used, " -ef");
  p = popen (cmd, "r");
  if (p == NULL)
    return -1;
  for (int row = 0; getline (&line, &cap, p) > 0; row++)
    {
      char copy[4096];
      char *tok, *save = NULL;
      int col = 0;
      snprintf (copy, sizeof copy, "%s", line);
      for (tok = strtok_r (copy, " \t\n", &save); tok; tok = strtok_r (NULL, " \t\n", &save), col++)
        if (row == 0 && strcmp (tok, "PID") == 0)
          pid_col = col;
        else if (row > 0 && col == pid_col)
          break;
      if (row == 0 || (tok && has_pid (pids, n, (pid_t) atoi (tok))))
        fputs (line, stdout);
    }
  free (line);
  return pclose (p) == 0 ? 0 : -1;
}

int
husk_cli_ps (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  static const struct option options[] = { { "format", required_argument, NULL, 'f' },
                                           { NULL, 0, NULL, 0 } };
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  bool json = false;
  int c;

  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "+f:", options, NULL)) != -1)
    {
      if (c != 'f')
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
      json = strcmp (optarg, "json") == 0;
    }
  if (husk_cli_need_id (cli, argc, argv, 1, -1, err) < 0)
    return -1;
  if (husk_container_pids (&cli->rt, cli->id, &pids, &n, err) < 0)
    return -1;
  if (!json)
    return print_ps (pids, n, argv + optind + 1, argc - optind - 1) < 0 ? 1 : 0;
  putchar ('[');
  for (size_t i = 0; i < n; i++)
    printf ("%s%d", i ? "," : "", (int) pids[i]);
  puts ("]");
  return 0;
}
