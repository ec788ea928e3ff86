/* Mount option words (config.json mounts[].options) turned into what the
 * kernel takes: mount(2) flags, propagation changes applied after the
 * mount, recursive attributes for mount_setattr(2), husk's own extensions,
 * and the rest as the filesystem's data string.  One table, after runc's
 * libcontainer/specconv parseMountOptions. */
#ifndef HUSK_RUNTIME_MOUNT_OPTIONS_H
#define HUSK_RUNTIME_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../oci/error.h"

#define HUSK_MOUNT_MAX_PROPAGATION 8

enum husk_mount_extra {
  HUSK_MOUNT_TMPCOPYUP = 1 << 0, /* copy what the tmpfs hides into it */
  HUSK_MOUNT_IDMAP = 1 << 1,     /* idmapped bind, this mount only */
  HUSK_MOUNT_RIDMAP = 1 << 2,    /* idmapped bind, with its submounts */
};

struct husk_mount_options {
  unsigned long flags; /* MS_* for mount(2); rbind is MS_BIND|MS_REC */
  unsigned long propagation[HUSK_MOUNT_MAX_PROPAGATION]; /* in order */
  size_t propagation_len;
  uint64_t rec_attr_set; /* MOUNT_ATTR_* from rro, rnosuid, ... */
  uint64_t rec_attr_clr;
  unsigned extra; /* enum husk_mount_extra */
  char *data;     /* words for the filesystem, "mode=755,size=65536k"; NULL if none */
};

/* Parses `words`; *out is overwritten.  Fails only on allocation or on too
 * many propagation words. */
int husk_mount_options_parse (char *const *words, size_t len, struct husk_mount_options *out,
                              struct husk_error **err);
void husk_mount_options_release (struct husk_mount_options *opts);

/* The kernel ignores every flag but MS_REC on a first MS_BIND: a bind with
 * ro, nosuid, ... needs a second mount(MS_REMOUNT|MS_BIND|flags). */
bool husk_mount_options_need_remount (const struct husk_mount_options *opts);
unsigned long husk_mount_options_remount_flags (const struct husk_mount_options *opts);

/* "nosuid|nodev|noexec" for error messages; "none" for 0.  Writes at most
 * `size` bytes into `buf` and returns it. */
const char *husk_mount_flags_name (unsigned long flags, char *buf, size_t size);

#endif
