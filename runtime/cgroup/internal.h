/* What the cgroup files share among themselves; not for callers outside
 * runtime/cgroup/. */
#ifndef HUSK_RUNTIME_CGROUP_INTERNAL_H
#define HUSK_RUNTIME_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../oci/cleanup.h"
#include "cgroup.h"

struct husk_cgroup_stats;
struct cg_systemd;

/* One v1 hierarchy the cgroup lives in. */
struct cg_hier {
  char *controllers; /* "cpu,cpuacct", "memory", "name=systemd" */
  char *mountpoint;  /* "/sys/fs/cgroup/memory" */
  char *inner;       /* path below the hierarchy root: "/a/c1" */
  char *dir;         /* mountpoint + inner */
  char *created_top; /* highest directory create made, NULL if none */
};

/* The operations of one cgroup mode; chosen once, kept in every handle. */
struct cg_ops {
  /* Resolves the cleaned inner path (relative: against the caller's
   * cgroup) into the handle's directories and path string, making nothing. */
  int (*resolve) (struct husk_cgroup *cg, const char *inner, bool relative,
                  struct husk_error **err);
  /* Resolves the cleaned inner path (relative or absolute) and makes the
   * directories, remembering which it made. */
  int (*make) (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err);
  int (*open) (struct husk_cgroup *cg, const char *path, struct husk_error **err);
  /* Removes what make() made (used when create fails). */
  void (*unmake) (struct husk_cgroup *cg);
  int (*apply) (struct husk_cgroup *cg, const struct oci_resources *r, bool update,
                struct husk_error **err);
  int (*enter) (struct husk_cgroup *cg, pid_t pid, struct husk_error **err);
  /* husk_cgroup_join_fds and husk_cgroup_enter_rest (cgroup.h) */
  int (*join_fds) (struct husk_cgroup *cg, int *fds, size_t cap, size_t *len,
                   struct husk_error **err);
  int (*enter_rest) (struct husk_cgroup *cg, pid_t pid, bool self_joined, bool into_cgroup,
                     struct husk_error **err);
  /* Removes the directories (and their child cgroups); -1 with errno EBUSY
   * in *err while processes are leaving. */
  int (*remove) (struct husk_cgroup *cg, struct husk_error **err);
  /* The directory whose cgroup.procs lists the processes. */
  const char *(*procs_dir) (const struct husk_cgroup *cg);
  /* Fast kill of everything (v2 cgroup.kill); 0 when done, 1 when the
   * kernel lacks it, < 0 on error.  NULL when the mode has none. */
  int (*kill_fast) (struct husk_cgroup *cg, struct husk_error **err);
  int (*freeze) (struct husk_cgroup *cg, bool frozen, struct husk_error **err);
  int (*is_frozen) (struct husk_cgroup *cg, bool *frozen, struct husk_error **err);
  int (*stats) (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err);
  int (*oom_fd) (struct husk_cgroup *cg, int *fd, struct husk_error **err);
  int (*oom_count) (struct husk_cgroup *cg, uint64_t *count, struct husk_error **err);
};

struct husk_cgroup {
  const struct cg_ops *ops;
  char *path;          /* husk_cgroup_path() */
  /* v1 */
  struct cg_hier *hiers;
  size_t hiers_len;
  char *mountinfo;     /* /proc/self/mountinfo as the hierarchies were found */
  /* v2 */
  char *dir;           /* /sys/fs/cgroup/a/c1 */
  char *created_top;
  int dirfd;           /* O_PATH of dir, -1 on v1 */
  /* the systemd driver: the unit the cgroup belongs to (NULL: cgroupfs) */
  struct cg_systemd *sd;
};

extern const struct cg_ops husk_cg_v1_ops;
extern const struct cg_ops husk_cg_v2_ops;

/* ---- file helpers (fs.c); errors name the file and the value ---- */

/* write "<dir>/<file>" = "<value>": <strerror> */
int cg_write (const char *dir, const char *file, const char *value, struct husk_error **err);
/* The same on a file already open for writing (`path` names it in errors),
 * for several values in a row. */
int cg_write_fd (int fd, const char *path, const char *value, struct husk_error **err);
int cg_writef (const char *dir, const char *file, struct husk_error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
int cg_write_u64 (const char *dir, const char *file, uint64_t value, struct husk_error **err);
int cg_write_i64 (const char *dir, const char *file, int64_t value, struct husk_error **err);
/* Whether "<dir>/<file>" exists (controllers come and go with kernels). */
bool cg_has (const char *dir, const char *file);
/* Reads the whole file; *out malloc'd, trailing newline kept. */
int cg_read (const char *dir, const char *file, char **out, struct husk_error **err);
/* The same for a file the kernel makes in one go (a value, cgroup.events,
 * cgroup.controllers; not cgroup.procs): one read fewer. */
int cg_read_value (const char *dir, const char *file, char **out, struct husk_error **err);
/* A single number; "max" reads as UINT64_MAX. */
int cg_read_u64 (const char *dir, const char *file, uint64_t *out, struct husk_error **err);
/* The value of "key N" in a flat keyed file's content; false if absent. */
bool cg_keyed_u64 (const char *content, const char *key, uint64_t *out);
/* mkdir -p of `dir`; *created_top gets the highest directory it made. */
int cg_mkdir_p (const char *dir, char **created_top, struct husk_error **err);
/* rmdir of `dir` and below, children first; fine when gone.  EBUSY errors
 * are returned with errnum EBUSY so the caller may retry. */
int cg_rmdir_tree (const char *dir, struct husk_error **err);
/* rmdir from `dir` up to and including `top` (best effort, for a failed
 * create). */
void cg_rmdir_up_to (const char *dir, const char *top);
/* The tgids in cgroup.procs of `dir` and of every cgroup below it. */
int cg_read_procs_tree (const char *dir, pid_t **pids, size_t *len, struct husk_error **err);
/* The text of /proc/self/cgroup, read once for several lookups. */
int cg_read_own_cgroups (char **out, struct husk_error **err);
/* The caller's cgroup in the hierarchy whose /proc/self/cgroup controller
 * field is `controllers` ("" for the v2 line), looked up in `proc_cgroup`
 * (the file's text; NULL: read it). */
int cg_own_cgroup (const char *proc_cgroup, const char *controllers, char **out,
                   struct husk_error **err);
/* Joins "a" and "/b" into "a/b" (no double slash); malloc'd. */
char *cg_join (const char *a, const char *b);

/* A counter that may be missing on this kernel reads as 0. */
uint64_t cg_read_u64_or_zero (const char *dir, const char *file);

/* ---- writes shared by v1 and v2 (common.c) ---- */

int cg_write_pids (const char *dir, const struct oci_pids *pids, struct husk_error **err);
/* cpuset.cpus and cpuset.mems, each checked first. */
int cg_write_cpuset (const char *dir, const struct oci_cpu *cpu, struct husk_error **err);
int cg_write_rdma (const char *dir, const struct oci_rdma *rdma, size_t len,
                   struct husk_error **err);
/* hugetlb.<size>.<suffix>: "limit_in_bytes" on v1, "max" on v2. */
int cg_write_hugetlb (const char *dir, const struct oci_hugepage_limit *limits, size_t len,
                      const char *suffix, struct husk_error **err);

/* ---- path and rule helpers (values.c) ---- */

/* Lexical clean as runc's CleanPath: collapses "//", ".", ".." without
 * climbing above the start; a relative path stays relative. */
char *cg_clean_path (const char *path);

/* The effective device rules: the spec's, then runc's default allowed
 * devices (mknod of everything, /dev/null, zero, full, tty, random,
 * urandom, ptmx, pts, tun). *out is an array of pointers into the spec and
 * a static table; free only the array. */
int cg_device_rules (const struct oci_resources *r, const struct oci_device_cgroup ***out,
                     size_t *len, struct husk_error **err);

#endif
