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
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_COPIES 256

static long long
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ARG with each "{}" replaced by INDEX (a new string, or ARG itself) */
static char *
with_index (const char *arg, int index)
{
  char num[16], *out, *o;
  size_t n = 0;

  if (strstr (arg, "{}") == NULL)
    return (char *) arg;
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

/* every copy's argv, built before the clock starts */
static char ***
copies_argv (int copies, int argc, char **argv)
{
  char ***all = calloc ((size_t) copies, sizeof *all);

  for (int i = 0; all && i < copies; i++)
    {
      all[i] = calloc ((size_t) argc + 1, sizeof **all);
      if (all[i] == NULL)
        return NULL;
      for (int a = 0; a < argc; a++)
        if ((all[i][a] = with_index (argv[a], i)) == NULL)
          return NULL;
    }
  return all;
}

int
main (int argc, char **argv)
{
  posix_spawn_file_actions_t fa;
  pid_t pids[MAX_COPIES];
  int copies = argc > 2 ? atoi (argv[1]) : 0, failed = 0, status;

  if (copies < 1 || copies > MAX_COPIES)
    {
      fprintf (stderr, "usage: spawn-all N(1-%d) CMD ARG...\n", MAX_COPIES);
      return 2;
    }
  char ***all = copies_argv (copies, argc - 2, argv + 2);
  if (all == NULL || posix_spawn_file_actions_init (&fa) != 0
      || posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0) != 0
      || posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0) != 0)
    {
      perror ("spawn-all");
      return 2;
    }
  long long t0 = now_ns ();
  int started = 0, spawn_err = 0;
  for (; started < copies && spawn_err == 0; started++)
    spawn_err = posix_spawnp (&pids[started], all[started][0], &fa, NULL, all[started], environ);
  if (spawn_err != 0)
    {
      fprintf (stderr, "spawn-all: %s: %s\n", all[0][0], strerror (spawn_err));
      started--; /* the one that failed; those before it are still waited for */
    }
  for (int i = 0; i < started; i++)
    {
      while (waitpid (pids[i], &status, 0) < 0)
        if (errno != EINTR)
          {
            perror ("spawn-all: waitpid");
            return 2;
          }
      failed += !(WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  if (spawn_err != 0)
    return 2;
  printf ("elapsed_ns=%lld failed=%d\n", now_ns () - t0, failed);
  return failed ? 1 : 0;
}
