/* linux.seccomp of a pod's container, from the CRI's seccomp profile:
 * "unconfined" (and no profile at all: Kubernetes' default is Unconfined)
 * writes none, "localhost/<path>" the profile file as it is, and
 * "runtime/default" the runtime's default.
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

static void
write_default (struct jw *w, const struct pod_security_context *sc)
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

static void
write_tree (struct jw *w, yajl_val v)
{
  if (YAJL_IS_OBJECT (v))
    {
      jw_open (w);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          jw_key (w, v->u.object.keys[i]);
          write_tree (w, v->u.object.values[i]);
        }
      jw_close (w);
    }
  else if (YAJL_IS_ARRAY (v))
    {
      jw_array_open (w);
      for (size_t i = 0; i < v->u.array.len; i++)
        write_tree (w, v->u.array.values[i]);
      jw_array_close (w);
    }
  else if (YAJL_IS_STRING (v))
    jw_string (w, YAJL_GET_STRING (v));
  else if (YAJL_IS_INTEGER (v))
    yajl_gen_integer (w->g, YAJL_GET_INTEGER (v));
  else if (YAJL_IS_NUMBER (v))
    yajl_gen_number (w->g, YAJL_GET_NUMBER (v), strlen (YAJL_GET_NUMBER (v)));
  else if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    yajl_gen_bool (w->g, YAJL_IS_TRUE (v));
  else
    yajl_gen_null (w->g);
}

static int
write_localhost (struct jw *w, const char *path, struct husk_error **err)
{
  cleanup_free char *data = NULL;
  cleanup_json yajl_val root = NULL;
  size_t len;

  if (json_doc_read_file (path, &data, &len, err) < 0
      || json_doc_parse (path, data, len, &root, err) < 0)
    return husk_error_wrap (err, "seccomp profile");
  if (!YAJL_IS_OBJECT (root))
    return husk_error_set (err, EINVAL, "seccomp profile `%s`: not a JSON object", path);
  jw_key (w, "seccomp");
  write_tree (w, root);
  return 0;
}

int
pod_seccomp_write (struct jw *w, const struct pod_container *c, struct husk_error **err)
{
  const char *p = c->cri.seccomp;

  if (p == NULL || strcmp (p, "unconfined") == 0)
    return 0;
  if (strcmp (p, "runtime/default") == 0)
    {
      write_default (w, &c->security_context);
      return 0;
    }
  return write_localhost (w, p + strlen ("localhost/"), err);
}
