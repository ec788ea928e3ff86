/* Running a piece of test code in a child that installs a compiled filter
 * first, and building oci_seccomp values without the parser. */
#ifndef HUSK_TEST_SECCOMP_CHILD_H
#define HUSK_TEST_SECCOMP_CHILD_H

#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../runtime/security/seccomp.h"

/* The code run under the filter: returns the child's exit code. */
typedef int (*filtered_fn) (void *data);

/* Returns the wait status of a child that set no_new_privs, installed
 * `prog` and ran fn; -1 when fork failed.  Exit code 100 means the install
 * itself failed. */
static inline int
run_filtered (const struct husk_seccomp_program *prog, filtered_fn fn, void *data)
{
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      struct husk_error *err = NULL;
      int listener;
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
          || husk_seccomp_install (prog, &listener, &err) < 0)
        _exit (100);
      /* the raw syscall: a sanitizer's _exit interceptor would run its leak
       * check under the filter, whose syscalls the filter may deny */
      syscall (SYS_exit_group, fn (data));
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

/* getppid ignores its arguments but seccomp sees the registers: a harmless
 * syscall to test argument conditions with. */
static inline long
probe (long a0, long a1)
{
  return syscall (SYS_getppid, a0, a1, 0, 0, 0, 0);
}

/* errno of probe(a0, a1), 0 when it succeeded. */
static inline int
probe_errno (long a0, long a1)
{
  errno = 0;
  return probe (a0, a1) < 0 ? errno : 0;
}

#endif
