/* Loading the compiled filter in the container process.  This side runs
 * after clone(), so it only makes the seccomp(2) call: no libseccomp, no
 * allocation unless it fails. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp.h"
#include "seccomp_program.h"

int
husk_seccomp_install (const struct husk_seccomp_program *prog, int *listener_fd,
                      struct husk_error **err)
{
  struct sock_fprog fprog = { .len = prog->len, .filter = prog->filter };
  unsigned int flags = prog->flags;
  long r;

  *listener_fd = -1;
  if (prog->notify)
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (r < 0)
    {
      if (errno == EACCES)
        return husk_error_set (err, errno, "seccomp: load filter (needs no_new_privs or CAP_SYS_ADMIN)");
      return husk_error_set (err, errno, "seccomp: load filter (%u instructions, flags %#x)",
                             prog->len, flags);
    }
  if (prog->notify)
    *listener_fd = (int) r;
  return 0;
}

bool
husk_seccomp_program_has_notify (const struct husk_seccomp_program *prog)
{
  return prog->notify;
}

const char *const *
husk_seccomp_program_notes (const struct husk_seccomp_program *prog, size_t *len)
{
  static const char *const none[] = { NULL };

  *len = prog->notes_len;
  return prog->notes ? (const char *const *) prog->notes : none;
}

void
husk_seccomp_program_free (struct husk_seccomp_program *prog)
{
  if (prog == NULL)
    return;
  for (size_t i = 0; i < prog->notes_len; i++)
    free (prog->notes[i]);
  free (prog->notes);
  free (prog->filter);
  free (prog);
}
