/* The sealed re-exec (security/exe_seal.h) before glibc starts.
 *
 * `create`, `run` and `exec` re-execute themselves from a read-only
 * overlayfs copy of the binary (CVE-2019-5736).  The first image did
 * nothing else, yet paid a whole start of glibc: on a VM, its
 * init_cpu_features and cache probing ask `cpuid` over a hundred times and
 * each one traps to the hypervisor (0.9 ms of CPU per start on the
 * benchmark machine, against 0.04 ms for a program without libc).  So the
 * release binary's ELF entry point is husk_entry below: it makes the same
 * sealed overlay with raw syscalls and execveat()s it, and only jumps on to
 * glibc's _start when there is nothing to do or when anything fails; main()
 * then does what it always did (husk_exe_seal: the overlay again, the
 * sealed memfd where overlayfs is refused, HUSK_EXE_SEAL=0, a read-only or
 * memfd binary), so this is a fast path of the same protection, never a
 * second policy.
 *
 * It runs before the static-pie relocates itself, before TLS and before the
 * IRELATIVE (ifunc) relocations: so no libc call, no stack protector
 * (fs:0x28 is not set up), no initialised pointer in static data (it would
 * need a relocation), and the compiler is kept from turning loops into
 * memcpy/strlen calls (meson.build: -ffreestanding, no loop patterns). */
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stddef.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#if defined(__x86_64__)

/* the kernel's entry state: %rsp at argc; %rdx (rtld_fini) is passed on */
__asm__ (".text\n"
         ".globl husk_entry\n"
         ".type husk_entry,@function\n"
         "husk_entry:\n"
         "  mov %rsp, %r12\n"
         "  mov %rdx, %r13\n"
         "  mov %rsp, %rdi\n"
         "  and $-16, %rsp\n"
         "  call husk_entry_seal\n"
         "  mov %r12, %rsp\n"
         "  mov %r13, %rdx\n"
         "  jmp _start\n"
         ".size husk_entry, .-husk_entry\n");

void husk_entry_seal (long *sp);

static long
sys6 (long nr, long a, long b, long c, long d, long e, long f)
{
  long ret;
  register long r10 __asm__ ("r10") = d;
  register long r8 __asm__ ("r8") = e;
  register long r9 __asm__ ("r9") = f;

  __asm__ volatile ("syscall"
                    : "=a"(ret)
                    : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                    : "rcx", "r11", "memory");
  return ret;
}

#define SYS(nr, a, b, c, d, e) sys6 (nr, (long) (a), (long) (b), (long) (c), (long) (d), (long) (e), 0)

static int
equal (const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

/* "NAME=..." in the environment with this NAME= prefix */
static const char *
env_value (char **envp, const char *prefix)
{
  for (; *envp; envp++)
    {
      const char *e = *envp, *p = prefix;
      while (*p && *p == *e)
        p++, e++;
      if (*p == '\0')
        return e;
    }
  return NULL;
}

/* The verb as main() finds it (getopt_long "+hv" over the global
 * options): the first word not an option, skipping the value of those that
 * take one.  An abbreviated or unknown option makes a wrong guess at worst,
 * which only means main() seals (or not) as it always did. */
static const char *
verb (char **argv)
{
  for (argv++; *argv; argv++)
    {
      const char *a = *argv;
      if (a[0] != '-')
        return a;
      if (equal (a, "--"))
        return argv[1];
      if (equal (a, "--root") || equal (a, "--log") || equal (a, "--log-format")
          || equal (a, "--criu"))
        if (*++argv == NULL)
          return NULL;
    }
  return NULL;
}

static int
entering (const char *v)
{
  return v && (equal (v, "create") || equal (v, "run") || equal (v, "exec"));
}

/* lowerdir: the binary's directory (':' and '\' escaped for overlayfs)
 * over /dev, as sealed_overlay in security/exe_seal.c */
static int
lowerdir (const char *exe, const char *slash, char *out, size_t size)
{
  size_t j = 0;

  for (const char *c = exe; c < slash; c++)
    {
      if (j + 8 > size)
        return -1;
      if (*c == ':' || *c == '\\')
        out[j++] = '\\';
      out[j++] = *c;
    }
  for (const char *c = ":/dev"; *c; c++)
    out[j++] = *c;
  out[j] = '\0';
  return 0;
}

static int
starts_with (const char *s, const char *prefix)
{
  while (*prefix && *prefix == *s)
    prefix++, s++;
  return *prefix == '\0';
}

/* the read-only overlay, mounted nowhere (sealed_overlay in
 * security/exe_seal.c); *ctx is left to the exec's close-on-exec */
static long
overlay_mount (const char *lower, long *ctx_out)
{
  long ctx = SYS (SYS_fsopen, "overlay", FSOPEN_CLOEXEC, 0, 0, 0);
  long mnt = -1;

  if (ctx < 0)
    return -1;
  *ctx_out = ctx;
  if (SYS (SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "lowerdir", lower, 0) == 0)
    {
      /* xino may be turned on by itself across filesystems, with dmesg noise */
      SYS (SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "xino", "off", 0);
      if (SYS (SYS_fsconfig, ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
        mnt = SYS (SYS_fsmount, ctx, FSMOUNT_CLOEXEC,
                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, 0, 0);
    }
  if (mnt < 0)
    SYS (SYS_close, ctx, 0, 0, 0, 0);
  return mnt;
}

/* execveat of the sealed copy with _HUSK_EXE_SEALED=1 added, what
 * husk_exe_seal sets (main() of the new image takes it out again) */
static void
exec_sealed (long fd, char **argv, char **envp)
{
  size_t envc = 0;

  while (envp[envc])
    envc++;
  char *env[envc + 2];
  for (size_t i = 0; i < envc; i++)
    env[i] = envp[i];
  env[envc] = (char *) "_HUSK_EXE_SEALED=1";
  env[envc + 1] = NULL;
  SYS (SYS_execveat, fd, "", argv, env, AT_EMPTY_PATH);
}

static void
seal_and_exec (char **argv, char **envp)
{
  char exe[PATH_MAX], lower[2 * PATH_MAX + 8];
  const char *slash = NULL;
  struct statfs sf;
  long n, mnt, fd, ctx = -1;

  n = SYS (SYS_readlink, "/proc/self/exe", exe, sizeof exe - 1, 0, 0);
  if (n <= 0)
    return;
  exe[n] = '\0';
  /* a memfd (its seals) and a read-only mount: main()'s already_sealed */
  if (exe[0] != '/' || starts_with (exe, "/memfd:"))
    return;
  if (SYS (SYS_statfs, "/proc/self/exe", &sf, 0, 0, 0) < 0 || (sf.f_flags & ST_RDONLY))
    return;
  for (const char *c = exe; *c; c++)
    if (*c == '/')
      slash = c;
  if (slash == exe || lowerdir (exe, slash, lower, sizeof lower) < 0)
    return;
  mnt = overlay_mount (lower, &ctx);
  if (mnt < 0)
    return;
  fd = SYS (SYS_openat, mnt, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, 0);
  if (fd >= 0)
    {
      exec_sealed (fd, argv, envp);
      SYS (SYS_close, fd, 0, 0, 0, 0);
    }
  /* failed: main() tries again and reports */
  SYS (SYS_close, mnt, 0, 0, 0, 0);
  SYS (SYS_close, ctx, 0, 0, 0, 0);
}

void
husk_entry_seal (long *sp)
{
  long argc = sp[0];
  char **argv = (char **) (sp + 1);
  char **envp = argv + argc + 1;
  const char *knob = env_value (envp, "HUSK_EXE_SEAL=");

  if (env_value (envp, "_HUSK_EXE_SEALED=") || (knob && equal (knob, "0")))
    return;
  if (argc < 2 || !entering (verb (argv)))
    return;
  seal_and_exec (argv, envp);
}

#endif
