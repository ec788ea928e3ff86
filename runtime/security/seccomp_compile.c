/* linux.seccomp → a classic BPF program, with libseccomp, in the parent.
 *
 * Semantics follow runc (libcontainer/seccomp/seccomp_linux.go):
 *  - a syscall name libseccomp does not know is skipped, not an error (the
 *    profile may list syscalls newer than this libseccomp);
 *  - a rule whose action equals the default action is skipped (libseccomp
 *    rejects it, and it changes nothing);
 *  - ERRNO and TRACE return errnoRet, EPERM when it is absent; the default
 *    action takes defaultErrnoRet the same way;
 *  - the args of one rule are ANDed, unless two of them test the same
 *    argument index: then each arg becomes a rule of its own (ORed), the
 *    behaviour Docker's profiles were written against. */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include "cleanup.h"
#include "seccomp.h"
#include "seccomp_program.h"

#define SECCOMP_JSON "linux.seccomp"
#define SECCOMP_MAX_ARGS 6

static void
seccomp_ctx_releasep (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}
#define cleanup_seccomp_ctx __attribute__ ((cleanup (seccomp_ctx_releasep)))

/* `path` is the object holding the action: "linux.seccomp" for the
 * default (keys defaultAction, defaultErrnoRet), a syscalls[i] otherwise. */
static int
action_value (enum oci_seccomp_action action, const oci_opt_u64 *errno_ret, const char *path,
              bool is_default, uint32_t *out, struct husk_error **err)
{
  uint64_t ret = errno_ret->set ? errno_ret->value : EPERM;

  /* SECCOMP_RET_DATA is 16 bits: a larger errno would silently wrap. */
  if (errno_ret->set && errno_ret->value > 0xffff)
    return husk_error_set (err, 0, "%s.%s: %llu is out of range (max 65535)", path,
                           is_default ? "defaultErrnoRet" : "errnoRet",
                           (unsigned long long) errno_ret->value);
  switch (action)
    {
    case OCI_SCMP_ACT_KILL:
    case OCI_SCMP_ACT_KILL_THREAD: *out = SCMP_ACT_KILL_THREAD; return 0;
    case OCI_SCMP_ACT_KILL_PROCESS: *out = SCMP_ACT_KILL_PROCESS; return 0;
    case OCI_SCMP_ACT_TRAP: *out = SCMP_ACT_TRAP; return 0;
    case OCI_SCMP_ACT_ERRNO: *out = SCMP_ACT_ERRNO ((uint32_t) ret); return 0;
    case OCI_SCMP_ACT_TRACE: *out = SCMP_ACT_TRACE ((uint32_t) ret); return 0;
    case OCI_SCMP_ACT_ALLOW: *out = SCMP_ACT_ALLOW; return 0;
    case OCI_SCMP_ACT_LOG: *out = SCMP_ACT_LOG; return 0;
    case OCI_SCMP_ACT_NOTIFY: *out = SCMP_ACT_NOTIFY; return 0;
    }
  return husk_error_set (err, 0, "%s.%s: unknown action %d", path,
                         is_default ? "defaultAction" : "action", (int) action);
}

/* "SCMP_ARCH_X86_64" → libseccomp's "x86_64" → its token. */
static int
arch_token (const char *name, uint32_t *token)
{
  char lower[32];
  size_t i;

  if (strncmp (name, "SCMP_ARCH_", 10) != 0 || strlen (name + 10) >= sizeof lower)
    return -1;
  for (i = 0; name[10 + i]; i++)
    lower[i] = (char) tolower ((unsigned char) name[10 + i]);
  lower[i] = '\0';
  if (strcmp (lower, "native") == 0)
    *token = seccomp_arch_native ();
  else
    *token = seccomp_arch_resolve_name (lower);
  return *token == 0 ? -1 : 0;
}

static int notes_add (struct husk_seccomp_program *prog, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* An architecture this libseccomp does not know (newer than it), or one of
 * the other byte order (a filter is all little- or all big-endian: such
 * syscalls cannot happen on this machine), is skipped like an unknown
 * syscall name, with a note. */
static int
add_architectures (scmp_filter_ctx ctx, const struct oci_seccomp *seccomp,
                   struct husk_seccomp_program *prog, struct husk_error **err)
{
  for (size_t i = 0; i < seccomp->architectures_len; i++)
    {
      const char *name = seccomp->architectures[i];
      uint32_t token = 0;
      int r;

      if (strncmp (name, "SCMP_ARCH_", 10) != 0)
        return husk_error_set (err, 0, SECCOMP_JSON ".architectures[%zu]: unknown architecture \"%s\"", i, name);
      if (arch_token (name, &token) < 0)
        {
          notes_add (prog, SECCOMP_JSON ".architectures[%zu]: \"%s\" unknown to libseccomp: skipped", i, name);
          continue;
        }
      r = seccomp_arch_add (ctx, token);
      if (r == -EDOM)
        notes_add (prog, SECCOMP_JSON ".architectures[%zu]: \"%s\" has the other byte order: skipped", i, name);
      else if (r < 0 && r != -EEXIST) /* the native arch is always there */
        return husk_error_set (err, -r, SECCOMP_JSON ".architectures[%zu]: add \"%s\"", i, name);
    }
  return 0;
}

static const struct { const char *name; unsigned int bit; } filter_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

/* The kernel answers EFAULT for a known flag with a NULL program and
 * EINVAL for an unknown one (the probe libseccomp itself uses). */
static bool
kernel_has_flag (unsigned int bit)
{
  return syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, bit, NULL) < 0 && errno == EFAULT;
}

static int
parse_flags (const struct oci_seccomp *seccomp, unsigned int *flags, struct husk_error **err)
{
  *flags = 0;
  for (size_t i = 0; i < seccomp->flags_len; i++)
    {
      const char *name = seccomp->flags[i];
      size_t f;

      for (f = 0; f < sizeof filter_flags / sizeof filter_flags[0]; f++)
        if (strcmp (filter_flags[f].name, name) == 0)
          break;
      if (f == sizeof filter_flags / sizeof filter_flags[0])
        return husk_error_set (err, 0, SECCOMP_JSON ".flags[%zu]: unknown flag \"%s\"", i, name);
      if (!kernel_has_flag (filter_flags[f].bit))
        return husk_error_set (err, 0, SECCOMP_JSON ".flags[%zu]: \"%s\" is not supported by this kernel", i, name);
      *flags |= filter_flags[f].bit;
    }
  return 0;
}

static int
notes_add (struct husk_seccomp_program *prog, const char *fmt, ...)
{
  char **n = realloc (prog->notes, (prog->notes_len + 2) * sizeof *n);
  va_list ap;
  int r;

  if (n == NULL)
    return -1;
  prog->notes = n;
  va_start (ap, fmt);
  r = vasprintf (&n[prog->notes_len], fmt, ap);
  va_end (ap);
  if (r < 0)
    return n[prog->notes_len] = NULL, -1;
  n[++prog->notes_len] = NULL;
  return 0;
}

static const enum scmp_compare compare_ops[] = {
  [OCI_SCMP_CMP_NE] = SCMP_CMP_NE,
  [OCI_SCMP_CMP_LT] = SCMP_CMP_LT,
  [OCI_SCMP_CMP_LE] = SCMP_CMP_LE,
  [OCI_SCMP_CMP_EQ] = SCMP_CMP_EQ,
  [OCI_SCMP_CMP_GE] = SCMP_CMP_GE,
  [OCI_SCMP_CMP_GT] = SCMP_CMP_GT,
  [OCI_SCMP_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* Fills conds[] (one per arg); *split says two args test one index. */
static int
build_conditions (const struct oci_seccomp_syscall *sc, size_t rule, struct scmp_arg_cmp *conds,
                  bool *split, struct husk_error **err)
{
  unsigned int seen[SECCOMP_MAX_ARGS] = { 0 };

  *split = false;
  for (size_t j = 0; j < sc->args_len; j++)
    {
      const struct oci_seccomp_arg *a = &sc->args[j];

      if (a->index >= SECCOMP_MAX_ARGS)
        return husk_error_set (err, 0, SECCOMP_JSON ".syscalls[%zu].args[%zu].index: %u is out of range (0-5)",
                               rule, j, a->index);
      if ((size_t) a->op >= sizeof compare_ops / sizeof compare_ops[0])
        return husk_error_set (err, 0, SECCOMP_JSON ".syscalls[%zu].args[%zu].op: unknown operator %d",
                               rule, j, (int) a->op);
      /* MASKED_EQ: value is the mask, valueTwo the value compared with. */
      conds[j] = (struct scmp_arg_cmp) { .arg = a->index, .op = compare_ops[a->op],
                                         .datum_a = a->value, .datum_b = a->value_two.value };
      if (++seen[a->index] > 1)
        *split = true;
    }
  return 0;
}

static int
add_one_syscall (scmp_filter_ctx ctx, int nr, uint32_t action, const struct scmp_arg_cmp *conds,
                 size_t n, bool split)
{
  int r = 0;

  if (!split)
    return seccomp_rule_add_array (ctx, action, nr, (unsigned int) n, n ? conds : NULL);
  for (size_t j = 0; j < n && r == 0; j++)
    r = seccomp_rule_add_array (ctx, action, nr, 1, &conds[j]);
  return r;
}

static int
check_notify_rule (const struct oci_seccomp *seccomp, size_t rule, const char *name,
                   struct husk_error **err)
{
  /* After installing the filter the container process still has to hand
   * the listener fd to the runtime: a notified write/sendmsg would wait
   * for an answer from an agent that has not got the fd yet. */
  if (strcmp (name, "write") == 0 || strcmp (name, "sendmsg") == 0)
    return husk_error_set (err, 0, SECCOMP_JSON ".syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used for \"%s\"",
                           rule, name);
  if (seccomp->listener_path == NULL || seccomp->listener_path[0] == '\0')
    return husk_error_set (err, 0, SECCOMP_JSON ".listenerPath: required when SCMP_ACT_NOTIFY is used");
  return 0;
}

static int
add_rule (scmp_filter_ctx ctx, const struct oci_seccomp *seccomp, size_t rule,
          uint32_t default_action, struct husk_seccomp_program *prog, struct husk_error **err)
{
  const struct oci_seccomp_syscall *sc = &seccomp->syscalls[rule];
  cleanup_free struct scmp_arg_cmp *conds = calloc (sc->args_len + 1, sizeof *conds);
  char path[64];
  uint32_t action;
  bool split;

  snprintf (path, sizeof path, SECCOMP_JSON ".syscalls[%zu]", rule);
  if (conds == NULL)
    return husk_error_set (err, ENOMEM, "%s", path);
  if (action_value (sc->action, &sc->errno_ret, path, false, &action, err) < 0
      || build_conditions (sc, rule, conds, &split, err) < 0)
    return -1;
  if (action == default_action)
    return 0;
  for (size_t i = 0; i < sc->names_len; i++)
    {
      const char *name = sc->names[i];
      int nr = seccomp_syscall_resolve_name (name), r;

      if (nr == __NR_SCMP_ERROR)
        {
          notes_add (prog, "%s.names[%zu]: syscall \"%s\" unknown to libseccomp: skipped", path, i, name);
          continue;
        }
      if (sc->action == OCI_SCMP_ACT_NOTIFY)
        {
          if (check_notify_rule (seccomp, rule, name, err) < 0)
            return -1;
          prog->notify = true;
        }
      r = add_one_syscall (ctx, nr, action, conds, sc->args_len, split);
      if (r < 0)
        return husk_error_set (err, -r, "%s.names[%zu]: add rule for \"%s\" (%s)", path, i, name,
                               oci_seccomp_action_name (sc->action));
    }
  return 0;
}

/* libseccomp writes the program to an fd: a memfd keeps it in memory. */
static int
export_program (scmp_filter_ctx ctx, struct husk_seccomp_program *prog, struct husk_error **err)
{
  cleanup_close int fd = memfd_create ("husk-seccomp-bpf", MFD_CLOEXEC);
  struct stat st;
  int r;

  if (fd < 0)
    return husk_error_set (err, errno, "memfd_create");
  r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return husk_error_set (err, -r, "seccomp_export_bpf");
  if (fstat (fd, &st) < 0)
    return husk_error_set (err, errno, "fstat seccomp program");
  if (st.st_size == 0 || st.st_size % sizeof (struct sock_filter) != 0
      || st.st_size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return husk_error_set (err, E2BIG, SECCOMP_JSON ": the filter has %lld instructions (max %d)",
                           (long long) (st.st_size / sizeof (struct sock_filter)), BPF_MAXINSNS);
  prog->filter = malloc ((size_t) st.st_size);
  if (prog->filter == NULL)
    return husk_error_set (err, ENOMEM, "seccomp program");
  if (pread (fd, prog->filter, (size_t) st.st_size, 0) != st.st_size)
    return husk_error_set (err, errno, "read seccomp program");
  prog->len = (unsigned short) (st.st_size / sizeof (struct sock_filter));
  return 0;
}

static int
compile_into (const struct oci_seccomp *seccomp, struct husk_seccomp_program *prog,
              struct husk_error **err)
{
  cleanup_seccomp_ctx scmp_filter_ctx ctx = NULL;
  uint32_t default_action;

  if (seccomp->default_action == OCI_SCMP_ACT_NOTIFY)
    return husk_error_set (err, 0, SECCOMP_JSON ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  if (action_value (seccomp->default_action, &seccomp->default_errno_ret, SECCOMP_JSON, true,
                    &default_action, err) < 0)
    return -1;
  ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return husk_error_set (err, 0, SECCOMP_JSON ".defaultAction: seccomp_init (%s)",
                           oci_seccomp_action_name (seccomp->default_action));
  if (add_architectures (ctx, seccomp, prog, err) < 0 || parse_flags (seccomp, &prog->flags, err) < 0)
    return -1;
  for (size_t i = 0; i < seccomp->syscalls_len; i++)
    if (add_rule (ctx, seccomp, i, default_action, prog, err) < 0)
      return -1;
  /* A process with threads cannot take a listener together with TSYNC
   * unless failures are reported as ESRCH instead of a thread id. */
  if (prog->notify && (prog->flags & SECCOMP_FILTER_FLAG_TSYNC))
    prog->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  if (export_program (ctx, prog, err) < 0)
    return -1;
  int r = husk_seccomp_enosys_stub (ctx, seccomp, prog);
  if (r < 0)
    return husk_error_set (err, -r, SECCOMP_JSON ": prepend the -ENOSYS stub (%u instructions)",
                           prog->len);
  return 0;
}

int
husk_seccomp_compile (const struct oci_seccomp *seccomp, struct husk_seccomp_program **out,
                      struct husk_error **err)
{
  cleanup_seccomp_program struct husk_seccomp_program *prog = calloc (1, sizeof *prog);

  if (prog == NULL)
    return husk_error_set (err, ENOMEM, "seccomp program");
  if (compile_into (seccomp, prog, err) < 0)
    return -1;
  *out = steal_pointer (&prog);
  return 0;
}
