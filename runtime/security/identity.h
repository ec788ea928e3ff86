/* The container process's identity: capability sets, uid/gid, groups, umask.
 *
 * Parent side (before clone) validates the capability names so a typo fails
 * `create` with the JSON path; child side applies them with capset/prctl. */
#ifndef HUSK_SECURITY_IDENTITY_H
#define HUSK_SECURITY_IDENTITY_H

#include <stdint.h>

#include "../../oci/config.h"
#include "../../oci/error.h"

/* In the container's init or exec'd process, as root (in its user ns), after
 * rootfs setup: drops the bounding set, sets PR_SET_KEEPCAPS,
 * setgroups(additionalGids)/setresgid/setresuid to process->user, then the
 * effective/permitted/inheritable sets and the ambient set, and the umask.
 * Capabilities the running kernel does not know are skipped (as runc does).
 * setgroups is skipped when the user namespace denies it
 * (/proc/self/setgroups = deny) and no additionalGids are asked for.
 * process->capabilities == NULL means: no capabilities at all. */
int husk_identity_apply (const struct oci_process *process, struct husk_error **err);

/* husk_identity_apply in two halves, so that a seccomp filter loaded
 * without no_new_privs can come after all of the runtime's own work:
 * switch = bounding set, user, groups, umask, and the permitted set made
 * effective (CAP_SYS_ADMIN for the filter); set_caps = the configured
 * effective/permitted/inheritable and ambient sets, the last step. */
struct husk_cap_sets {
  uint64_t bounding, effective, permitted, inheritable, ambient;
  int last_cap;
};
int husk_identity_switch (const struct oci_process *process, struct husk_cap_sets *sets,
                          struct husk_error **err);
int husk_identity_set_caps (const struct husk_cap_sets *sets, struct husk_error **err);

/* Parent side, before clone: NULL when every name is known, else the
 * warning to log (malloc'd), `ignoring unknown capabilities:
 * <json_path>.bounding[3] "CAP_FOO", ...`; the identity change leaves them
 * out.  json_path is e.g. "process.capabilities"; caps may be NULL. */
char *husk_caps_unknown (const struct oci_capabilities *caps, const char *json_path);

/* Parses a capability name ("CAP_NET_ADMIN", case-insensitive like runc) to
 * its number; -1 when unknown (oci_names_capabilities). */
int husk_cap_from_name (const char *name);

#endif
