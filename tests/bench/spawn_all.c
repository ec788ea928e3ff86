/* spawn-all: start N copies of a command at once and time them until the
 * last one has exited; bench-lifecycle.sh's "10 x run -d at once".
 *
 * A shell loop of `cmd &` forks the whole shell once per copy, one after
 * the other: 0.6-0.8 ms each here, so 6-8 ms of every sample for ten
 * copies of any program, the same for every runtime, which pulled every
 * ratio toward 1.  posix_spawn (a vfork and an exec) starts the ten in
 * 1 ms, so the figure is the runtimes' own.
 *
 *   spawn-all N CMD ARG...    every "{}" in an ARG becomes the copy's index
 *
 * stdin and stdout are /dev/null, stderr is spawn-all's.  Prints
 * "elapsed_ns=NS failed=K" (K: copies that exited non-zero or were
 * killed); exits 1 when K > 0, 2 on a usage or spawn error. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_samples.h"

extern char **environ;

#define MAX_COPIES 256

/* ARG with each "{}" replaced by INDEX, malloc'd */
static char *
with_index (const char *arg, int index)
{
  char num[16], *out, *o;
  size_t n = 0;

  snprintf (num, sizeof num, "%d", index);
  for (const char *p = arg; (p = strstr (p, "{}")) != NULL; p += 2)
    n++;
  out = o = malloc (strlen (arg) + n * strlen (num) + 1);
  if (out == NULL)
    return NULL;
  for (const char *p = arg; *p;)
    if (p[0] == '{' && p[1] == '}')
      o = stpcpy (o, num), p += 2;
    else
      *o++ = *p++;
  *o = '\0';
  return out;
}

static void
free_argv (char **argv)
{
  for (char **a = argv; a && *a; a++)
    free (*a);
  free (argv);
}

/* every copy's argv, in one NULL-terminated array */
static void
free_copies (char ***all)
{
  for (char ***c = all; c && *c; c++)
    free_argv (*c);
  free (all);
}

/* copy INDEX's argv (NULL-terminated), or NULL */
static char **
one_copy (int argc, char **argv, int index)
{
  char **copy = calloc ((size_t) argc + 1, sizeof *copy);

  for (int a = 0; copy && a < argc; a++)
    if ((copy[a] = with_index (argv[a], index)) == NULL)
      {
        free_argv (copy);
        return NULL;
      }
  return copy;
}

static char ***
copies_argv (int copies, int argc, char **argv)
{
  char ***all = calloc ((size_t) copies + 1, sizeof *all);

  for (int i = 0; all && i < copies; i++)
    if ((all[i] = one_copy (argc, argv, i)) == NULL)
      {
        free_copies (all);
        return NULL;
      }
  return all;
}

/* Spawns the copies, waits for every one started; *failed counts those
 * that did not exit 0.  Returns 0, or the posix_spawn error. */
static int
spawn_and_wait (char ***all, const posix_spawn_file_actions_t *fa, int *failed)
{
  pid_t pids[MAX_COPIES];
  int started = 0, err = 0, status;

  while (all[started] && err == 0)
    if ((err = posix_spawnp (&pids[started], all[started][0], fa, NULL, all[started], environ)) == 0)
      started++;
  for (int i = 0; i < started; i++)
    {
      while (waitpid (pids[i], &status, 0) < 0)
        if (errno != EINTR)
          return errno;
      *failed += !(WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  return err;
}

int
main (int argc, char **argv)
{
  posix_spawn_file_actions_t fa;
  int copies = argc > 2 ? atoi (argv[1]) : 0, failed = 0, err;

  if (copies < 1 || copies > MAX_COPIES)
    {
      fprintf (stderr, "usage: spawn-all N(1-%d) CMD ARG...\n", MAX_COPIES);
      return 2;
    }
  char ***all = copies_argv (copies, argc - 2, argv + 2);
  if (all == NULL || posix_spawn_file_actions_init (&fa) != 0)
    {
      perror ("spawn-all");
      free_copies (all);
      return 2;
    }
  if (posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0) != 0
      || posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0) != 0)
    err = errno ? errno : ENOMEM;
  else
    {
      double t0 = bench_now ();
      err = spawn_and_wait (all, &fa, &failed);
      if (err == 0)
        printf ("elapsed_ns=%.0f failed=%d\n", (bench_now () - t0) * 1e9, failed);
    }
  if (err != 0)
    fprintf (stderr, "spawn-all: %s: %s\n", argv[2], strerror (err));
  posix_spawn_file_actions_destroy (&fa);
  free_copies (all);
  return err ? 2 : failed ? 1 : 0;
}
