/* The -ENOSYS stub runc prepends to every filter whose default action
 * denies (libcontainer/seccomp/patchbpf): a syscall numbered above every
 * syscall the profile names, per architecture, is one the profile's author
 * could not know about, so it fails with ENOSYS ("not implemented") rather
 * than the default errno.  glibc falls back from clone3 and faccessat2 to
 * clone and faccessat only on ENOSYS; on EPERM it gives up (no threads).
 *
 * clone3 gets the same answer whenever the profile does not name it, even
 * below that highest number: its flags sit behind a pointer no filter can
 * inspect, so a profile that does not allow it explicitly wants the clone
 * fallback (Docker's own profile returns ENOSYS for it the same way).
 *
 * The stub runs first and jumps into libseccomp's program for everything
 * else; the program reloads what it needs, so the stub may clobber A. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/config.h"
#include "seccomp_program.h"

#define X32_SYSCALL_BIT 0x40000000U
#define STUB_MAX 64

/* Jump targets: the next instruction, the ENOSYS return, the start of
 * libseccomp's program, or a label (>= 0) placed with `place`. */
enum { L_NEXT = -1, L_ENOSYS = -2, L_FILTER = -3 };
#define LABELS 16

/* An instruction whose jumps name targets; resolved once all are placed. */
struct stub_insn {
  uint16_t code;
  uint32_t k;
  int jt, jf;
};

struct stub {
  struct stub_insn insn[STUB_MAX];
  size_t len;
  size_t label_at[LABELS];
  int labels;
};

struct arch_max {
  uint32_t token;  /* libseccomp's */
  uint32_t audit;  /* what seccomp_data.arch holds */
  int max;         /* highest syscall number named, -1: none */
  int clone3;      /* clone3's number when the profile does not name it, else -1 */
};

static void
emit (struct stub *s, uint16_t code, uint32_t k, int jt, int jf)
{
  if (s->len < STUB_MAX)
    s->insn[s->len++] = (struct stub_insn){ code, k, jt, jf };
}

static int
new_label (struct stub *s)
{
  return s->labels < LABELS ? s->labels++ : 0;
}

static void
place (struct stub *s, int label)
{
  s->label_at[label] = s->len;
}

static bool
is_allow_like (enum oci_seccomp_action action)
{
  /* TRACE too, as runc: a tracer should handle new syscalls itself */
  return action == OCI_SCMP_ACT_ALLOW || action == OCI_SCMP_ACT_LOG
         || action == OCI_SCMP_ACT_TRACE;
}

static void
find_max (const struct oci_seccomp *seccomp, struct arch_max *a)
{
  bool names_clone3 = false;

  a->max = -1;
  for (size_t i = 0; i < seccomp->syscalls_len; i++)
    for (size_t j = 0; j < seccomp->syscalls[i].names_len; j++)
      {
        const char *name = seccomp->syscalls[i].names[j];
        int nr = seccomp_syscall_resolve_name_arch (a->token, name);
        if (strcmp (name, "clone3") == 0)
          names_clone3 = true;
        if (nr >= 0 && nr > a->max) /* negative: multiplexed or absent here */
          a->max = nr;
      }
  a->clone3 = names_clone3 ? -1 : seccomp_syscall_resolve_name_arch (a->token, "clone3");
}

/* A holds the syscall number of an arch the profile names syscalls of. */
static void
emit_checks (struct stub *s, const struct arch_max *a)
{
  if (a->clone3 >= 0)
    emit (s, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) a->clone3, L_ENOSYS, L_NEXT);
  emit (s, BPF_JMP | BPF_JGT | BPF_K, (uint32_t) a->max, L_ENOSYS, L_NEXT);
  emit (s, BPF_JMP | BPF_JA, 0, L_FILTER, L_FILTER);
}

static const struct arch_max *
usable (const struct arch_max *archs, size_t n, uint32_t token)
{
  for (size_t i = 0; i < n; i++)
    if (archs[i].token == token && archs[i].max >= 0)
      return &archs[i];
  return NULL;
}

/* x86_64 and x32 share AUDIT_ARCH_X86_64 and differ by bit 30 of nr. */
static void
emit_x86_64 (struct stub *s, const struct arch_max *a64, const struct arch_max *x32)
{
  int x32_label = x32 ? new_label (s) : L_FILTER;

  emit (s, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr), L_NEXT, L_NEXT);
  emit (s, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, x32_label, L_NEXT);
  if (a64)
    emit_checks (s, a64);
  else
    emit (s, BPF_JMP | BPF_JA, 0, L_FILTER, L_FILTER);
  if (x32)
    {
      place (s, x32_label);
      emit_checks (s, x32);
    }
}

static void
build (struct stub *s, const struct arch_max *archs, size_t n)
{
  const struct arch_max *a64 = usable (archs, n, SCMP_ARCH_X86_64);
  const struct arch_max *x32 = usable (archs, n, SCMP_ARCH_X32);
  int section[8];

  emit (s, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch), L_NEXT, L_NEXT);
  for (size_t i = 0; i < n; i++)
    {
      section[i] = -1;
      if (archs[i].token == SCMP_ARCH_X32 || archs[i].token == SCMP_ARCH_X86_64)
        continue;
      if (archs[i].max < 0)
        continue;
      section[i] = new_label (s);
      emit (s, BPF_JMP | BPF_JEQ | BPF_K, archs[i].audit, section[i], L_NEXT);
    }
  int x86_64 = (a64 || x32) ? new_label (s) : -1;
  if (x86_64 >= 0)
    emit (s, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, x86_64, L_NEXT);
  emit (s, BPF_JMP | BPF_JA, 0, L_FILTER, L_FILTER);
  for (size_t i = 0; i < n; i++)
    if (section[i] >= 0)
      {
        place (s, section[i]);
        emit (s, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr), L_NEXT, L_NEXT);
        emit_checks (s, &archs[i]);
      }
  if (x86_64 >= 0)
    {
      place (s, x86_64);
      emit_x86_64 (s, a64, x32);
    }
}

static uint32_t
target (const struct stub *s, size_t at, int label, size_t enosys, size_t filter)
{
  size_t to = label == L_NEXT     ? at + 1
              : label == L_ENOSYS ? enosys
              : label == L_FILTER ? filter
                                  : s->label_at[label];
  return (uint32_t) (to - at - 1);
}

int
husk_seccomp_enosys_stub (void *ctx, const struct oci_seccomp *seccomp,
                          struct husk_seccomp_program *prog)
{
  static const uint32_t tokens[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32,
                                     SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, SCMP_ARCH_PPC64LE,
                                     SCMP_ARCH_S390X };
  struct arch_max archs[7];
  struct stub s = { .len = 0, .labels = 0 };
  size_t n = 0, enosys, filter;
  struct sock_filter *out;

  if (is_allow_like (seccomp->default_action)
      || (seccomp->default_action == OCI_SCMP_ACT_ERRNO && seccomp->default_errno_ret.set
          && seccomp->default_errno_ret.value == ENOSYS))
    return 0;
  for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
    {
      if (seccomp_arch_exist (ctx, tokens[i]) != 0)
        continue;
      archs[n] = (struct arch_max){ .token = tokens[i],
                                    .audit = tokens[i] == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64
                                                                        : tokens[i] };
      find_max (seccomp, &archs[n]);
      n++;
    }
  build (&s, archs, n);
  if (s.len <= 2 || s.len >= STUB_MAX) /* no section: nothing to prepend */
    return 0;
  /* every jump is short: the stub has under 64 instructions */
  enosys = s.len;
  filter = s.len + 1;
  if (prog->len + filter > BPF_MAXINSNS)
    return -E2BIG;
  out = malloc ((prog->len + filter) * sizeof *out);
  if (out == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < s.len; i++)
    {
      const struct stub_insn *in = &s.insn[i];
      if (in->code == (BPF_JMP | BPF_JA))
        out[i] = (struct sock_filter) BPF_STMT (in->code, target (&s, i, in->jt, enosys, filter));
      else
        out[i] = (struct sock_filter) BPF_JUMP (in->code, in->k,
                                                (uint8_t) target (&s, i, in->jt, enosys, filter),
                                                (uint8_t) target (&s, i, in->jf, enosys, filter));
    }
  out[enosys] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
  memcpy (out + filter, prog->filter, prog->len * sizeof *out);
  free (prog->filter);
  prog->filter = out;
  prog->len = (unsigned short) (prog->len + filter);
  return 0;
}
