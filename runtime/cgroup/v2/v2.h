/* What the v2 (unified) files share. */
#ifndef HUSK_RUNTIME_CGROUP_V2_H
#define HUSK_RUNTIME_CGROUP_V2_H

#include "../internal.h"
#include "../stats.h"

/* core.c */
int cg_v2_resolve (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err);
int cg_v2_make (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err);
int cg_v2_open (struct husk_cgroup *cg, const char *path, struct husk_error **err);
void cg_v2_unmake (struct husk_cgroup *cg);
int cg_v2_enter (struct husk_cgroup *cg, pid_t pid, struct husk_error **err);
int cg_v2_remove (struct husk_cgroup *cg, struct husk_error **err);
const char *cg_v2_procs_dir (const struct husk_cgroup *cg);
int cg_v2_kill_fast (struct husk_cgroup *cg, struct husk_error **err);

/* resources.c: linux.resources onto a v2 directory. */
int cg_v2_apply_dir (const char *dir, const struct oci_resources *r, bool update,
                     struct husk_error **err);

/* devices_bpf.c: the device rules as a BPF_PROG_TYPE_CGROUP_DEVICE program,
 * attached to the cgroup directory `dir` (BPF_F_ALLOW_MULTI), replacing the
 * programs attached there before. */
int cg_v2_devices_apply (const char *dir, const struct oci_resources *r, bool update,
                         struct husk_error **err);

/* The program for a rule list, for tests: *insns is malloc'd, *len counts
 * 8-byte instructions. */
struct bpf_insn;
int cg_v2_devices_program (const struct oci_device_cgroup *const *rules, size_t n,
                           struct bpf_insn **insns, size_t *len, struct husk_error **err);

/* freeze.c */
int cg_v2_freeze (struct husk_cgroup *cg, bool frozen, struct husk_error **err);
int cg_v2_is_frozen (struct husk_cgroup *cg, bool *frozen, struct husk_error **err);

/* stats.c and oom */
int cg_v2_stats (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err);
int cg_v2_oom_fd (struct husk_cgroup *cg, int *fd, struct husk_error **err);
int cg_v2_oom_count (struct husk_cgroup *cg, uint64_t *count, struct husk_error **err);

#endif
