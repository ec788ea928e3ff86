/* The mount table as /proc/self/mountinfo shows it, and the option strings
 * of its entries.  Our own reader instead of libmount: these are the only
 * two questions the runtime asks of the table, and libmount (with libblkid,
 * libselinux and libpcre2 behind it) cost every `husk` run its share of
 * the dynamic loader's work. */
#ifndef HUSK_RUNTIME_MOUNT_MOUNTINFO_H
#define HUSK_RUNTIME_MOUNT_MOUNTINFO_H

#include <stdbool.h>
#include <sys/types.h>

#include "../../oci/error.h"

struct husk_mountinfo_table;

/* One line, fields unescaped (\040 and friends); valid during the call. */
struct husk_mountinfo {
  unsigned long long id;  /* the mount id, as statx's stx_mnt_id */
  unsigned long long parent; /* the id of the mount it is mounted on */
  dev_t devno;
  const char *root;       /* the source's path inside its filesystem */
  const char *target;     /* the mountpoint */
  const char *fstype;
  const char *super_opts; /* "rw,cpu,cpuacct" */
  /* the whole table during husk_mountinfo_each, for husk_mountinfo_visible */
  const struct husk_mountinfo_table *table;
};

/* Calls fn on every entry of `path` (NULL: /proc/self/mountinfo) in
 * order; a negative return of fn stops the walk and is returned. */
int husk_mountinfo_each (const char *path,
                         int (*fn) (const struct husk_mountinfo *m, void *data,
                                    struct husk_error **err),
                         void *data, struct husk_error **err);

/* The same over a mountinfo text read before (left unchanged). */
int husk_mountinfo_each_text (const char *text,
                              int (*fn) (const struct husk_mountinfo *m, void *data,
                                         struct husk_error **err),
                              void *data, struct husk_error **err);
/* Is `word` ("cpu", or "name=systemd" for a key with that value) an option
 * of the comma separated `optstr`? */
bool husk_optstr_has (const char *optstr, const char *word);

/* A copy of `optstr` without the option `name` (and its value); NULL
 * when out of memory. */
char *husk_optstr_without (const char *optstr, const char *name);

/* The mountpoint of the mount holding `path` (malloc'd), walking up while
 * the mount id (statx) stays the same; NULL with errno set. */
char *husk_mountpoint_of (const char *path);

/* Is `m` the mount reachable at its mountpoint (not one hidden under a
 * later mount)?  From the table m came from (husk_mountinfo_each): no
 * mount at its mountpoint or above but those it is mounted on; without a
 * table, asked of the kernel (statx: by mount id, by device where statx
 * has no mount ids). */
bool husk_mountinfo_visible (const struct husk_mountinfo *m);

#endif
