/* The state store: `<root>/<id>/` per container, holding state.json (our
 * own record, written atomically), exec.fifo (the start barrier) and
 * config.json (the config as created, for exec and delete's poststop hooks).
 * The directory fd itself is flock'd so that commands on one id serialise
 * and commands on different ids do not. */
#ifndef HUSK_RUNTIME_STATE_STORE_H
#define HUSK_RUNTIME_STATE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "../oci/cleanup.h"
#include "../oci/config.h"
#include "../oci/error.h"
#include "../oci/state.h"
#include "errors.h"

#define HUSK_STATE_FILE "state.json"
#define HUSK_FIFO_FILE "exec.fifo"
#define HUSK_CONFIG_FILE "config.json"

struct husk_state_record {
  char *id;
  char *bundle;             /* absolute */
  char *rootfs;             /* absolute */
  pid_t pid;                /* the init, as seen from the host */
  unsigned long long pid_start_time; /* /proc/<pid>/stat field 22: detects reuse */
  char *cgroup_path;        /* husk_cgroup_path(); NULL when none */
  char *created;            /* RFC 3339 with nanoseconds, UTC */
  char *owner;              /* user name of the creator */
  bool shared_pidns;        /* no pid namespace of its own: kill the cgroup */
  struct oci_map annotations;
};

void husk_state_record_free (struct husk_state_record *rec);
HUSK_DEFINE_CLEANUP (struct husk_state_record, husk_state_record_free)
#define cleanup_state_record __attribute__ ((cleanup (husk_state_record_freep)))

/* runc's rules: [A-Za-z0-9_+.-]+, not "." or "..", at most 1024 bytes. */
int husk_state_validate_id (const char *id, struct husk_error **err);

/* An open, locked container directory. */
struct husk_state_dir {
  int dirfd;  /* O_DIRECTORY, flock'd (LOCK_EX) */
  char *path; /* "<root>/<id>" */
};
void husk_state_dir_close (struct husk_state_dir *dir);
#define cleanup_state_dir __attribute__ ((cleanup (husk_state_dir_close)))

/* Makes `<root>/<id>` (the root too when missing) and locks it; an existing
 * id fails with EEXIST "container with id exists: <id>". */
int husk_state_dir_create (const char *root, const char *id, struct husk_state_dir *out,
                           struct husk_error **err);
/* Opens and locks an existing container; ENOENT "container does not exist". */
int husk_state_dir_open (const char *root, const char *id, struct husk_state_dir *out,
                         struct husk_error **err);
/* Opens without the lock, for readers that must not wait behind a long
 * create (list): state.json is replaced atomically, so it is whole. */
int husk_state_dir_peek (const char *root, const char *id, struct husk_state_dir *out,
                         struct husk_error **err);
/* Removes the directory and what it holds (the lock stays held until close). */
int husk_state_dir_remove (struct husk_state_dir *dir, struct husk_error **err);
/* Releases the lock early (e.g. while `run` waits for its process). */
void husk_state_dir_unlock (struct husk_state_dir *dir);

/* state.json: written to a temporary file and renamed over. */
int husk_state_record_write (int dirfd, const struct husk_state_record *rec,
                             struct husk_error **err);
int husk_state_record_read (int dirfd, struct husk_state_record **out, struct husk_error **err);

/* The document: the OCI state fields as runc prints them (ociVersion, id,
 * pid, status, bundle, rootfs, created, owner, annotations) and, with
 * `internal`, our "husk" object (start time, cgroup path...). */
int husk_state_record_to_json (const struct husk_state_record *rec, enum oci_status status,
                               bool pretty, bool internal, char **out, size_t *len,
                               struct husk_error **err);
int husk_state_record_parse (const char *filename, const char *data, size_t len,
                             struct husk_state_record **out, struct husk_error **err);

/* The process start time of /proc/<pid>/stat (field 22) and its state
 * letter; -1 with errno ESRCH when the process is gone. */
int husk_proc_stat (pid_t pid, unsigned long long *start_time, char *state);

/* "2024-05-01T10:00:00.123456789Z" for now. */
int husk_rfc3339_now (char buf[static 40]);
/* The same for `ts`, by arithmetic: glibc's gmtime_r and strftime load
 * /etc/localtime first (5 syscalls and a parse per create). */
void husk_rfc3339 (const struct timespec *ts, char buf[static 40]);

/* Writes a whole file atomically (tmp + rename) relative to dirfd. */
int husk_write_file_at (int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                        struct husk_error **err);

#endif
