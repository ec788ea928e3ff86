/* Containers of a pod: create through the holder, start/stop/remove through
 * the runtime, status from the files the holder writes. */
#include "pod_internal.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "../holder/holder_proto.h"
#include "pod_util.h"

HUSK_DEFINE_CLEANUP (struct husk_image, husk_image_free)

int
pod_container_file (const struct pod_env *env, const char *cid, const char *name, char **out,
                struct husk_error **err)
{
  cleanup_free char *dir = pod_container_dir (env, cid);
  *out = dir ? pod_path ("%s/%s", dir, name) : NULL;
  return *out ? 0 : husk_error_set (err, ENOMEM, "container `%s`", cid);
}

/* Everything of one container, in the order that leaves nothing behind
 * whatever state it is in: the runtime's container, the rootfs mount, the
 * directory.  A missing piece is fine. */
static int
container_teardown (const struct pod_env *env, const char *cid, struct husk_error **err)
{
  cleanup_free char *dir = pod_container_dir (env, cid);
  cleanup_free char *rootfs = pod_path ("%s/bundle/rootfs", dir ? dir : "");
  const char *const del[] = { "delete", "--force", cid, NULL };
  struct husk_error *ignored = NULL;

  if (dir == NULL || rootfs == NULL)
    return husk_error_set (err, ENOMEM, "container `%s`", cid);
  /* "does not exist" is the common answer here, and the only one we could
   * not act on anyway. */
  if (pod_runtime (env, del, 30, NULL, &ignored) < 0)
    husk_error_release (&ignored);
  if (umount2 (rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    return husk_error_set (err, errno, "unmount `%s`", rootfs);
  return pod_rm_rf (dir, err);
}

/* What a terminated attempt keeps, as the kubelet keeps it for
 * `logs --previous` and lastState: its meta, exit, started, oom and log
 * files.  The runtime's container (state dir, cgroup), the rootfs mount and
 * the writable layer go.  The OOM answer is taken while the cgroup is still
 * there (husk_pod_container_status keeps it in the directory). */
static int
container_retire (const struct husk_sandbox_env *henv, const struct pod_env *env, const char *cid,
                  struct husk_error **err)
{
  cleanup_free char *dir = pod_container_dir (env, cid);
  cleanup_free char *bundle = pod_path ("%s/bundle", dir ? dir : "");
  cleanup_free char *rootfs = pod_path ("%s/bundle/rootfs", dir ? dir : "");
  cleanup_free char *upper = pod_path ("%s/upper", dir ? dir : "");
  cleanup_free char *work = pod_path ("%s/work", dir ? dir : "");
  const char *const del[] = { "delete", "--force", cid, NULL };
  struct husk_pod_container_status st = { 0 };
  struct husk_error *ignored = NULL;

  if (!dir || !bundle || !rootfs || !upper || !work)
    return husk_error_set (err, ENOMEM, "container `%s`", cid);
  if (husk_pod_container_status (henv, cid, &st, &ignored) < 0)
    husk_error_release (&ignored);
  husk_pod_container_status_free (&st);
  if (pod_runtime (env, del, 30, NULL, &ignored) < 0)
    husk_error_release (&ignored);
  if (umount2 (rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    return husk_error_set (err, errno, "unmount `%s`", rootfs);
  if (pod_rm_rf (bundle, err) < 0 || pod_rm_rf (upper, err) < 0 || pod_rm_rf (work, err) < 0)
    return -1;
  return 0;
}

/* Before attempt `attempt` of container `name` is made: the attempt before
 * it is retired once it has exited, older ones are removed whole.  A
 * container restarting forever holds two attempts' directories, one of
 * them with a mount, a cgroup and a runtime state. */
static int
retire_attempts (const struct husk_sandbox_env *henv, const struct pod_env *env, const char *sid, const char *name, unsigned attempt,
                 struct husk_error **err)
{
  cleanup_free char *parent = pod_path ("%s/%s/containers", env->pods_root, sid);
  cleanup_dir DIR *d = parent ? opendir (parent) : NULL;

  for (struct dirent *e; d && (e = readdir (d));)
    {
      cleanup_free char *other = NULL, *exit_file = NULL;
      struct husk_error *skip = NULL;
      char other_sid[33];
      unsigned n;

      if (e->d_name[0] == '.'
          || pod_split_container_id (e->d_name, other_sid, &other, &n, &skip) < 0)
        {
          husk_error_release (&skip);
          continue;
        }
      if (strcmp (other, name) != 0 || n >= attempt
          || pod_container_file (env, e->d_name, HOLDER_EXIT_FILE, &exit_file, err) < 0)
        continue;
      if (access (exit_file, F_OK) < 0)
        continue; /* still running (a restart for a change stops it first) */
      if ((n + 1 == attempt ? container_retire (henv, env, e->d_name, err)
                            : container_teardown (env, e->d_name, err))
          < 0)
        return -1;
    }
  return 0;
}

static int
write_meta (const char *dir, const struct pod_container *c, unsigned attempt,
            struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/meta", dir);
  cleanup_free char *text = pod_path ("name=%s\nattempt=%u\nimage=%s\ncreated_at=%lld\n", c->name,
                                      attempt, c->image, (long long) pod_now_ns ());
  if (path == NULL || text == NULL)
    return husk_error_set (err, ENOMEM, "meta");
  return pod_write_file_atomic (path, text, strlen (text), 0644, err);
}

/* The init of the container a CRI container's PID namespace targets: one
 * of the same pod, running. */
static int
target_pid (const struct pod_env *env, const char *sid, const char *target, pid_t *out,
            struct husk_error **err)
{
  cleanup_free char *name = NULL, *path = NULL, *text = NULL;
  char target_sid[33];
  unsigned attempt;

  if (pod_split_container_id (target, target_sid, &name, &attempt, err) < 0)
    return husk_error_wrap (err, "pid namespace target");
  if (strcmp (target_sid, sid) != 0)
    return husk_error_set (err, EINVAL, "pid namespace target `%s`: not a container of this pod",
                           target);
  if (pod_container_file (env, target, HOLDER_INIT_PID_FILE, &path, err) < 0)
    return -1;
  if (pod_read_file (path, &text, NULL, err) < 0 || (*out = atoi (text)) <= 0
      || kill (*out, 0) < 0)
    return husk_error_set (err, ESRCH, "pid namespace target `%s`: not running", target);
  return 0;
}

static void
devices_free (struct pod_config_device *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (d[i].path);
  free (d);
}

/* The CRI's devices as the host has them: type, numbers, mode, owner. */
static int
stat_devices (const struct pod_cri_linux *x, struct pod_config_device **out,
              struct husk_error **err)
{
  struct pod_config_device *d = calloc (x->devices_len + 1, sizeof *d);
  struct stat st;

  if (d == NULL)
    return husk_error_set (err, ENOMEM, "devices");
  for (size_t i = 0; i < x->devices_len; i++)
    {
      const struct pod_device *dev = &x->devices[i];
      if (stat (dev->host_path, &st) < 0)
        {
          devices_free (d, i);
          return husk_error_set (err, errno, "device `%s`", dev->host_path);
        }
      if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
        {
          devices_free (d, i);
          return husk_error_set (err, EINVAL, "device `%s`: not a character or block device",
                                 dev->host_path);
        }
      d[i] = (struct pod_config_device) {
        .path = strdup (dev->container_path), .type = S_ISCHR (st.st_mode) ? "c" : "b",
        .major = major (st.st_rdev), .minor = minor (st.st_rdev), .mode = st.st_mode & 07777,
        .uid = st.st_uid, .gid = st.st_gid, .access = dev->permissions,
      };
      if (d[i].path == NULL)
        {
          devices_free (d, i + 1);
          return husk_error_set (err, ENOMEM, "devices");
        }
    }
  *out = d;
  return 0;
}

/* What config.json needs from the system beyond the image: the PID
 * namespace target, the devices. */
static int
resolve_cri (const struct pod_env *env, const struct pod_container *c, const char *sid,
             struct pod_config_input *in, struct husk_error **err)
{
  if (c->cri.pid == POD_PID_TARGET && target_pid (env, sid, c->cri.pid_target, &in->target_pid, err) < 0)
    return -1;
  if (c->cri.devices_len && stat_devices (&c->cri, &in->devices, err) < 0)
    return -1;
  in->devices_len = c->cri.devices_len;
  return 0;
}

/* The container's (else the pod's) Localhost seccomp profile, read from
 * its absolute path; *out stays NULL for the other types. */
static int
load_seccomp (const struct pod_spec *pod, const struct pod_container *c, yajl_val *out,
              struct husk_error **err)
{
  const struct pod_security_context *sc
      = c->security_context.seccomp_type ? &c->security_context : &pod->security_context;
  const char *path = sc->seccomp_localhost_profile;
  cleanup_free char *data = NULL;
  size_t len;
  *out = NULL;
  if (!sc->seccomp_type || strcmp (sc->seccomp_type, "Localhost") != 0)
    return 0;
  if (!path || path[0] != '/')
    return husk_error_set (err, EINVAL, "seccompProfile: localhostProfile `%s` is not an "
                           "absolute path", path ? path : "");
  if (pod_read_file (path, &data, &len, err) < 0
      || json_doc_parse (path, data, len, out, err) < 0)
    return husk_error_wrap (err, "seccomp profile");
  return 0;
}

static int
prepare_bundle (const struct pod_env *env, const struct pod_spec *pod,
                const struct pod_container *c, const char *sid, const char *cid,
                const char *dir, struct husk_error **err)
{
  cleanup_free char *rootfs = pod_path ("%s/bundle/rootfs", dir);
  cleanup_free char *upper = pod_path ("%s/upper", dir);
  cleanup_free char *work = pod_path ("%s/work", dir);
  cleanup_free char *config = pod_path ("%s/bundle/config.json", dir);
  cleanup_free char *json = NULL;
  struct husk_image *img_raw = NULL;
  size_t len;

  if (!rootfs || !upper || !work || !config)
    return husk_error_set (err, ENOMEM, "bundle");
  if (husk_image_resolve (env->image_store, c->image, &img_raw, err) < 0)
    return husk_error_wrap (err, "image `%s`", c->image);
  __attribute__ ((cleanup (husk_image_freep))) struct husk_image *img = img_raw;
  if (pod_mkdir_p (rootfs, 0755, err) < 0
      || husk_image_mount (img, upper, work, rootfs, err) < 0)
    return -1;
  struct pod_config_input in = {
    .env = env, .pod = pod, .container = c, .image = img, .sandbox_id = sid, .cid = cid,
    .holder_pid = pod_holder_pid (env, sid), .pid1 = pod_holder_pid1 (env, sid),
  };
  cleanup_json yajl_val seccomp = NULL;
  if (load_seccomp (pod, c, &seccomp, err) < 0)
    return husk_error_wrap (err, "container `%s`", c->name);
  in.seccomp = seccomp;
  /* a user named by the CRI is looked up in the image like its own User */
  const char *user = c->security_context.run_as_user_name ?: img->user;
  if (pod_image_user (rootfs, user, &in.image_user, err) < 0)
    return husk_error_wrap (err, "image `%s`", c->image);
  const struct pod_security_context *csc = &c->security_context, *psc = &pod->security_context;
  long long uid = csc->run_as_user.set   ? csc->run_as_user.value
                  : psc->run_as_user.set ? psc->run_as_user.value
                                         : in.image_user.uid;
  cleanup_free long long *gids = NULL;
  if (pod_image_groups (rootfs, uid, &gids, &in.image_gids_len, err) < 0)
    return -1;
  in.image_gids = gids;
  int ret = resolve_cri (env, c, sid, &in, err);
  if (ret == 0)
    ret = pod_config_generate (&in, &json, &len, err);
  devices_free (in.devices, in.devices_len);
  if (ret < 0)
    return -1;
  return pod_write_file_atomic (config, json, len, 0644, err);
}

/* The runtime's own words are in its --log file: add them to the error. */
static int
create_failed (const struct pod_env *env, const char *cid, struct husk_error **err)
{
  cleanup_free char *path = NULL, *log = NULL;
  struct husk_error *e = NULL;

  if (pod_container_file (env, cid, HOLDER_RUNTIME_LOG_FILE, &path, &e) < 0
      || pod_read_file (path, &log, NULL, &e) < 0)
    {
      husk_error_release (&e);
      return -1;
    }
  char *end = log + strlen (log);
  while (end > log && end[-1] == '\n')
    *--end = '\0';
  char *last = strrchr (log, '\n');
  return husk_error_wrap (err, "%s", last ? last + 1 : log);
}

static int
create_locked (const struct pod_env *env, const char *sid, const char *name, unsigned attempt,
               const char *cid, struct husk_error **err)
{
  cleanup_pod_spec struct pod_spec *pod = NULL;
  cleanup_free char *dir = pod_container_dir (env, cid);
  cleanup_free char *parent = pod_path ("%s/%s/containers", env->pods_root, sid);
  const struct pod_container *c;
  pid_t pid;

  if (pod_load_spec (env, sid, &pod, err) < 0)
    return -1;
  if ((c = pod_spec_find_container (pod, name)) == NULL)
    return husk_error_set (err, ENOENT, "pod `%s` has no container `%s`", pod->name, name);
  if (pod_holder_pid (env, sid) <= 0)
    return husk_error_set (err, ESRCH, "sandbox `%s` is not ready (no holder)", sid);
  if (dir == NULL || parent == NULL)
    return husk_error_set (err, ENOMEM, "create");
  if ((mkdir (parent, 0700) < 0 && errno != EEXIST) || mkdir (dir, 0700) < 0)
    return husk_error_set (err, errno, "container `%s`", cid);
  if (write_meta (dir, c, attempt, err) < 0
      || prepare_bundle (env, pod, c, sid, cid, dir, err) < 0)
    return -1;
  if (pod_holder_create (env, sid, cid, c, &pid, err) < 0)
    return create_failed (env, cid, err);
  return 0;
}

int
husk_pod_container_create (const struct husk_sandbox_env *henv, const char *sid, const char *name,
                           unsigned attempt, char **container_id, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_free char *cid = NULL;
  cleanup_close int lock = -1;

  if (pod_env_resolve (henv, &env, err) < 0 || pod_check_sandbox_id (sid, err) < 0)
    return -1;
  if (name == NULL || strchr (name, '/') || name[0] == '\0')
    return husk_error_set (err, EINVAL, "invalid container name");
  if ((cid = pod_path ("%s-%s-%u", sid, name, attempt)) == NULL)
    return husk_error_set (err, ENOMEM, "create");
  if (pod_lock (&env, sid, &lock, err) < 0)
    return -1;
  if (attempt > 0 && retire_attempts (henv, &env, sid, name, attempt, err) < 0)
    return husk_error_wrap (err, "create container `%s`", name);
  if (create_locked (&env, sid, name, attempt, cid, err) < 0)
    {
      struct husk_error *ignored = NULL;
      /* EEXIST: the directory is another create's, not ours to remove. */
      if ((*err)->errnum != EEXIST)
        if (container_teardown (&env, cid, &ignored) < 0)
          husk_error_release (&ignored);
      return husk_error_wrap (err, "create container `%s`", name);
    }
  *container_id = steal_pointer (&cid);
  return 0;
}

/* Resolves the environment and checks the id: the prologue of every call. */
static int
begin (const struct husk_sandbox_env *henv, const char *cid, struct pod_env *env,
       char sid[33], struct husk_error **err)
{
  if (pod_env_resolve (henv, env, err) < 0 || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  cleanup_free char *dir = pod_container_dir (env, cid);
  if (dir == NULL || access (dir, F_OK) < 0)
    return husk_error_set (err, ENOENT, "container `%s`", cid);
  return 0;
}

int
husk_pod_container_start (const struct husk_sandbox_env *henv, const char *cid,
                          struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_free char *path = NULL, *stamp = NULL;
  const char *const args[] = { "start", cid, NULL };
  char sid[33];

  if (begin (henv, cid, &env, sid, err) < 0 || pod_container_file (&env, cid, "started", &path, err) < 0)
    return -1;
  if ((stamp = pod_path ("%lld\n", (long long) pod_now_ns ())) == NULL)
    return husk_error_set (err, ENOMEM, "start");
  /* Written first: a process that exits at once has started before. */
  if (pod_write_file_atomic (path, stamp, strlen (stamp), 0644, err) < 0)
    return -1;
  if (pod_runtime (&env, args, 60, NULL, err) < 0)
    {
      unlink (path);
      return husk_error_wrap (err, "start `%s`", cid);
    }
  return 0;
}

/* No sandbox lock: stopping only signals and waits for the holder's exit
 * file, so huskd may stop several containers of one pod at once, even while
 * another of its containers is being created. */
int
husk_pod_container_stop (const struct husk_sandbox_env *henv, const char *cid, int grace_seconds,
                         struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  char sid[33];

  if (begin (henv, cid, &env, sid, err) < 0)
    return -1;
  return pod_container_stop (&env, cid, grace_seconds, err) < 0 ? husk_error_wrap (err, "stop")
                                                                  : 0;
}

int
husk_pod_container_remove (const struct husk_sandbox_env *henv, const char *cid,
                           struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  char sid[33];

  if (pod_env_resolve (henv, &env, err) < 0
      || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  if (pod_container_stop (&env, cid, 0, err) < 0 || container_teardown (&env, cid, err) < 0)
    return husk_error_wrap (err, "remove `%s`", cid);
  return 0;
}

int
pod_containers_teardown (const struct pod_env *env, const char *sid, struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/%s/containers", env->pods_root, sid);
  cleanup_dir DIR *d = dir ? opendir (dir) : NULL;

  for (struct dirent *e; d && (e = readdir (d));)
    {
      if (e->d_name[0] == '.')
        continue;
      if (pod_container_stop (env, e->d_name, 0, err) < 0
          || container_teardown (env, e->d_name, err) < 0)
        return -1;
    }
  return 0;
}
