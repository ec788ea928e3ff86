/* sysc: calls one syscall with numeric arguments and prints what came back,
 * for the seccomp tests (busybox never calls some syscalls, e.g. a
 * personality query).  Built static by seccomp.bats into the rootfs.
 *
 *   sysc personality 0xffffffff    ->  "ok 0" or "errno 1"
 *   sysc mkdir /path               ->  the path argument is a string
 *   sysc nr 439                    ->  syscall 439 with all-zero arguments
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  long ret;

  if (argc < 3)
    return 2;
  errno = 0;
  if (strcmp (argv[1], "personality") == 0)
    ret = syscall (SYS_personality, strtoul (argv[2], NULL, 0));
  else if (strcmp (argv[1], "mkdir") == 0)
    ret = mkdir (argv[2], 0755);
  else if (strcmp (argv[1], "nr") == 0)
    ret = syscall (strtol (argv[2], NULL, 0), 0, 0, 0, 0, 0, 0);
  else
    return 2;
  if (ret < 0)
    printf ("errno %d\n", errno);
  else
    printf ("ok\n");
  return 0;
}
