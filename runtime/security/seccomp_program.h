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

#endif
