/* Small file and process helpers of the pod sandbox, shared by its files
 * (pod, image, network) so none of them grows its own copy. */
#ifndef HUSK_SANDBOX_POD_UTIL_H
#define HUSK_SANDBOX_POD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../oci/error.h"
#include "../../oci/str_printf.h"

/* malloc'd "a/b" etc., NULL on ENOMEM: the shared str_printf under the
 * name the pod files have always used. */
#define pod_path str_printf

int pod_read_file (const char *path, char **out, size_t *len, struct husk_error **err);
/* Writes via a temporary and rename(2), so readers see old or new. */
int pod_write_file_atomic (const char *path, const char *data, size_t len, mode_t mode,
                           struct husk_error **err);
int pod_mkdir_p (const char *path, mode_t mode, struct husk_error **err);
/* Removes a tree without crossing into other filesystems: a mount still
 * under it makes it fail with EBUSY rather than delete what is mounted. */
int pod_rm_rf (const char *path, struct husk_error **err);

int64_t pod_now_ns (void);
/* 32 lower-case hex characters from getrandom(2). */
int pod_random_id (char out[33], struct husk_error **err);

/* "key=value" lines: the value of `key` (malloc'd), NULL when absent. */
char *pod_kv_get (const char *text, const char *key);

/* Runs argv (argv[0] a path) with stdin from /dev/null; stdout and stderr
 * captured (each may be NULL to discard), optionally `input` fed to stdin,
 * `envp` NULL to inherit.  Output is read until the command exits, not
 * until the pipes close: a process it leaves behind (a container's init)
 * may hold them for ever.  Waits at most timeout_s (0: forever), then
 * SIGKILL.  *status is the wait status. */
struct pod_cmd {
  char *const *argv;
  char *const *envp;
  const char *input;
  size_t input_len;
  int timeout_s;
};
int pod_run (const struct pod_cmd *cmd, char **out, size_t *out_len, char **errout,
             size_t *err_len, int *status, struct husk_error **err);

/* The entries of `dir` (dot files and "lock" skipped), sorted, NULL
 * terminated; a missing dir is an empty list. */
int pod_list_dir (const char *dir, char ***names, size_t *len, struct husk_error **err);

/* The exit code of a wait status: the code, or 128+N for signal N. */
int pod_exit_code (int status);

#endif
