/* Compiles filters from oci_seccomp values and checks, in a child that
 * loads them, what the syscalls really do. */
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/personality.h>

#include "seccomp_child.h"
#include "tap.h"

static char *probe_names[] = { "getppid", NULL };

/* A profile allowing everything but the rules given. */
static struct oci_seccomp
allow_but (struct oci_seccomp_syscall *rules, size_t n)
{
  return (struct oci_seccomp) { .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = rules,
                                .syscalls_len = n };
}

static struct husk_seccomp_program *
compile_ok (const struct oci_seccomp *s, const char *what)
{
  struct husk_seccomp_program *prog = NULL;
  struct husk_error *err = NULL;
  int r = husk_seccomp_compile (s, &prog, &err);

  if (!ok (r == 0, "%s: compiles", what))
    printf ("#   %s\n", err ? err->message : "?");
  husk_error_release (&err);
  return prog;
}

static void
compile_fails (const struct oci_seccomp *s, const char *want, const char *what)
{
  struct husk_seccomp_program *prog = NULL;
  struct husk_error *err = NULL;
  int r = husk_seccomp_compile (s, &prog, &err);

  is_int (r, -1, "%s: refused", what);
  is_str (err ? err->message : NULL, want, "%s: error message", what);
  husk_error_release (&err);
  husk_seccomp_program_free (prog);
}

static int
child_probe_errno (void *data)
{
  return probe_errno (0, 0);
}

/* Status of running probe(0,0) under a one-rule profile. */
static int
run_rule (enum oci_seccomp_action action, oci_opt_u64 errno_ret, const char *what)
{
  struct oci_seccomp_syscall rule = { .names = probe_names, .names_len = 1, .action = action,
                                      .errno_ret = errno_ret };
  struct oci_seccomp s = allow_but (&rule, 1);
  struct husk_seccomp_program *prog = compile_ok (&s, what);
  int status = prog ? run_filtered (prog, child_probe_errno, NULL) : -1;

  husk_seccomp_program_free (prog);
  return status;
}

static void
test_actions (void)
{
  oci_opt_u64 none = { 0 }, exdev = { true, EXDEV };
  int st;

  st = run_rule (OCI_SCMP_ACT_ERRNO, exdev, "ERRNO errnoRet=EXDEV");
  ok (WIFEXITED (st) && WEXITSTATUS (st) == EXDEV, "ERRNO returns errnoRet (status %#x)", st);
  st = run_rule (OCI_SCMP_ACT_ERRNO, none, "ERRNO");
  ok (WIFEXITED (st) && WEXITSTATUS (st) == EPERM, "ERRNO without errnoRet returns EPERM");
  st = run_rule (OCI_SCMP_ACT_KILL, none, "KILL");
  ok (WIFSIGNALED (st) && WTERMSIG (st) == SIGSYS, "KILL kills with SIGSYS (status %#x)", st);
  st = run_rule (OCI_SCMP_ACT_KILL_PROCESS, none, "KILL_PROCESS");
  ok (WIFSIGNALED (st) && WTERMSIG (st) == SIGSYS, "KILL_PROCESS kills with SIGSYS");
  st = run_rule (OCI_SCMP_ACT_KILL_THREAD, none, "KILL_THREAD");
  ok (WIFSIGNALED (st) && WTERMSIG (st) == SIGSYS, "KILL_THREAD kills with SIGSYS");
  st = run_rule (OCI_SCMP_ACT_TRAP, none, "TRAP");
  ok (WIFSIGNALED (st) && WTERMSIG (st) == SIGSYS, "TRAP raises SIGSYS");
  /* With no tracer attached the kernel fails a TRACE'd syscall with ENOSYS. */
  st = run_rule (OCI_SCMP_ACT_TRACE, none, "TRACE");
  ok (WIFEXITED (st) && WEXITSTATUS (st) == ENOSYS, "TRACE without a tracer gives ENOSYS");
  st = run_rule (OCI_SCMP_ACT_LOG, none, "LOG");
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "LOG lets the syscall run");
  st = run_rule (OCI_SCMP_ACT_ALLOW, none, "ALLOW (same as default)");
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "ALLOW lets the syscall run");
}

static int
child_default_errno (void *data)
{
  return probe_errno (0, 0); /* exit_group is allowed, getppid is not */
}

static void
test_default_errno_ret (void)
{
  char *allowed[] = { "exit_group", "exit", NULL };
  struct oci_seccomp_syscall rule = { .names = allowed, .names_len = 2,
                                      .action = OCI_SCMP_ACT_ALLOW };
  struct oci_seccomp s = { .default_action = OCI_SCMP_ACT_ERRNO,
                           .default_errno_ret = { true, ENXIO }, .syscalls = &rule,
                           .syscalls_len = 1 };
  struct husk_seccomp_program *prog = compile_ok (&s, "default ERRNO defaultErrnoRet=ENXIO");
  int st = prog ? run_filtered (prog, child_default_errno, NULL) : -1;

  ok (WIFEXITED (st) && WEXITSTATUS (st) == ENXIO, "the default action returns defaultErrnoRet (status %#x)", st);
  husk_seccomp_program_free (prog);
}

struct probe_case {
  long a0, a1;
};
struct probe_set {
  const struct probe_case *cases;
  size_t n;
};

/* Exit code: bit i set when case i was blocked (EXDEV). */
static int
child_probe_cases (void *data)
{
  const struct probe_set *set = data;
  int bits = 0;
  for (size_t i = 0; i < set->n; i++)
    if (probe_errno (set->cases[i].a0, set->cases[i].a1) == EXDEV)
      bits |= 1 << i;
  return bits;
}

static void
check_args (struct oci_seccomp_arg *args, size_t nargs, const struct probe_case *cases,
            size_t ncases, int want_bits, const char *what)
{
  struct oci_seccomp_syscall rule = { .names = probe_names, .names_len = 1,
                                      .action = OCI_SCMP_ACT_ERRNO,
                                      .errno_ret = { true, EXDEV }, .args = args,
                                      .args_len = nargs };
  struct oci_seccomp s = allow_but (&rule, 1);
  struct husk_seccomp_program *prog = compile_ok (&s, what);
  struct probe_set set = { cases, ncases };
  int st = prog ? run_filtered (prog, child_probe_cases, &set) : -1;

  ok (WIFEXITED (st), "%s: child exited", what);
  is_int (WEXITSTATUS (st), want_bits, "%s: the blocked calls", what);
  husk_seccomp_program_free (prog);
}

static void
test_operators (void)
{
  static const struct probe_case c[] = { { 4, 0 }, { 5, 0 }, { 6, 0 } };
  static const struct { enum oci_seccomp_op op; const char *name; int bits; } ops[] = {
    { OCI_SCMP_CMP_NE, "NE", 0x5 }, { OCI_SCMP_CMP_LT, "LT", 0x1 },
    { OCI_SCMP_CMP_LE, "LE", 0x3 }, { OCI_SCMP_CMP_EQ, "EQ", 0x2 },
    { OCI_SCMP_CMP_GE, "GE", 0x6 }, { OCI_SCMP_CMP_GT, "GT", 0x4 },
  };

  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    {
      struct oci_seccomp_arg a = { .index = 0, .value = 5, .op = ops[i].op };
      check_args (&a, 1, c, 3, ops[i].bits, ops[i].name);
    }
  {
    static const struct probe_case m[] = { { 0x35, 0 }, { 0x45, 0 }, { 0x3f, 0 } };
    struct oci_seccomp_arg a = { .index = 0, .value = 0xf0, .value_two = { true, 0x30 },
                                 .op = OCI_SCMP_CMP_MASKED_EQ };
    check_args (&a, 1, m, 3, 0x5, "MASKED_EQ (mask 0xf0 == 0x30)");
  }
  {
    static const struct probe_case and[] = { { 1, 2 }, { 1, 3 }, { 0, 2 } };
    struct oci_seccomp_arg a[] = { { .index = 0, .value = 1, .op = OCI_SCMP_CMP_EQ },
                                   { .index = 1, .value = 2, .op = OCI_SCMP_CMP_EQ } };
    check_args (a, 2, and, 3, 0x1, "args on different indexes are ANDed");
  }
  {
    static const struct probe_case or[] = { { 1, 0 }, { 2, 0 }, { 3, 0 } };
    struct oci_seccomp_arg a[] = { { .index = 0, .value = 1, .op = OCI_SCMP_CMP_EQ },
                                   { .index = 0, .value = 2, .op = OCI_SCMP_CMP_EQ } };
    check_args (a, 2, or, 3, 0x3, "args on the same index are ORed (runc)");
  }
}

static int
child_personality (void *data)
{
  /* 0xffffffff only queries the persona: it is the call that is blocked. */
  if (personality (0xffffffff) != -1 || errno != EPERM)
    return 1;
  if (personality (PER_LINUX) == -1)
    return 2;
  return 0;
}

static void
test_personality (void)
{
  char *names[] = { "personality", NULL };
  struct oci_seccomp_arg a = { .index = 0, .value = 0xffffffff, .op = OCI_SCMP_CMP_EQ };
  struct oci_seccomp_syscall rule = { .names = names, .names_len = 1,
                                      .action = OCI_SCMP_ACT_ERRNO, .args = &a, .args_len = 1 };
  struct oci_seccomp s = allow_but (&rule, 1);
  struct husk_seccomp_program *prog = compile_ok (&s, "personality(0xffffffff) blocked");
  int st = prog ? run_filtered (prog, child_personality, NULL) : -1;

  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0,
      "personality is blocked only with arg0 == 0xffffffff (status %#x)", st);
  husk_seccomp_program_free (prog);
}

static void
test_unknown_syscall_skipped (void)
{
  char *names[] = { "no_such_syscall_husk", "getppid", NULL };
  struct oci_seccomp_syscall rule = { .names = names, .names_len = 2,
                                      .action = OCI_SCMP_ACT_ERRNO,
                                      .errno_ret = { true, EXDEV } };
  struct oci_seccomp s = allow_but (&rule, 1);
  struct husk_seccomp_program *prog = compile_ok (&s, "a rule naming an unknown syscall");
  const char *const *notes;
  size_t n = 0;
  int st;

  if (prog == NULL)
    return;
  notes = husk_seccomp_program_notes (prog, &n);
  is_int (n, 1, "one debug note");
  is_str (n ? notes[0] : NULL,
          "linux.seccomp.syscalls[0].names[0]: syscall \"no_such_syscall_husk\" unknown to libseccomp: skipped",
          "the note names the syscall");
  st = run_filtered (prog, child_probe_errno, NULL);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == EXDEV, "the known names of the rule still apply");
  ok (!husk_seccomp_program_has_notify (prog), "no notify action");
  husk_seccomp_program_free (prog);
}

static void
test_arch_and_flags (void)
{
  char *arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };
  struct oci_seccomp_syscall rule = { .names = probe_names, .names_len = 1,
                                      .action = OCI_SCMP_ACT_ERRNO,
                                      .errno_ret = { true, EXDEV } };
  struct oci_seccomp s = allow_but (&rule, 1);
  struct husk_seccomp_program *prog;
  int st;

  s.architectures = arches, s.architectures_len = 3;
  s.flags = flags, s.flags_len = 2;
  prog = compile_ok (&s, "x86_64, x86, x32 with LOG and SPEC_ALLOW flags");
  st = prog ? run_filtered (prog, child_probe_errno, NULL) : -1;
  ok (WIFEXITED (st) && WEXITSTATUS (st) == EXDEV, "loads with the flags and works");
  husk_seccomp_program_free (prog);
}

static void
test_arch_skipped (void)
{
  char *arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_MIPS", "SCMP_ARCH_VAX", NULL };
  struct oci_seccomp s = allow_but (NULL, 0);
  struct husk_seccomp_program *prog;
  const char *const *notes;
  size_t n = 0;

  s.architectures = arches, s.architectures_len = 3;
  prog = compile_ok (&s, "arches of the other byte order or unknown to libseccomp");
  if (prog == NULL)
    return;
  notes = husk_seccomp_program_notes (prog, &n);
  is_int (n, 2, "two notes");
  is_str (n > 0 ? notes[0] : NULL,
          "linux.seccomp.architectures[1]: \"SCMP_ARCH_MIPS\" has the other byte order: skipped",
          "a big-endian arch is skipped");
  is_str (n > 1 ? notes[1] : NULL,
          "linux.seccomp.architectures[2]: \"SCMP_ARCH_VAX\" unknown to libseccomp: skipped",
          "an arch unknown to libseccomp is skipped");
  husk_seccomp_program_free (prog);
}

static void
test_errors (void)
{
  char *bad_arch[] = { "SCMP_ARCH_X86_64", "x86_64", NULL };
  char *bad_flag[] = { "SECCOMP_FILTER_FLAG_FOO", NULL };
  struct oci_seccomp_arg idx = { .index = 6, .op = OCI_SCMP_CMP_EQ };
  struct oci_seccomp_syscall r[2] = {
    { .names = probe_names, .names_len = 1, .action = OCI_SCMP_ACT_ERRNO },
    { .names = probe_names, .names_len = 1, .action = OCI_SCMP_ACT_ERRNO, .args = &idx,
      .args_len = 1 },
  };
  struct oci_seccomp s = allow_but (r, 2);
  char *write_names[] = { "write", NULL };
  struct oci_seccomp_syscall notify_rule = { .names = probe_names, .names_len = 1,
                                             .action = OCI_SCMP_ACT_NOTIFY };

  compile_fails (&s, "linux.seccomp.syscalls[1].args[0].index: 6 is out of range (0-5)",
                 "arg index 6");
  s = allow_but (r, 1);
  s.architectures = bad_arch, s.architectures_len = 2;
  compile_fails (&s, "linux.seccomp.architectures[1]: unknown architecture \"x86_64\"",
                 "an arch not named SCMP_ARCH_*");
  s = allow_but (r, 1);
  s.flags = bad_flag, s.flags_len = 1;
  compile_fails (&s, "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"",
                 "unknown flag");
  s = allow_but (&notify_rule, 1);
  compile_fails (&s, "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used",
                 "notify without listenerPath");
  s.listener_path = "/run/agent.sock";
  notify_rule.names = write_names;
  compile_fails (&s, "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for \"write\"",
                 "notify on write");
  s = allow_but (NULL, 0);
  s.default_action = OCI_SCMP_ACT_NOTIFY;
  compile_fails (&s, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
                 "notify as default");
  r[0].errno_ret = (oci_opt_u64) { true, 70000 };
  s = allow_but (r, 1);
  compile_fails (&s, "linux.seccomp.syscalls[0].errnoRet: 70000 is out of range (max 65535)",
                 "errnoRet too large");
  s = allow_but (NULL, 0);
  s.default_action = OCI_SCMP_ACT_ERRNO;
  s.default_errno_ret = (oci_opt_u64) { true, 65536 };
  compile_fails (&s, "linux.seccomp.defaultErrnoRet: 65536 is out of range (max 65535)",
                 "defaultErrnoRet too large");
}

static int
child_big_profile (void *data)
{
  if (getpid () <= 0)
    return 1;
  return probe_errno (0, 0) == EPERM ? 0 : 2;
}

/* A default-deny profile the size of Docker's (every syscall libseccomp
 * knows but one, three arches) still fits the kernel's 4096 instructions. */
static void
test_big_profile (void)
{
  static char *names[1024];
  char *arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
  struct oci_seccomp_syscall rule = { .names = names, .action = OCI_SCMP_ACT_ALLOW };
  struct oci_seccomp s = { .default_action = OCI_SCMP_ACT_ERRNO, .syscalls = &rule,
                           .syscalls_len = 1, .architectures = arches, .architectures_len = 3 };
  struct husk_seccomp_program *prog;
  int st;

  for (int nr = 0; nr < 1000 && rule.names_len < 1023; nr++)
    {
      char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_NATIVE, nr);
      if (name && strcmp (name, "getppid") != 0)
        names[rule.names_len++] = name;
      else
        free (name);
    }
  ok (rule.names_len > 300, "%zu syscall names", rule.names_len);
  prog = compile_ok (&s, "a default-deny profile allowing every other syscall");
  st = prog ? run_filtered (prog, child_big_profile, NULL) : -1;
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "allowed calls work, the rest get EPERM (status %#x)", st);
  husk_seccomp_program_free (prog);
  for (size_t i = 0; i < rule.names_len; i++)
    free (names[i]);
}

int
main (void)
{
  test_actions ();
  test_default_errno_ret ();
  test_operators ();
  test_personality ();
  test_unknown_syscall_skipped ();
  test_arch_and_flags ();
  test_arch_skipped ();
  test_errors ();
  test_big_profile ();
  return tap_done ();
}
