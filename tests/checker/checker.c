/* husk-checker: run as a container's process, it prints as one JSON object
 * what the process really got, so an integration test compares reality with
 * the config instead of trusting the runtime (after youki's runtimetest):
 *
 *   husk run ... | jq -e '.hostname == "foo" and .ids.uid == 1000'
 *
 *   husk-checker [SECTION...]     only these sections (default: all)
 *   husk-checker --exit N ...     exit with status N after printing
 *
 * It is linked static and depends on nothing in the rootfs but /proc. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"

static const struct checker_section sections[] = {
  { "ids", checker_ids },
  { "caps", checker_caps },
  { "rlimits", checker_rlimits },
  { "uts", checker_uts },
  { "process", checker_process },
  { "env", checker_env },
  { "security", checker_security },
  { "fds", checker_fds },
  { "mounts", checker_mounts },
  { "namespaces", checker_namespaces },
  { "cgroup", checker_cgroup },
};

#define N_SECTIONS (sizeof (sections) / sizeof (sections[0]))

static bool
wanted (const char *name, int argc, char **argv)
{
  if (argc == 0)
    return true;
  for (int i = 0; i < argc; i++)
    if (strcmp (argv[i], name) == 0)
      return true;
  return false;
}

static int
unknown_section (int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    {
      bool found = false;
      for (size_t s = 0; s < N_SECTIONS; s++)
        found = found || strcmp (argv[i], sections[s].name) == 0;
      if (!found)
        {
          fprintf (stderr, "husk-checker: unknown section \"%s\"\n", argv[i]);
          return 1;
        }
    }
  return 0;
}

int
main (int argc, char **argv)
{
  int exit_code = 0;
  argc--, argv++;
  if (argc >= 2 && strcmp (argv[0], "--exit") == 0)
    {
      exit_code = atoi (argv[1]);
      argc -= 2, argv += 2;
    }
  if (unknown_section (argc, argv))
    return 2;

  yajl_gen g = yajl_gen_alloc (NULL);
  yajl_gen_config (g, yajl_gen_beautify, 0);
  yajl_gen_map_open (g);
  for (size_t s = 0; s < N_SECTIONS; s++)
    if (wanted (sections[s].name, argc, argv))
      sections[s].emit (g);
  yajl_gen_map_close (g);

  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf (g, &buf, &len);
  fwrite (buf, 1, len, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  yajl_gen_free (g);
  return exit_code;
}
