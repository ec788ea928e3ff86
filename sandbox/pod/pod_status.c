/* Reading a container's state back: the files its create, start and the
 * holder wrote.  Nothing here needs the holder or the daemon alive. */
#include "pod_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../runtime/cgroup/cgroup.h"
#include "../holder/holder_proto.h"
#include "pod_util.h"

static char *
read_optional (const char *dir, const char *name)
{
  cleanup_free char *path = pod_path ("%s/%s", dir, name);
  struct husk_error *e = NULL;
  char *data = NULL;

  if (path == NULL || pod_read_file (path, &data, NULL, &e) < 0)
    {
      husk_error_release (&e);
      return NULL;
    }
  return data;
}

static int64_t
kv_i64 (const char *text, const char *key)
{
  cleanup_free char *v = text ? pod_kv_get (text, key) : NULL;
  return v ? strtoll (v, NULL, 10) : 0;
}

static void
fill_exit (struct husk_pod_container_status *st, const char *exit_text)
{
  st->state = HUSK_POD_CONTAINER_EXITED;
  st->exit_code = (int) kv_i64 (exit_text, "exit_code");
  st->signal = (int) kv_i64 (exit_text, "signal");
  st->finished_at = kv_i64 (exit_text, "finished_at");
  st->pid = 0;
  st->reason = strdup (st->exit_code == 0 ? "Completed" : "Error");
}

/* A SIGKILL is an OOM kill when the container's memory cgroup counted one.
 * The answer is kept in the container's directory: the cgroup goes away
 * when the container is deleted, the answer must not. */
static bool
oom_killed (const struct pod_env *env, const struct husk_pod_container_status *st,
            const char *dir)
{
  cleanup_free char *known = read_optional (dir, "oom");
  struct pod_cgroup pod_cg __attribute__ ((cleanup (pod_cgroup_clear))) = { 0 };
  cleanup_free char *path = NULL, *file = NULL;
  struct husk_cgroup *cg = NULL;
  struct husk_error *e = NULL;
  uint64_t count = 0;

  if (known)
    return known[0] == '1';
  if (st->signal != SIGKILL)
    return false;
  if (pod_cgroup_load (env, st->sandbox_id, &pod_cg, &e) < 0
      || (path = pod_cgroup_container_path (&pod_cg, st->id)) == NULL)
    {
      husk_error_release (&e);
      return false;
    }
  if (husk_cgroup_open (path, &cg, &e) < 0 || husk_cgroup_oom_count (cg, &count, &e) < 0)
    {
      husk_error_release (&e);
      husk_cgroup_free (cg);
      return false;
    }
  husk_cgroup_free (cg);
  if ((file = pod_path ("%s/oom", dir)) != NULL
      && pod_write_file_atomic (file, count ? "1\n" : "0\n", 2, 0644, &e) < 0)
    husk_error_release (&e);
  return count > 0;
}

static void
fill_state (struct husk_pod_container_status *st, const char *dir)
{
  cleanup_free char *exit_text = read_optional (dir, HOLDER_EXIT_FILE);
  cleanup_free char *started = read_optional (dir, "started");
  cleanup_free char *pid = read_optional (dir, HOLDER_INIT_PID_FILE);

  st->started_at = started ? strtoll (started, NULL, 10) : 0;
  if (exit_text)
    return fill_exit (st, exit_text);
  st->pid = pid ? atoi (pid) : 0;
  if (st->pid <= 0 || kill (st->pid, 0) < 0)
    st->state = HUSK_POD_CONTAINER_UNKNOWN;
  else
    st->state = started ? HUSK_POD_CONTAINER_RUNNING : HUSK_POD_CONTAINER_CREATED;
}

int
husk_pod_container_status (const struct husk_sandbox_env *henv, const char *cid,
                           struct husk_pod_container_status *out, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_free char *dir = NULL, *meta = NULL;
  char sid[33];

  memset (out, 0, sizeof *out);
  if (pod_env_resolve (henv, &env, err) < 0 || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  if ((dir = pod_container_dir (&env, cid)) == NULL)
    return husk_error_set (err, ENOMEM, "status");
  if ((meta = read_optional (dir, "meta")) == NULL)
    return husk_error_set (err, ENOENT, "container `%s` not found", cid);
  out->id = strdup (cid);
  out->sandbox_id = strdup (sid);
  out->name = pod_kv_get (meta, "name");
  out->image = pod_kv_get (meta, "image");
  out->attempt = (unsigned) kv_i64 (meta, "attempt");
  out->created_at = kv_i64 (meta, "created_at");
  out->log_path = pod_path ("%s/%s", dir, HOLDER_LOG_FILE);
  fill_state (out, dir);
  if (out->state == HUSK_POD_CONTAINER_EXITED && out->sandbox_id && out->id
      && oom_killed (&env, out, dir))
    {
      out->oom_killed = true;
      free (out->reason);
      out->reason = strdup ("OOMKilled");
    }
  if (!out->id || !out->sandbox_id || !out->name || !out->image || !out->log_path)
    {
      husk_pod_container_status_free (out);
      return husk_error_set (err, ENOMEM, "status");
    }
  return 0;
}

void
husk_pod_container_status_free (struct husk_pod_container_status *st)
{
  free (st->id);
  free (st->sandbox_id);
  free (st->name);
  free (st->log_path);
  free (st->image);
  free (st->reason);
  memset (st, 0, sizeof *st);
}

int
husk_pod_container_log_path (const struct husk_sandbox_env *henv, const char *cid, char **path,
                             struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_free char *dir = NULL;
  char sid[33];

  if (pod_env_resolve (henv, &env, err) < 0 || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  if ((dir = pod_container_dir (&env, cid)) == NULL
      || (*path = pod_path ("%s/%s", dir, HOLDER_LOG_FILE)) == NULL)
    return husk_error_set (err, ENOMEM, "log path");
  return 0;
}

void
husk_strv_free (char **v)
{
  husk_strvfreep (&v);
}

int
husk_pod_container_list (const struct husk_sandbox_env *henv, const char *sid, char ***ids,
                         size_t *len, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_free char *dir = NULL;

  if (pod_env_resolve (henv, &env, err) < 0 || pod_check_sandbox_id (sid, err) < 0)
    return -1;
  if ((dir = pod_path ("%s/%s/containers", env.pods_root, sid)) == NULL)
    return husk_error_set (err, ENOMEM, "list");
  return pod_list_dir (dir, ids, len, err);
}
