/* pause, resume, update, ps, list: the cgroup-facing commands. */
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../oci/cleanup.h"

static int
open_cgroup (struct husk_runtime *rt, const char *id, struct husk_cgroup **cg,
             enum oci_status *status, struct husk_error **err)
{
  cleanup_state_dir struct husk_state_dir dir = { .dirfd = -1 };
  cleanup_state_record struct husk_state_record *rec = NULL;

  if (husk_container_load (rt, id, &dir, &rec, err) < 0)
    return -1;
  *status = husk_record_status (dir.dirfd, rec);
  if (rec->cgroup_path == NULL)
    return husk_error_plain (err, ENOENT, "container has no cgroup");
  return husk_cgroup_open (rec->cgroup_path, cg, err);
}

/* The cgroup of a container that has not stopped: update and stats have
 * nothing to act on once it has. */
static int
open_live_cgroup (struct husk_runtime *rt, const char *id, struct husk_cgroup **cg,
                  struct husk_error **err)
{
  enum oci_status status;
  if (open_cgroup (rt, id, cg, &status, err) < 0)
    return -1;
  if (status == OCI_STATUS_STOPPED)
    return husk_error_plain (err, EINVAL, "container not running");
  return 0;
}

static int
freeze (struct husk_runtime *rt, const char *id, bool frozen, struct husk_error **err)
{
  cleanup_cgroup struct husk_cgroup *cg = NULL;
  enum oci_status status;

  if (open_cgroup (rt, id, &cg, &status, err) < 0)
    return -1;
  if (frozen && status != OCI_STATUS_RUNNING)
    return husk_error_plain (err, EINVAL, "container not running");
  if (!frozen && status != OCI_STATUS_PAUSED)
    return husk_error_plain (err, EINVAL, "container not paused");
  return husk_cgroup_freeze (cg, frozen, err);
}

int
husk_container_pause (struct husk_runtime *rt, const char *id, struct husk_error **err)
{
  return freeze (rt, id, true, err);
}

int
husk_container_resume (struct husk_runtime *rt, const char *id, struct husk_error **err)
{
  return freeze (rt, id, false, err);
}

int
husk_container_update (struct husk_runtime *rt, const char *id,
                       const struct oci_resources *resources, struct husk_error **err)
{
  cleanup_cgroup struct husk_cgroup *cg = NULL;

  if (open_live_cgroup (rt, id, &cg, err) < 0)
    return -1;
  return husk_cgroup_update (cg, resources, err);
}

int
husk_container_pids (struct husk_runtime *rt, const char *id, pid_t **pids, size_t *len,
                     struct husk_error **err)
{
  cleanup_cgroup struct husk_cgroup *cg = NULL;
  enum oci_status status;

  if (open_cgroup (rt, id, &cg, &status, err) < 0)
    return -1;
  if (husk_cgroup_pids (cg, pids, len, err) == 0)
    return 0;
  /* a stopped container whose systemd scope took its cgroup away: no
   * processes (as runc's Processes) */
  if ((*err)->errnum != ENOENT || status != OCI_STATUS_STOPPED)
    return -1;
  husk_error_release (err);
  *pids = NULL, *len = 0;
  return 0;
}

int
husk_container_stats_json (struct husk_runtime *rt, const char *id, char **json,
                           struct husk_error **err)
{
  cleanup_cgroup struct husk_cgroup *cg = NULL;

  if (open_live_cgroup (rt, id, &cg, err) < 0)
    return -1;
  return husk_cgroup_stats_json (cg, json, err);
}

int
husk_container_oom_fd (struct husk_runtime *rt, const char *id, int *fd, struct husk_error **err)
{
  cleanup_cgroup struct husk_cgroup *cg = NULL;
  enum oci_status status;

  if (open_cgroup (rt, id, &cg, &status, err) < 0)
    return -1;
  return husk_cgroup_oom_fd (cg, fd, err);
}

static int
compare_info (const void *a, const void *b)
{
  const struct husk_container_info *x = a, *y = b;
  return strcmp (x->id, y->id);
}

static int
load_info (struct husk_runtime *rt, const char *id, struct husk_container_info *info,
           struct husk_error **err)
{
  cleanup_state_dir struct husk_state_dir dir = { .dirfd = -1 };
  struct husk_state_record *rec = NULL;

  if (husk_state_dir_peek (husk_runtime_root (rt), id, &dir, err) < 0
      || husk_state_record_read (dir.dirfd, &rec, err) < 0)
    return -1;
  info->status = husk_record_status (dir.dirfd, rec);
  info->id = steal_pointer (&rec->id);
  info->pid = info->status == OCI_STATUS_STOPPED ? 0 : rec->pid;
  info->bundle = steal_pointer (&rec->bundle);
  info->rootfs = steal_pointer (&rec->rootfs);
  info->created = steal_pointer (&rec->created);
  info->owner = steal_pointer (&rec->owner);
  husk_state_record_free (rec);
  return 0;
}

int
husk_container_list_info (struct husk_runtime *rt, struct husk_container_info **out,
                          size_t *len, struct husk_error **err)
{
  cleanup_dir DIR *d = opendir (husk_runtime_root (rt));
  struct husk_container_info *infos = NULL;
  size_t n = 0;
  struct dirent *de;

  *out = NULL;
  *len = 0;
  if (d == NULL)
    return errno == ENOENT ? 0 : husk_error_set (err, errno, "open `%s`", husk_runtime_root (rt));
  while ((de = readdir (d)) != NULL)
    {
      cleanup_error struct husk_error *skip = NULL;
      struct husk_container_info *grown;
      if (de->d_name[0] == '.' || husk_state_validate_id (de->d_name, &skip) < 0)
        continue;
      grown = realloc (infos, (n + 1) * sizeof *infos);
      if (grown == NULL)
        {
          husk_container_info_free (infos, n);
          return husk_error_set (err, ENOMEM, "realloc");
        }
      infos = grown;
      memset (&infos[n], 0, sizeof infos[n]);
      if (load_info (rt, de->d_name, &infos[n], &skip) == 0)
        n++; /* a directory being created or deleted is skipped, as runc does */
    }
  if (n > 1)
    qsort (infos, n, sizeof *infos, compare_info);
  *out = infos;
  *len = n;
  return 0;
}

void
husk_container_info_free (struct husk_container_info *infos, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      free (infos[i].id);
      free (infos[i].bundle);
      free (infos[i].rootfs);
      free (infos[i].created);
      free (infos[i].owner);
    }
  free (infos);
}

int
husk_container_list (struct husk_runtime *rt, struct oci_state ***out, size_t *len,
                     struct husk_error **err)
{
  struct husk_container_info *infos = NULL;
  size_t n = 0;
  struct oci_state **states;

  if (husk_container_list_info (rt, &infos, &n, err) < 0)
    return -1;
  states = calloc (n + 1, sizeof *states);
  for (size_t i = 0; states && i < n; i++)
    {
      states[i] = calloc (1, sizeof **states);
      if (states[i] == NULL)
        break;
      states[i]->oci_version = strdup (OCI_VERSION);
      states[i]->id = steal_pointer (&infos[i].id);
      states[i]->bundle = steal_pointer (&infos[i].bundle);
      states[i]->pid = infos[i].pid;
      states[i]->status = infos[i].status;
    }
  husk_container_info_free (infos, n);
  if (states == NULL)
    return husk_error_set (err, ENOMEM, "calloc");
  *out = states;
  *len = n;
  return 0;
}

void
husk_state_list_free (struct oci_state **states, size_t len)
{
  for (size_t i = 0; i < len; i++)
    oci_state_free (states[i]);
  free (states);
}
