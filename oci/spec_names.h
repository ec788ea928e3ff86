/* The words of the runtime-spec that husk knows, one table each, shared by
 * the parser, the validation table and features.json so the three cannot
 * disagree.  Each list is NULL terminated. */
#ifndef HUSK_OCI_SPEC_NAMES_H
#define HUSK_OCI_SPEC_NAMES_H

#include <stdbool.h>

extern const char *const oci_names_seccomp_archs[];   /* SCMP_ARCH_* */
extern const char *const oci_names_seccomp_flags[];   /* known SECCOMP_FILTER_FLAG_* */
extern const char *const oci_names_seccomp_flags_supported[];
extern const char *const oci_names_mount_options[];   /* runc's option words */
extern const char *const oci_names_hooks[];           /* prestart, createRuntime, ... */
extern const char *const oci_names_sched_policies[];  /* SCHED_* */
extern const char *const oci_names_sched_flags[];     /* SCHED_FLAG_* */
extern const char *const oci_names_ioprio_classes[];  /* IOPRIO_CLASS_* */
extern const char *const oci_names_personality_domains[];
extern const char *const oci_names_personality_flags[];
extern const char *const oci_names_rootfs_propagation[];

bool oci_name_in (const char *const *list, const char *name);

/* The RLIMIT_* names with the resource number setrlimit(2) takes; the
 * table ends with a NULL name. */
struct oci_rlimit_name {
  const char *name;
  int resource;
};
extern const struct oci_rlimit_name oci_rlimit_names[];

/* The resource number of an RLIMIT_* name; -1 when unknown. */
int oci_rlimit_from_name (const char *name);

/* The capabilities Linux has ("CAP_CHOWN" is 0), indexed by number; a
 * table of our own rather than libcap's, whose start-up probes the kernel
 * (six prctl calls in every start of every husk command).  Names compare
 * case-insensitively, as runc's do. */
#define OCI_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE, Linux 5.9 */
extern const char *const oci_names_capabilities[OCI_CAP_LAST + 2]; /* NULL terminated */
/* The number of a "CAP_*" name; -1 when unknown. */
int oci_capability_from_name (const char *name);

#endif
