#include "spec_names.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "config.h"

/* Indexed by enum oci_namespace_type. */
static const char *const namespace_names[OCI_NS__COUNT] = {
  [OCI_NS_PID] = "pid",       [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
  [OCI_NS_IPC] = "ipc",       [OCI_NS_UTS] = "uts",         [OCI_NS_USER] = "user",
  [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

static const char *const action_names[] = {
  [OCI_SCMP_ACT_KILL] = "SCMP_ACT_KILL",
  [OCI_SCMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
  [OCI_SCMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
  [OCI_SCMP_ACT_TRAP] = "SCMP_ACT_TRAP",
  [OCI_SCMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
  [OCI_SCMP_ACT_TRACE] = "SCMP_ACT_TRACE",
  [OCI_SCMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
  [OCI_SCMP_ACT_LOG] = "SCMP_ACT_LOG",
  [OCI_SCMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const op_names[] = {
  [OCI_SCMP_CMP_NE] = "SCMP_CMP_NE", [OCI_SCMP_CMP_LT] = "SCMP_CMP_LT",
  [OCI_SCMP_CMP_LE] = "SCMP_CMP_LE", [OCI_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
  [OCI_SCMP_CMP_GE] = "SCMP_CMP_GE", [OCI_SCMP_CMP_GT] = "SCMP_CMP_GT",
  [OCI_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

#define N_ELEMS(a) (sizeof (a) / sizeof ((a)[0]))

static int
index_of (const char *const *names, size_t n, const char *name)
{
  if (name == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (names[i] && strcmp (names[i], name) == 0)
      return (int) i;
  return -1;
}

static const char *
name_at (const char *const *names, size_t n, int i)
{
  return i >= 0 && (size_t) i < n ? names[i] : NULL;
}

const char *
oci_namespace_type_name (enum oci_namespace_type type)
{
  return name_at (namespace_names, N_ELEMS (namespace_names), (int) type);
}

int
oci_namespace_type_from_name (const char *name)
{
  return index_of (namespace_names, N_ELEMS (namespace_names), name);
}

const char *
oci_seccomp_action_name (enum oci_seccomp_action action)
{
  return name_at (action_names, N_ELEMS (action_names), (int) action);
}

int
oci_seccomp_action_from_name (const char *name)
{
  return index_of (action_names, N_ELEMS (action_names), name);
}

const char *
oci_seccomp_op_name (enum oci_seccomp_op op)
{
  return name_at (op_names, N_ELEMS (op_names), (int) op);
}

int
oci_seccomp_op_from_name (const char *name)
{
  return index_of (op_names, N_ELEMS (op_names), name);
}

bool
oci_name_in (const char *const *list, const char *name)
{
  if (name == NULL)
    return false;
  for (; *list; list++)
    if (strcmp (*list, name) == 0)
      return true;
  return false;
}

/* The architectures the runtime-spec names (1.2). */
const char *const oci_names_seccomp_archs[] = {
  "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
  NULL,
};

const char *const oci_names_seccomp_flags[] = {
  "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL,
};

/* WAIT_KILLABLE_RECV needs libseccomp 2.6 and Linux 5.19; Debian 12 has
 * libseccomp 2.5. */
const char *const oci_names_seccomp_flags_supported[] = {
  "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  NULL,
};

/* One table for validation and the runtime, so every name the one accepts
 * the other can apply. */
const struct oci_rlimit_name oci_rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
  { NULL, -1 },
};

const char *const oci_names_capabilities[OCI_CAP_LAST + 2] = {
  "CAP_CHOWN",          "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
  "CAP_FSETID",         "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
  "CAP_SETPCAP",        "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",      "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",     "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",      "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",   "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
  "CAP_LEASE",          "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",   "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE", NULL,
};

int
oci_capability_from_name (const char *name)
{
  for (int i = 0; name && i <= OCI_CAP_LAST; i++)
    if (strcasecmp (oci_names_capabilities[i], name) == 0)
      return i;
  return -1;
}

int
oci_rlimit_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (const struct oci_rlimit_name *r = oci_rlimit_names; r->name; r++)
    if (strcmp (r->name, name) == 0)
      return r->resource;
  return -1;
}

/* The option words runc's `features` lists, sorted as it prints them. */
const char *const oci_names_mount_options[] = {
  "acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
  "iversion", "lazytime", "loud", "mand", "noacl", "noatime", "nodev", "nodiratime",
  "noexec", "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
  "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount",
  "rexec", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime",
  "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared",
  "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent",
  "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable",
  NULL,
};

const char *const oci_names_hooks[] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
  NULL,
};

const char *const oci_names_sched_policies[] = {
  "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE",
  "SCHED_DEADLINE", NULL,
};

const char *const oci_names_sched_flags[] = {
  "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
  "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
  "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

const char *const oci_names_ioprio_classes[] = {
  "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL,
};

const char *const oci_names_personality_domains[] = { "LINUX", "LINUX32", NULL };

/* The spec defines no personality flags yet. */
const char *const oci_names_personality_flags[] = { NULL };

const char *const oci_names_rootfs_propagation[] = {
  "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable",
  NULL,
};
