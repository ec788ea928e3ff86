/* Namespaces of a container: which to create (clone flags), which to join
 * (fds opened by the parent, so a bad path fails create before any fork),
 * uid/gid maps written by the parent, and time namespace offsets. */
#ifndef HUSK_RUNTIME_NAMESPACES_H
#define HUSK_RUNTIME_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "../oci/config.h"
#include "../oci/error.h"

struct husk_ns_plan {
  int clone_flags;             /* CLONE_NEW* to create, CLONE_NEWTIME excluded */
  bool create_time;            /* unshare(CLONE_NEWTIME): never a clone() flag */
  int join_fds[OCI_NS__COUNT]; /* -1 unless joined by path */
  bool any_join;
  bool children_joined; /* pid namespace joined by the caller: no stage1 */
};

int husk_ns_clone_flag (enum oci_namespace_type type);

/* Nothing to create or join: what a plan is before husk_ns_plan_init or
 * _from_pid, so that husk_ns_plan_clear on an early failure closes no fd
 * of the caller's (a zeroed plan names fds 0 to 7). */
void husk_ns_plan_reset (struct husk_ns_plan *plan);

/* Reads linux.namespaces; opens the paths to join. */
int husk_ns_plan_init (const struct oci_config *config, struct husk_ns_plan *plan,
                       struct husk_error **err);
void husk_ns_plan_clear (struct husk_ns_plan *plan);

/* Opens /proc/<pid>/ns/<name> for every namespace `pid` does not share
 * with us (exec joins the container's namespaces); `config` (the
 * container's, or NULL) says which it made itself, which need no
 * comparison. */
int husk_ns_plan_from_pid (pid_t pid, const struct oci_config *config, struct husk_ns_plan *plan,
                           struct husk_error **err);

/* Child: setns() every join fd, the user namespace first (as runc does: the
 * other namespaces may be owned by it), then closes them. */
int husk_ns_join (struct husk_ns_plan *plan, struct husk_error **err);

/* Parent of an exec: joins the pid namespace for its children only
 * (setns(CLONE_NEWPID) moves nothing but the next fork), so that the exec
 * process is forked straight into it and needs no stage1 fork and exit.
 * Only where nothing else needs a stage1: no user namespace to join first
 * (an unprivileged caller could not join from outside it), no time
 * namespace.  Returns an fd of our own pid namespace, for
 * husk_ns_restore_children right after the fork (no later fork of ours,
 * LeakSanitizer's tracer included, may land in the container), or -1 when
 * it did not join (the plan is then as it was). */
int husk_ns_join_for_children (struct husk_ns_plan *plan);
int husk_ns_restore_children (int *own_fd, struct husk_error **err);

/* Parent: /proc/<pid>/uid_map and gid_map from linux.uidMappings/gidMappings. */
int husk_ns_write_id_maps (pid_t pid, const struct oci_linux *linux_, struct husk_error **err);

/* Child, after unshare(CLONE_NEWTIME) and before any process enters it. */
int husk_ns_write_time_offsets (const struct oci_time_offsets *offsets, struct husk_error **err);

/* Child, in the network namespace it created: `lo` up (loopback.c). */
int husk_ns_loopback_up (struct husk_error **err);

#endif
