/* The compiled filter shared by seccomp_compile.c (parent) and
 * seccomp_install.c (child).  Private to runtime/security/. */
#ifndef HUSK_SECURITY_SECCOMP_PROGRAM_H
#define HUSK_SECURITY_SECCOMP_PROGRAM_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

struct husk_seccomp_program {
  struct sock_filter *filter;
  unsigned short len;   /* instructions */
  unsigned int flags;   /* SECCOMP_FILTER_FLAG_*, without NEW_LISTENER */
  bool notify;          /* some rule returns SCMP_ACT_NOTIFY */
  char **notes;         /* NULL terminated debug notes */
  size_t notes_len;
};

/* Prepends runc's -ENOSYS stub to prog (seccomp_enosys.c); `ctx` is the
 * libseccomp filter it was exported from.  0, or -errno. */
struct oci_seccomp;
int husk_seccomp_enosys_stub (void *ctx, const struct oci_seccomp *seccomp,
                              struct husk_seccomp_program *prog);

#endif
