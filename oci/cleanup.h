/* Scope-bound ownership, after bubblewrap's utils.h and systemd's _cleanup_.
 * A variable marked cleanup_* is released when it leaves scope; hand it out
 * with steal_pointer()/steal_fd().  close() is never retried on EINTR: on
 * Linux the descriptor is gone either way and a retry could close a
 * descriptor another thread just opened. */
#ifndef HUSK_OCI_CLEANUP_H
#define HUSK_OCI_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
husk_freep (void *p)
{
  free (*(void **) p);
}

static inline void
husk_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
  *fd = -1;
}

static inline void
husk_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

static inline void
husk_closedirp (DIR **d)
{
  if (*d)
    closedir (*d);
}

/* A NULL-terminated vector of strings. */
static inline void
husk_strvfreep (char ***v)
{
  if (*v)
    for (char **s = *v; *s; s++)
      free (*s);
  free (*v);
}

#define cleanup_free __attribute__ ((cleanup (husk_freep)))
#define cleanup_close __attribute__ ((cleanup (husk_closep)))
#define cleanup_fclose __attribute__ ((cleanup (husk_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (husk_closedirp)))
#define cleanup_strv __attribute__ ((cleanup (husk_strvfreep)))

#define steal_pointer(pp)                                                      \
  ({                                                                           \
    __typeof__ (*(pp)) _stolen = *(pp);                                        \
    *(pp) = NULL;                                                              \
    _stolen;                                                                   \
  })

#define steal_fd(fdp)                                                          \
  ({                                                                           \
    int _stolen_fd = *(fdp);                                                   \
    *(fdp) = -1;                                                               \
    _stolen_fd;                                                                \
  })

/* Declares a cleanup function for a type with a free function taking T*. */
#define HUSK_DEFINE_CLEANUP(type, func)                                        \
  static inline void func##p (type **p)                                        \
  {                                                                            \
    if (*p)                                                                    \
      func (*p);                                                               \
  }

#endif
