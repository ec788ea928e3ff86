/* linux.seccomp for a container whose seccompProfile is RuntimeDefault
 * (Unconfined and none write nothing, Localhost the profile as it is:
 * pod_config.c).
 *
 * The default is moby's (containerd's) profile in its deny form: every
 * syscall allowed but those moby leaves out of its allow list, each group
 * allowed again when the container holds the capability moby ties it to.
 * What matters to a container is the same: sethostname with CAP_SYS_ADMIN
 * works, mount, kexec, keyctl, ... fail with EPERM without it. */
#include "pod_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "../../oci/json_writer.h"

struct blocked {
  const char *cap; /* NULL: always blocked */
  const char *const *names;
};

static const struct blocked default_blocked[] = {
  { NULL, (const char *const[]) { "add_key", "create_module", "get_kernel_syms", "kexec_file_load",
                                  "kexec_load", "keyctl", "move_pages", "nfsservctl",
                                  "open_by_handle_at", "query_module", "request_key", "swapoff",
                                  "swapon", "sysfs", "_sysctl", "uselib", "userfaultfd", "ustat",
                                  NULL } },
  { "CAP_SYS_ADMIN",
    (const char *const[]) { "bpf", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                            "lookup_dcookie", "mount", "mount_setattr", "move_mount",
                            "name_to_handle_at", "open_tree", "perf_event_open", "pivot_root",
                            "quotactl", "setdomainname", "sethostname", "setns", "umount2",
                            "unshare", NULL } },
  { "CAP_SYS_BOOT", (const char *const[]) { "reboot", NULL } },
  { "CAP_SYS_MODULE", (const char *const[]) { "delete_module", "finit_module", "init_module", NULL } },
  { "CAP_SYS_PACCT", (const char *const[]) { "acct", NULL } },
  { "CAP_SYS_PTRACE", (const char *const[]) { "kcmp", "process_vm_readv", "process_vm_writev", NULL } },
  { "CAP_SYS_RAWIO", (const char *const[]) { "ioperm", "iopl", NULL } },
  { "CAP_SYS_TIME", (const char *const[]) { "clock_adjtime", "clock_settime", "settimeofday", NULL } },
  { "CAP_SYS_TTY_CONFIG", (const char *const[]) { "vhangup", NULL } },
  { "CAP_SYS_NICE", (const char *const[]) { "get_mempolicy", "mbind", "set_mempolicy", NULL } },
  { "CAP_SYSLOG", (const char *const[]) { "syslog", NULL } },
};

void
pod_seccomp_write_default (struct jw *w, const struct pod_security_context *sc)
{
  jw_key (w, "seccomp");
  jw_open (w);
  jw_key_string (w, "defaultAction", "SCMP_ACT_ALLOW");
  jw_key_strv (w, "architectures",
               (const char *const[]) { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                                       NULL });
  jw_key (w, "syscalls");
  jw_array_open (w);
  for (size_t i = 0; i < sizeof default_blocked / sizeof default_blocked[0]; i++)
    {
      const struct blocked *b = &default_blocked[i];
      if (b->cap && pod_config_has_cap (sc, b->cap))
        continue;
      jw_open (w);
      jw_key_strv (w, "names", b->names);
      jw_key_string (w, "action", "SCMP_ACT_ERRNO");
      jw_key_int (w, "errnoRet", EPERM);
      jw_close (w);
    }
  jw_array_close (w);
  jw_close (w);
}
