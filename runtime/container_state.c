/* Reading containers back: load a record, derive its status, the state
 * JSON for hooks and `husk state`, the kept config, list. */
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "../oci/json_doc.h"

const char *
husk_runtime_root (const struct husk_runtime *rt)
{
  return rt->state_root ? rt->state_root : HUSK_DEFAULT_STATE_ROOT;
}

void
husk_log_warning (struct husk_runtime *rt, const char *fmt, ...)
{
  char msg[4096];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  husk_log_line (rt->log_fd, rt->log_json, "warning", msg);
}

void
husk_log_debug (struct husk_runtime *rt, const char *fmt, ...)
{
  char msg[4096];
  va_list ap;

  if (!rt->debug)
    return;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  husk_log_line (rt->log_fd, rt->log_json, "debug", msg);
}

void
husk_launch_clear (struct husk_launch *launch)
{
  husk_closep (&launch->sync_fd);
  husk_closep (&launch->pty_master);
  husk_state_dir_close (&launch->dir);
  husk_state_record_free (steal_pointer (&launch->rec));
  husk_cgroup_free (steal_pointer (&launch->cg));
  oci_config_free (steal_pointer (&launch->owned_config));
  launch->config = NULL;
}

static bool
cgroup_frozen (const struct husk_state_record *rec, struct husk_cgroup *open_cg)
{
  cleanup_cgroup struct husk_cgroup *cg = NULL;
  cleanup_error struct husk_error *err = NULL;
  bool frozen = false;

  if (open_cg == NULL
      && (rec->cgroup_path == NULL || husk_cgroup_open (rec->cgroup_path, &cg, &err) < 0))
    return false;
  if (husk_cgroup_is_frozen (open_cg ? open_cg : cg, &frozen, &err) < 0)
    return false;
  return frozen;
}

enum oci_status
husk_record_status (int dirfd, const struct husk_state_record *rec)
{
  return husk_record_status_cg (dirfd, rec, NULL);
}

enum oci_status
husk_record_status_cg (int dirfd, const struct husk_state_record *rec, struct husk_cgroup *cg)
{
  unsigned long long start;
  char state;

  if (rec->pid <= 0 || husk_proc_stat (rec->pid, &start, &state) < 0)
    return OCI_STATUS_STOPPED;
  if (start != rec->pid_start_time || state == 'Z' || state == 'X')
    return OCI_STATUS_STOPPED;
  if (faccessat (dirfd, HUSK_FIFO_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return OCI_STATUS_CREATED;
  return cgroup_frozen (rec, cg) ? OCI_STATUS_PAUSED : OCI_STATUS_RUNNING;
}

int
husk_container_load (struct husk_runtime *rt, const char *id, struct husk_state_dir *dir,
                     struct husk_state_record **rec, struct husk_error **err)
{
  if (husk_state_dir_open (husk_runtime_root (rt), id, dir, err) < 0)
    return -1;
  if (husk_state_record_read (dir->dirfd, rec, err) < 0)
    {
      husk_state_dir_close (dir);
      return -1;
    }
  return 0;
}

int
husk_container_config (int dirfd, const struct husk_state_record *rec,
                       struct oci_config **out, struct husk_error **err)
{
  cleanup_error struct husk_error *in_dir = NULL;
  cleanup_free char *data = NULL, *path = NULL;
  size_t len;

  /* the copy create kept; a state dir from before it kept none */
  if (json_doc_read_at (dirfd, HUSK_CONFIG_FILE, &data, &len, &in_dir) == 0)
    return oci_config_parse_data (HUSK_CONFIG_FILE, data, len, out, err);
  if (in_dir->errnum != ENOENT || rec == NULL)
    return husk_error_propagate (err, &in_dir);
  if (asprintf (&path, "%s/config.json", rec->bundle) < 0)
    return husk_error_set (err, ENOMEM, "asprintf");
  if (json_doc_read_file (path, &data, &len, err) < 0)
    return -1;
  return oci_config_parse_data (HUSK_CONFIG_FILE, data, len, out, err);
}

int
husk_hook_state (const struct husk_state_record *rec, enum oci_status status, char **out,
                 struct husk_error **err)
{
  return husk_state_record_to_json (rec, status, false, false, out, NULL, err);
}

static int
record_to_oci_state (const struct husk_state_record *rec, enum oci_status status,
                     struct oci_state **out, struct husk_error **err)
{
  struct oci_state *st = calloc (1, sizeof *st);

  if (st == NULL)
    return husk_error_set (err, ENOMEM, "calloc");
  st->oci_version = strdup (OCI_VERSION);
  st->id = strdup (rec->id);
  st->bundle = strdup (rec->bundle);
  st->status = status;
  st->pid = status == OCI_STATUS_STOPPED ? 0 : rec->pid;
  st->annotations.keys = calloc (rec->annotations.len + 1, sizeof (char *));
  st->annotations.values = calloc (rec->annotations.len + 1, sizeof (char *));
  for (size_t i = 0; st->annotations.keys && st->annotations.values && i < rec->annotations.len;
       i++, st->annotations.len++)
    {
      st->annotations.keys[i] = strdup (rec->annotations.keys[i]);
      st->annotations.values[i] = strdup (rec->annotations.values[i]);
    }
  *out = st;
  return 0;
}

int
husk_container_state (struct husk_runtime *rt, const char *id, struct oci_state **out,
                      struct husk_error **err)
{
  cleanup_state_dir struct husk_state_dir dir = { .dirfd = -1 };
  cleanup_state_record struct husk_state_record *rec = NULL;

  if (husk_container_load (rt, id, &dir, &rec, err) < 0)
    return -1;
  return record_to_oci_state (rec, husk_record_status (dir.dirfd, rec), out, err);
}

int
husk_container_state_json (struct husk_runtime *rt, const char *id, char **json,
                           struct husk_error **err)
{
  cleanup_state_dir struct husk_state_dir dir = { .dirfd = -1 };
  cleanup_state_record struct husk_state_record *rec = NULL;

  /* readers do not queue behind a create or delete in progress */
  if (husk_state_dir_peek (husk_runtime_root (rt), id, &dir, err) < 0
      || husk_state_record_read (dir.dirfd, &rec, err) < 0)
    return -1;
  return husk_state_record_to_json (rec, husk_record_status (dir.dirfd, rec), true, false, json,
                                    NULL, err);
}

int
husk_write_pid_file (const char *path, pid_t pid, struct husk_error **err)
{
  char buf[32], tmp[4096];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);
  cleanup_close int fd = -1;

  snprintf (tmp, sizeof tmp, "%s.husk-tmp", path);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return husk_error_set (err, errno, "open pid file `%s`", tmp);
  if (write (fd, buf, (size_t) n) != n)
    return husk_error_set (err, errno, "write pid file `%s`", tmp);
  if (rename (tmp, path) < 0)
    return husk_error_set (err, errno, "rename pid file to `%s`", path);
  return 0;
}
