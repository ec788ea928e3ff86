/* CreateContainer, StartContainer, StopContainer, RemoveContainer,
 * ListContainers, ContainerStatus, ExecSync, ReopenContainerLog: the pod
 * library's containers (sandbox/pod), the same calls huskd's pod
 * controller makes. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../pod/pod_util.h"
#include "cri_internal.h"
#include "cri_pod.h"

#define CONTAINERS "containers"

static int
load (struct cri_server *s, const char *id, Runtime__V1__ContainerConfig **out,
      struct husk_error **err)
{
  return cri_store_get (s, CONTAINERS, id, &runtime__v1__container_config__descriptor,
                        (ProtobufCMessage **) out, err);
}

static bool
in_sandbox (const char *cid, const char *sid)
{
  size_t n = strlen (sid);
  return strncmp (cid, sid, n) == 0 && cid[n] == '-';
}

/* The sandbox's containers' configs (the newest attempt of each name,
 * `except` left out) followed by `extra`. */
struct configs {
  Runtime__V1__ContainerConfig **v;
  size_t n;
};

static void
configs_clear (struct configs *c)
{
  for (size_t i = 0; i < c->n; i++)
    if (c->v[i])
      protobuf_c_message_free_unpacked (&c->v[i]->base, NULL);
  free (c->v);
}

static int
collect (struct cri_server *s, const char *sid, const char *except, struct configs *out,
         struct husk_error **err)
{
  cleanup_strv char **ids = NULL;
  size_t n = 0;
  if (cri_store_list (s, CONTAINERS, &ids, &n, err) < 0)
    return -1;
  out->v = calloc (n + 1, sizeof *out->v);
  if (out->v == NULL)
    return husk_error_set (err, ENOMEM, "containers");
  for (size_t i = 0; i < n; i++)
    {
      Runtime__V1__ContainerConfig *c = NULL;
      cleanup_error struct husk_error *e = NULL;
      bool dup = false;
      if (!in_sandbox (ids[i], sid) || load (s, ids[i], &c, &e) < 0)
        continue;
      const char *name = c->metadata ? c->metadata->name : "";
      for (size_t j = 0; j < out->n && !dup; j++)
        dup = strcmp (out->v[j]->metadata ? out->v[j]->metadata->name : "", name) == 0;
      if (dup || (except && strcmp (name, except) == 0))
        {
          protobuf_c_message_free_unpacked (&c->base, NULL);
          continue;
        }
      out->v[out->n++] = c;
    }
  return 0;
}

/* kubelet asks for <log_directory>/<log_path>; the holder writes the
 * container's log in its own directory, so the asked path is a link to it. */
static int
link_log (struct cri_server *s, const Runtime__V1__PodSandboxConfig *sb,
          const Runtime__V1__ContainerConfig *c, const char *cid, struct husk_error **err)
{
  cleanup_free char *target = NULL, *path = NULL, *dir = NULL;
  char *slash;
  if (c->log_path[0] == '\0' || sb == NULL || sb->log_directory[0] == '\0')
    return 0;
  if ((path = pod_path ("%s/%s", sb->log_directory, c->log_path)) == NULL
      || (dir = strdup (path)) == NULL)
    return husk_error_set (err, ENOMEM, "log path");
  if ((slash = strrchr (dir, '/')) != NULL && slash != dir)
    *slash = '\0';
  if (pod_mkdir_p (dir, 0755, err) < 0
      || husk_pod_container_log_path (s->opts.env, cid, &target, err) < 0)
    return -1;
  unlink (path);
  if (symlink (target, path) < 0)
    return husk_error_set (err, errno, "symlink `%s` -> `%s`", path, target);
  return 0;
}

static int
create_locked (struct cri_server *s, const Runtime__V1__CreateContainerRequest *r,
               const Runtime__V1__PodSandboxConfig *sb, char **cid, struct husk_error **err)
{
  struct configs cs __attribute__ ((cleanup (configs_clear))) = { 0 };
  cleanup_free char *json = NULL;
  char name[64];
  const char *cri_name = r->config->metadata->name;

  cri_label_name (cri_name, name);
  if (collect (s, r->pod_sandbox_id, cri_name, &cs, err) < 0)
    return -1;
  cs.v[cs.n] = r->config;
  if (cri_pod_json (sb, cs.v, cs.n + 1, &json, err) < 0
      || husk_pod_sandbox_replace (s->opts.env, r->pod_sandbox_id, json, err) < 0)
    {
      cs.v[cs.n] = NULL;
      return -1;
    }
  cs.v[cs.n] = NULL;
  return husk_pod_container_create (s->opts.env, r->pod_sandbox_id, name,
                                    r->config->metadata->attempt, cid, err);
}

int
cri_create_container (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                      ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__CreateContainerRequest *r = (const void *) req;
  Runtime__V1__CreateContainerResponse *out = cri_alloc (a, sizeof *out);
  cleanup_msg Runtime__V1__RunPodSandboxRequest *sb = NULL;
  cleanup_free char *cid = NULL;
  int ret;

  if (r->config == NULL || r->config->metadata == NULL || r->config->metadata->name[0] == '\0')
    return husk_error_set (err, EINVAL, "CreateContainer: config.metadata.name is required");
  if (r->config->image == NULL || r->config->image->image[0] == '\0')
    return husk_error_set (err, EINVAL, "CreateContainer: config.image is required");
  const Runtime__V1__LinuxContainerSecurityContext *sc
      = r->config->linux ? r->config->linux->security_context : NULL;
  /* as containerd: a group alone would run as root with another group */
  if (sc && sc->run_as_group && !sc->run_as_user && sc->run_as_username[0] == '\0')
    return husk_error_set (err, EINVAL, "CreateContainer: user group %" PRId64
                           " is specified without user", sc->run_as_group->value);
  const char *seccomp_type, *seccomp_path;
  if (cri_seccomp_profile (sc, &seccomp_type, &seccomp_path, err) < 0)
    return husk_error_wrap (err, "CreateContainer");
  if (cri_sandbox_config (s, r->pod_sandbox_id, &sb, err) < 0)
    return -1;
  pthread_mutex_lock (&s->create_lock);
  ret = create_locked (s, r, sb->config, &cid, err);
  pthread_mutex_unlock (&s->create_lock);
  if (ret < 0)
    return husk_error_wrap (err, "CreateContainer `%s`", r->config->metadata->name);
  if (cri_store_put (s, CONTAINERS, cid, &r->config->base, err) < 0
      || link_log (s, sb->config, r->config, cid, err) < 0)
    {
      cleanup_error struct husk_error *e2 = NULL;
      husk_pod_container_remove (s->opts.env, cid, &e2);
      husk_error_release (&e2);
      cri_store_delete (s, CONTAINERS, cid, &e2);
      return -1;
    }
  runtime__v1__create_container_response__init (out);
  out->container_id = cri_strdup (a, cid);
  *resp = &out->base;
  return 0;
}

/* Every container call names a container the CRI made. */
static int
known (struct cri_server *s, const char *id, struct husk_error **err)
{
  cleanup_msg Runtime__V1__ContainerConfig *c = NULL;
  return load (s, id, &c, err);
}

int
cri_start_container (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                     ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__StartContainerRequest *r = (const void *) req;
  Runtime__V1__StartContainerResponse *out = cri_alloc (a, sizeof *out);
  if (known (s, r->container_id, err) < 0
      || husk_pod_container_start (s->opts.env, r->container_id, err) < 0)
    return -1;
  runtime__v1__start_container_response__init (out);
  *resp = &out->base;
  return 0;
}

int
cri_stop_container (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                    ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__StopContainerRequest *r = (const void *) req;
  Runtime__V1__StopContainerResponse *out = cri_alloc (a, sizeof *out);
  int grace = r->timeout < 0 ? 0 : r->timeout > INT_MAX ? INT_MAX : (int) r->timeout;
  if (known (s, r->container_id, err) < 0
      || husk_pod_container_stop (s->opts.env, r->container_id, grace, err) < 0)
    return -1;
  runtime__v1__stop_container_response__init (out);
  *resp = &out->base;
  return 0;
}

int
cri_remove_container (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                      ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__RemoveContainerRequest *r = (const void *) req;
  Runtime__V1__RemoveContainerResponse *out = cri_alloc (a, sizeof *out);
  cleanup_error struct husk_error *e = NULL;
  runtime__v1__remove_container_response__init (out);
  *resp = &out->base;
  if (known (s, r->container_id, &e) < 0)
    return e->errnum == ENOENT ? 0 : husk_error_propagate (err, &e);
  /* a running container is killed first, as containerd does */
  if (husk_pod_container_stop (s->opts.env, r->container_id, 0, err) < 0
      || husk_pod_container_remove (s->opts.env, r->container_id, err) < 0)
    return -1;
  return cri_store_delete (s, CONTAINERS, r->container_id, err);
}

static Runtime__V1__ContainerState
state_of (enum husk_pod_container_state st)
{
  switch (st)
    {
    case HUSK_POD_CONTAINER_CREATED: return RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
    case HUSK_POD_CONTAINER_RUNNING: return RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
    case HUSK_POD_CONTAINER_EXITED: return RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
    default: return RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN;
    }
}

static Runtime__V1__ContainerMetadata *
metadata (struct cri_arena *a, const Runtime__V1__ContainerConfig *c)
{
  Runtime__V1__ContainerMetadata *m = cri_alloc (a, sizeof *m);
  runtime__v1__container_metadata__init (m);
  if (c->metadata)
    {
      m->name = cri_strdup (a, c->metadata->name);
      m->attempt = c->metadata->attempt;
    }
  return m;
}

static Runtime__V1__ImageSpec *
image_spec (struct cri_arena *a, const Runtime__V1__ContainerConfig *c)
{
  Runtime__V1__ImageSpec *i = cri_alloc (a, sizeof *i);
  runtime__v1__image_spec__init (i);
  i->image = cri_strdup (a, c->image ? c->image->image : "");
  return i;
}

static Runtime__V1__Mount **
mounts (struct cri_arena *a, const Runtime__V1__ContainerConfig *c)
{
  Runtime__V1__Mount **v = cri_alloc (a, (c->n_mounts ? c->n_mounts : 1) * sizeof *v);
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      v[i] = cri_alloc (a, sizeof *v[i]);
      runtime__v1__mount__init (v[i]);
      v[i]->container_path = cri_strdup (a, c->mounts[i]->container_path);
      v[i]->host_path = cri_strdup (a, c->mounts[i]->host_path);
      v[i]->readonly = c->mounts[i]->readonly;
      v[i]->propagation = c->mounts[i]->propagation;
    }
  return v;
}

static char *
log_path (struct cri_server *s, struct cri_arena *a, const char *cid,
          const Runtime__V1__ContainerConfig *c, const char *fallback)
{
  cleanup_msg Runtime__V1__RunPodSandboxRequest *sb = NULL;
  cleanup_error struct husk_error *e = NULL;
  char sid[33];
  snprintf (sid, sizeof sid, "%s", cid);
  if (c->log_path[0] && cri_sandbox_config (s, sid, &sb, &e) == 0 && sb->config
      && sb->config->log_directory[0])
    {
      cleanup_free char *p = pod_path ("%s/%s", sb->config->log_directory, c->log_path);
      return cri_strdup (a, p);
    }
  return cri_strdup (a, fallback ? fallback : "");
}

int
cri_container_status (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                      ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ContainerStatusRequest *r = (const void *) req;
  Runtime__V1__ContainerStatusResponse *out = cri_alloc (a, sizeof *out);
  Runtime__V1__ContainerStatus *st = cri_alloc (a, sizeof *st);
  cleanup_msg Runtime__V1__ContainerConfig *c = NULL;
  struct husk_pod_container_status ps = { 0 };

  if (load (s, r->container_id, &c, err) < 0
      || husk_pod_container_status (s->opts.env, r->container_id, &ps, err) < 0)
    return -1;
  runtime__v1__container_status_response__init (out);
  runtime__v1__container_status__init (st);
  st->id = cri_strdup (a, ps.id);
  st->metadata = metadata (a, c);
  st->state = state_of (ps.state);
  st->created_at = ps.created_at;
  st->started_at = ps.started_at;
  st->finished_at = ps.finished_at;
  st->exit_code = ps.exit_code;
  st->image = image_spec (a, c);
  st->image_ref = cri_strdup (a, ps.image ? ps.image : st->image->image);
  st->reason = cri_strdup (a, ps.reason ? ps.reason : "");
  st->message = cri_strdup (a, "");
  st->n_labels = c->n_labels;
  st->labels = cri_map_copy (a, &runtime__v1__container_status__labels_entry__descriptor,
                             (void *const *) c->labels, c->n_labels);
  st->n_annotations = c->n_annotations;
  st->annotations = cri_map_copy (a, &runtime__v1__container_status__annotations_entry__descriptor,
                                  (void *const *) c->annotations, c->n_annotations);
  st->n_mounts = c->n_mounts;
  st->mounts = mounts (a, c);
  st->log_path = log_path (s, a, r->container_id, c, ps.log_path);
  st->resources = cri_container_resources (a, c);
  out->status = st;
  husk_pod_container_status_free (&ps);
  *resp = &out->base;
  return 0;
}

static bool
container_matches (const Runtime__V1__ContainerFilter *f, const Runtime__V1__Container *k)
{
  if (f == NULL)
    return true;
  if (f->id[0] && strncmp (k->id, f->id, strlen (f->id)) != 0)
    return false;
  if (f->pod_sandbox_id[0] && strncmp (k->pod_sandbox_id, f->pod_sandbox_id,
                                       strlen (f->pod_sandbox_id)) != 0)
    return false;
  if (f->state && f->state->state != k->state)
    return false;
  return cri_map_matches ((void *const *) k->labels, k->n_labels,
                          (void *const *) f->label_selector, f->n_label_selector);
}

static Runtime__V1__Container *
list_entry (struct cri_server *s, struct cri_arena *a, const char *id)
{
  cleanup_msg Runtime__V1__ContainerConfig *c = NULL;
  cleanup_error struct husk_error *e = NULL;
  struct husk_pod_container_status ps = { 0 };
  Runtime__V1__Container *k;

  if (load (s, id, &c, &e) < 0 || husk_pod_container_status (s->opts.env, id, &ps, &e) < 0)
    return NULL;
  k = cri_alloc (a, sizeof *k);
  runtime__v1__container__init (k);
  k->id = cri_strdup (a, id);
  k->pod_sandbox_id = cri_strdup (a, ps.sandbox_id);
  k->metadata = metadata (a, c);
  k->image = image_spec (a, c);
  k->image_ref = cri_strdup (a, ps.image ? ps.image : k->image->image);
  k->state = state_of (ps.state);
  k->created_at = ps.created_at;
  k->n_labels = c->n_labels;
  k->labels = cri_map_copy (a, &runtime__v1__container__labels_entry__descriptor,
                            (void *const *) c->labels, c->n_labels);
  k->n_annotations = c->n_annotations;
  k->annotations = cri_map_copy (a, &runtime__v1__container__annotations_entry__descriptor,
                                 (void *const *) c->annotations, c->n_annotations);
  husk_pod_container_status_free (&ps);
  return k;
}

int
cri_list_containers (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                     ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ListContainersRequest *r = (const void *) req;
  Runtime__V1__ListContainersResponse *out = cri_alloc (a, sizeof *out);
  cleanup_strv char **ids = NULL;
  size_t n = 0;

  if (cri_store_list (s, CONTAINERS, &ids, &n, err) < 0)
    return -1;
  runtime__v1__list_containers_response__init (out);
  out->containers = cri_alloc (a, (n ? n : 1) * sizeof *out->containers);
  for (size_t i = 0; i < n; i++)
    {
      Runtime__V1__Container *k = list_entry (s, a, ids[i]);
      if (k && container_matches (r->filter, k))
        out->containers[out->n_containers++] = k;
    }
  *resp = &out->base;
  return 0;
}

int
cri_exec_sync (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
               ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ExecSyncRequest *r = (const void *) req;
  Runtime__V1__ExecSyncResponse *out = cri_alloc (a, sizeof *out);
  cleanup_free char **argv = calloc (r->n_cmd + 1, sizeof *argv);
  struct husk_exec_result res = { 0 };
  int timeout = r->timeout < 0 ? 0 : r->timeout > INT_MAX ? INT_MAX : (int) r->timeout;

  if (argv == NULL)
    return husk_error_set (err, ENOMEM, "ExecSync");
  if (r->n_cmd == 0)
    return husk_error_set (err, EINVAL, "ExecSync: cmd is required");
  for (size_t i = 0; i < r->n_cmd; i++)
    argv[i] = r->cmd[i];
  if (known (s, r->container_id, err) < 0
      || husk_pod_container_exec_sync (s->opts.env, r->container_id, argv, timeout, &res, err)
             < 0)
    return -1;
  if (res.timed_out)
    {
      husk_exec_result_free (&res);
      return husk_error_set (err, ETIMEDOUT, "ExecSync: command timed out after %ds", timeout);
    }
  runtime__v1__exec_sync_response__init (out);
  out->stdout.data = cri_alloc (a, res.out_len);
  memcpy (out->stdout.data, res.out ? res.out : "", res.out_len);
  out->stdout.len = res.out_len;
  out->stderr.data = cri_alloc (a, res.err_len);
  memcpy (out->stderr.data, res.err ? res.err : "", res.err_len);
  out->stderr.len = res.err_len;
  out->exit_code = res.exit_code;
  husk_exec_result_free (&res);
  *resp = &out->base;
  return 0;
}

/* The kubelet rotates a container's log by renaming the file at its path
 * and asking for a new one there.  Until the first rotation that path is
 * our link to the holder's own file (link_log): nothing to reopen. */
int
cri_reopen_container_log (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                          ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ReopenContainerLogRequest *r = (const void *) req;
  Runtime__V1__ReopenContainerLogResponse *out = cri_alloc (a, sizeof *out);
  cleanup_msg Runtime__V1__ContainerConfig *c = NULL;
  struct husk_pod_container_status ps = { 0 };
  const char *path;
  struct stat st;
  bool running;
  if (known (s, r->container_id, err) < 0
      || cri_store_get (s, "containers", r->container_id, &runtime__v1__container_config__descriptor,
                        (ProtobufCMessage **) &c, err)
             < 0
      || husk_pod_container_status (s->opts.env, r->container_id, &ps, err) < 0)
    return -1;
  running = ps.state == HUSK_POD_CONTAINER_RUNNING;
  husk_pod_container_status_free (&ps);
  if (!running)
    return husk_error_set (err, EBUSY, "container `%s` is not running", r->container_id);
  path = log_path (s, a, r->container_id, c, NULL);
  if (path[0] && !(lstat (path, &st) == 0 && S_ISLNK (st.st_mode))
      && husk_pod_container_reopen_log (s->opts.env, r->container_id, path, err) < 0)
    return -1;
  runtime__v1__reopen_container_log_response__init (out);
  *resp = &out->base;
  return 0;
}
