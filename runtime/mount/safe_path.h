/* Paths inside the container's rootfs, resolved by the kernel as if the
 * rootfs were "/" (openat2 RESOLVE_IN_ROOT): an absolute symlink, a "../"
 * or a symlink to a magic /proc link planted in an image can never make a
 * mount, a device or a mkdir land on the host.  Every function takes the
 * rootfs as a directory fd, so tests point it at a tmpdir. */
#ifndef HUSK_RUNTIME_MOUNT_SAFE_PATH_H
#define HUSK_RUNTIME_MOUNT_SAFE_PATH_H

#include <stdbool.h>

#include "../../oci/error.h"

enum husk_safe_kind { HUSK_SAFE_DIR, HUSK_SAFE_FILE };

/* openat2(root_fd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS):
 * the fd, or -1 with errno set.  No error object,
 * for callers for whom ENOENT is an answer (masked paths). */
int husk_safe_openat2 (int root_fd, const char *path, int flags);

/* The same resolution walked in user space, used when openat2 is ENOSYS
 * (Linux < 5.6, valgrind); exposed so tests run both. */
int husk_safe_open_walk (int root_fd, const char *path, int flags);

/* The same with an error naming the path: `open "/etc/x" in the rootfs`. */
int husk_safe_open (int root_fd, const char *path, int flags, struct husk_error **err);

/* An O_PATH fd on `path` inside root_fd, made if missing: parents as
 * directories (0755), the last component as `kind` (a 0755 directory or an
 * empty 0644 file), owned by whoever we are (container root in a user
 * namespace).  Dangling symlinks met on the way are followed inside the
 * root, as the kernel would, and their targets created. */
int husk_safe_create (int root_fd, const char *path, enum husk_safe_kind kind,
                      struct husk_error **err);

/* husk_safe_create of a directory whose last component must be an ordinary
 * directory or missing: a symlink there is refused (ENOTDIR), never
 * followed, so an image cannot choose where proc, sysfs or the /dev husk
 * fills land (CVE-2019-19921, CVE-2023-27561, CVE-2023-28642). */
int husk_safe_create_dir_nofollow (int root_fd, const char *path, struct husk_error **err);

/* The same two, saying in *plain whether no symlink was followed (the
 * fd's path inside the root is then `path` itself, cleaned). */
int husk_safe_create_plain (int root_fd, const char *path, enum husk_safe_kind kind, bool *plain,
                            struct husk_error **err);
int husk_safe_create_dir_nofollow_plain (int root_fd, const char *path, bool *plain,
                                         struct husk_error **err);

/* "/proc/self/fd/N": the name mount(2) takes for an fd opened above. */
#define HUSK_FD_PATH_SIZE 32
const char *husk_fd_path (int fd, char buf[HUSK_FD_PATH_SIZE]);

#endif
