/* The kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go) for
 * configMap, secret, downwardAPI and projected volumes: the files live in
 * a timestamped directory `..2026_12_07_03_10_00.123456789`, `..data` is a
 * symlink to it, and each top-level name is a symlink through `..data`.
 * An update writes a new directory and renames a new `..data` over the
 * old one, so a reader sees all old or all new files, never a mix. */
#ifndef HUSK_HUSKD_ATOMIC_WRITER_H
#define HUSK_HUSKD_ATOMIC_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct projected_file {
  char *path; /* relative, checked: no "..", not absolute */
  unsigned char *data;
  size_t len;
  mode_t mode;
};

void projected_files_free (struct projected_file *f, size_t n);

/* A path a volume item may name (as kube-apiserver's validateLocalDescendingPath). */
bool projected_path_ok (const char *path);

/* Makes dir hold exactly the files; nothing is written when it already
 * does.  *changed says whether it did. */
int huskd_atomic_write (const char *dir, const struct projected_file *files, size_t n,
                        bool *changed, struct husk_error **err);

#endif
