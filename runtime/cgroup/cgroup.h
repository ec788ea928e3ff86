/* Cgroups for husk: v1 and v2 behind one interface.
 *
 * The cgroup mode is detected once per process (husk_cgroup_mode): when
 * /sys/fs/cgroup is itself a cgroup2 mount the machine is "unified" (v2);
 * otherwise it is v1, including the hybrid layout where an empty cgroup2 sits
 * at /sys/fs/cgroup/unified.  Each handle carries the table of operations of
 * its mode, so no caller (and no function here) branches on the version.
 *
 * Paths follow runc's cgroupfs driver:
 *  - linux.cgroupsPath absolute ("/a/b"): relative to each hierarchy's root;
 *  - relative ("a/b"): under the caller's own cgroup (v1: the caller's cgroup
 *    in each hierarchy; v2: the parent of the caller's cgroup, because the
 *    caller's own cgroup has processes and so cannot delegate controllers);
 *  - absent (NULL or ""): the container id, relative as above;
 *  - "slice:prefix:name" (the systemd driver's form) is refused here: it
 *    is husk_cgroup_create_systemd's.
 * Paths are cleaned lexically like runc's CleanPath: ".." cannot climb above
 * the root they are relative to.
 */
#ifndef HUSK_RUNTIME_CGROUP_H
#define HUSK_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../oci/config.h"
#include "../../oci/error.h"

#define HUSK_CGROUP_ROOT "/sys/fs/cgroup"
/* Where a hybrid host mounts its cgroup2 tree (no controllers in it). */
#define HUSK_CGROUP_UNIFIED HUSK_CGROUP_ROOT "/unified"

enum husk_cgroup_mode {
  HUSK_CGROUP_V1 = 1, /* legacy or hybrid */
  HUSK_CGROUP_V2 = 2, /* unified */
};

struct husk_cgroup;

/* The mode of this machine, detected on first call (statfs of
 * /sys/fs/cgroup).  Returns < 0 with *err set when /sys/fs/cgroup is neither
 * a cgroup2 mount nor a directory of v1 hierarchies. */
int husk_cgroup_mode (enum husk_cgroup_mode *mode, struct husk_error **err);

/* Makes (or joins, when it already exists) the container's cgroup and
 * applies every resource of linux.resources (`resources` may be NULL).
 * `cgroups_path` is linux.cgroupsPath (may be NULL), `id` the container id.
 * A failure removes the directories this call made. */
int husk_cgroup_create (const char *cgroups_path, const char *id,
                        const struct oci_resources *resources, struct husk_cgroup **out,
                        struct husk_error **err);

/* The systemd driver (--systemd-cgroup): the cgroup is a transient scope
 * (or slice) unit of systemd's.  `cgroups_path` is "slice:prefix:name"
 * (NULL or "": ":husk:<id>"; see systemd/unit_name.h).  This only checks
 * the names and connects to systemd (a clear error naming the bus when
 * there is none); the unit starts at the first husk_cgroup_enter or enter_rest, with
 * that pid as its process, and `resources` (which must live until then)
 * are set as unit properties and written through the cgroup files.
 * husk_cgroup_path() is then the "slice:prefix:name" that
 * husk_cgroup_open takes back; update also sets the unit's properties,
 * destroy stops the unit and resets it if it failed. */
int husk_cgroup_create_systemd (const char *cgroups_path, const char *id,
                                const struct oci_resources *resources,
                                struct husk_cgroup **out, struct husk_error **err);

/* Starts the unit of a systemd handle with no process in it (a slice
 * that will hold other units: a pod's); nothing for a cgroupfs handle,
 * which husk_cgroup_create made already. */
int husk_cgroup_start (struct husk_cgroup *cg, struct husk_error **err);

/* Whether this build has the systemd driver (libsystemd's sd-bus). */
bool husk_cgroup_systemd_built (void);

/* True when husk_cgroup_create made the cgroup's own directory (where its
 * processes are listed): then it cannot hold any process yet. */
bool husk_cgroup_made (const struct husk_cgroup *cg);

/* Opens an existing cgroup from the string husk_cgroup_path() returned
 * (kept in the container's state): for `kill --all`, `pause`, `events`,
 * `update`, `delete`.  Fails with ENOENT when the cgroup is gone.  A
 * relative `path` ("a/b") resolves against the caller's cgroup exactly as
 * husk_cgroup_create resolves it: one resolution, used both ways. */
int husk_cgroup_open (const char *path, struct husk_cgroup **out, struct husk_error **err);

/* The directories (one per v1 hierarchy, or the v2 one) that `path` names,
 * resolved as husk_cgroup_create resolves it, whether they exist or not: a
 * NULL-terminated array the caller frees (each string and the array). */
int husk_cgroup_dirs (const char *path, char ***dirs, struct husk_error **err);

/* The string to keep in the state and give back to husk_cgroup_open.  It is
 * the cgroup's path below the hierarchy root ("/user.slice/c1"), which is
 * also what /proc/<pid>/cgroup shows.  On v1, when a relative path resolved
 * to different places in different hierarchies, it is a ';'-separated list
 * of "controllers=path" items ("memory=/a/c1;cpu=/c1;..."). */
const char *husk_cgroup_path (const struct husk_cgroup *cg);

/* The directory of the cgroup: on v2 the cgroup itself, on v1 the cgroup in
 * the `controller` hierarchy ("memory", "name=systemd"), NULL if that
 * hierarchy is not used (or `controller` is NULL).  `controller` is
 * ignored on v2. */
const char *husk_cgroup_dir (const struct husk_cgroup *cg, const char *controller);

/* Moves `pid` (its whole thread group) into the cgroup in every hierarchy. */
int husk_cgroup_enter (struct husk_cgroup *cg, pid_t pid, struct husk_error **err);
/* Entering without the threadgroup lock.  A write of another process's pid
 * to cgroup.procs takes the kernel's cgroup_threadgroup_rwsem for writing,
 * and that waits for an RCU grace period: 5-15 ms on a 2-core machine,
 * more than all the rest of a `run`.  A thread that moves itself (v1: "0"
 * into `tasks`) and a child started inside the cgroup (v2: clone3 with
 * CLONE_INTO_CGROUP) do not take it.  So the parent opens the v1 `tasks`
 * files before the clone (husk_cgroup_join_fds: up to `cap` fds, *len 0
 * when the child cannot join by itself), the child, still single-threaded,
 * writes "0" into each (husk_cgroup_join_self), and the parent moves the
 * pid only where neither covered it (husk_cgroup_enter_rest: `self_joined`
 * when the child did, `into_cgroup` when clone3 started it in
 * husk_cgroup_dirfd). */
int husk_cgroup_join_fds (struct husk_cgroup *cg, int *fds, size_t cap, size_t *len,
                          struct husk_error **err);
int husk_cgroup_join_self (const int *fds, size_t len, struct husk_error **err);
int husk_cgroup_enter_rest (struct husk_cgroup *cg, pid_t pid, bool self_joined, bool into_cgroup,
                            struct husk_error **err);
/* `exec --cgroup`: moves `pid` on into sub-cgroups of the cgroup, each
 * "path" (every hierarchy) or "ctrl[,ctrl]:path" (v1: those controllers'
 * hierarchies).  ".." is refused; a missing sub-cgroup is ENOENT. */
int husk_cgroup_enter_sub (struct husk_cgroup *cg, const char *const *subs, size_t len,
                           pid_t pid, struct husk_error **err);

/* Removes the cgroup in every hierarchy; processes still inside are killed
 * first (cgroup.kill on v2 when available).  EBUSY while dying processes
 * leave is retried for a short while.  A cgroup already gone is fine. */
int husk_cgroup_destroy (struct husk_cgroup *cg, struct husk_error **err);

/* Frees the handle only; the cgroup stays (NULL safe). */
void husk_cgroup_free (struct husk_cgroup *cg);

/* Sends `signal` to every process of the cgroup.  With SIGKILL on v2 it
 * uses cgroup.kill when the kernel has it; otherwise the cgroup is frozen
 * while the signals are sent so nothing forks away, then thawed. */
int husk_cgroup_kill_all (struct husk_cgroup *cg, int signal, struct husk_error **err);

/* The processes (thread group ids) in the cgroup and its descendants;
 * *pids is malloc'd (NULL when *len is 0). */
int husk_cgroup_pids (struct husk_cgroup *cg, pid_t **pids, size_t *len,
                      struct husk_error **err);

/* Freezes or thaws, and waits until the kernel reports the new state. */
int husk_cgroup_freeze (struct husk_cgroup *cg, bool frozen, struct husk_error **err);
int husk_cgroup_is_frozen (struct husk_cgroup *cg, bool *frozen, struct husk_error **err);

/* Applies linux.resources again (`husk update`); only what is set changes.
 * The v2 device program is replaced, never stacked. */
int husk_cgroup_update (struct husk_cgroup *cg, const struct oci_resources *resources,
                        struct husk_error **err);

/* The "data" object of `runc events --stats` (cpu, memory, pids, blkio,
 * hugetlb), as a malloc'd NUL terminated JSON document written with yajl. */
int husk_cgroup_stats_json (struct husk_cgroup *cg, char **json, struct husk_error **err);

/* An fd (O_CLOEXEC, owned by the caller) that becomes readable when the
 * cgroup sees an OOM event: v1 an eventfd registered through
 * cgroup.event_control on memory.oom_control (read 8 bytes to re-arm; it
 * also fires once when the cgroup is removed); v2 an inotify watch on
 * memory.events (read the inotify events to re-arm).  Either way, confirm
 * with husk_cgroup_oom_count that oom_kill moved: memory.events also
 * changes for high/max events. */
int husk_cgroup_oom_fd (struct husk_cgroup *cg, int *fd, struct husk_error **err);

/* The number of OOM kills so far: v2 "oom_kill" of memory.events; v1
 * "oom_kill" of memory.oom_control (0 on kernels without that line). */
int husk_cgroup_oom_count (struct husk_cgroup *cg, uint64_t *count, struct husk_error **err);

/* v2: an O_RDONLY|O_DIRECTORY fd of the cgroup, for clone3(CLONE_INTO_CGROUP),
 * owned by the handle (do not close); v1: the same of the cgroup2 tree of a
 * hybrid host once husk_cgroup_join_fds ran, else -1. */
int husk_cgroup_dirfd (struct husk_cgroup *cg);

/* v1: the text of /proc/self/mountinfo in which the hierarchies were found
 * (owned by the handle); NULL on v2. */
const char *husk_cgroup_mountinfo (const struct husk_cgroup *cg);

/* ---- value conversions, shared by v1/v2 and tested as pure code ---- */

/* cpu.shares (2..262144) to cpu.weight (1..10000), as runc:
 * 1 + ((shares - 2) * 9999) / 262142; 0 means "unset" and stays 0. */
uint64_t husk_cgroup_shares_to_weight (uint64_t shares);

/* blkio weight (10..1000) to io.weight / io.bfq.weight (1..10000), as runc:
 * 1 + (weight - 10) * 9999 / 990; 0 stays 0. */
uint64_t husk_cgroup_blkio_weight_to_io_weight (uint64_t weight);

/* memory.swap.max on v2 from the spec's swap (= limit + swap, as on v1's
 * memsw) and limit, as runc's ConvertMemorySwapToCgroupV2Value: -1 stays
 * "max" (also when limit is -1 and swap 0), swap 0 => unset, limit -1 or
 * unset with swap set is an error, swap <
 * limit is an error.  *out is the value to write ("max" or a number), or
 * NULL when nothing is to be written. */
int husk_cgroup_swap_to_v2 (int64_t swap, int64_t limit, bool limit_set, char **out,
                            struct husk_error **err);

/* "max" for -1 (or any negative value), else the decimal number. */
int husk_cgroup_limit_string (int64_t value, char buf[static 24]);

/* A v1 device rule as the devices.allow/deny files want it: "c 1:3 rwm",
 * "a *:* rwm", "b 8:* r".  The type defaults to "a", access to "rwm". */
int husk_cgroup_device_rule_string (const struct oci_device_cgroup *rule, char **out,
                                    struct husk_error **err);

/* Checks a cpuset list ("0-3,5"): digits, commas and ranges only; returns
 * -1 with an error naming `what` ("linux.resources.cpu.cpus") when not. */
int husk_cgroup_check_cpuset (const char *what, const char *list, struct husk_error **err);

#endif
