/* husk create: the parent's side.  The plan is made before clone(), the
 * child is driven through the sync protocol (sync.h), and a failure undoes
 * every kernel object made so far (child, cgroup, state dir). */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "../oci/json_doc.h"
#include "hooks.h"
#include "mount/rootfs.h"
#include "security/identity.h"
#include "security/seccomp.h"
#include "sync.h"

struct create_ctx {
  struct husk_runtime *rt;
  const struct husk_create_options *opts;
  struct oci_config *owned_config;
  const struct oci_config *config;
  char *config_data;
  size_t config_len;
  char bundle[PATH_MAX];
  char *rootfs;
  struct husk_state_dir dir;
  struct husk_cgroup *cg;
  struct husk_seccomp_program *seccomp;
  struct husk_plan plan;
  int *idmap_fds; /* user namespaces of idmapped mounts, per config mount */
  int sync_fd;
  int child_dirfd;
  pid_t child; /* the clone()d process (stage1 in the two-stage case) */
  pid_t pid;   /* the init */
  bool child_started;
  bool into_cgroup; /* clone3 started the child in the cgroup (v2 tree) */
  int pty_master;
  char *state_json;
};

static void
ctx_clear (struct create_ctx *c)
{
  oci_config_free (c->owned_config);
  free (c->config_data);
  free (c->rootfs);
  husk_state_dir_close (&c->dir);
  husk_cgroup_free (c->cg);
  husk_seccomp_program_free (c->seccomp);
  husk_ns_plan_clear (&c->plan.ns);
  if (c->config)
    husk_rootfs_idmap_release (c->config, &c->idmap_fds);
  free (c->plan.rlimits);
  free (c->plan.env);
  free (c->state_json);
  husk_closep (&c->sync_fd);
  husk_closep (&c->child_dirfd);
  husk_closep (&c->pty_master);
}

/* An in-process caller's config: the text is kept for the state dir. */
static int
given_config (struct create_ctx *c, struct husk_error **err)
{
  const struct husk_create_options *o = c->opts;

  if (o->config_json == NULL)
    return husk_error_plain (err, EINVAL,
                             "in-process config: its JSON text (config_json) is required, "
                             "exec and the hooks read it from the state dir");
  c->config_data = malloc (o->config_json_len + 1);
  if (c->config_data == NULL)
    return husk_error_set (err, ENOMEM, "config copy");
  memcpy (c->config_data, o->config_json, o->config_json_len);
  c->config_data[o->config_json_len] = '\0';
  c->config_len = o->config_json_len;
  c->config = o->config; /* NULL: load_config parses the text */
  return 0;
}

static int
load_config (struct create_ctx *c, struct husk_error **err)
{
  cleanup_free char *path = NULL;

  if (realpath (c->opts->bundle ? c->opts->bundle : ".", c->bundle) == NULL)
    return husk_error_set (err, errno, "bundle `%s`", c->opts->bundle ? c->opts->bundle : ".");
  if (c->opts->config || c->opts->config_json)
    {
      if (given_config (c, err) < 0)
        return -1;
      if (c->config)
        return 0;
    }
  else if (asprintf (&path, "%s/config.json", c->bundle) < 0)
    return husk_error_set (err, ENOMEM, "asprintf");
  else if (json_doc_read_file (path, &c->config_data, &c->config_len, err) < 0)
    return -1;
  if (oci_config_parse_data ("config.json", c->config_data, c->config_len, &c->owned_config,
                             err)
      < 0)
    return -1;
  c->config = c->owned_config;
  return 0;
}

static int
check_config (struct create_ctx *c, bool foreground, struct husk_error **err)
{
  const struct oci_process *p = c->config->process;

  if (p == NULL || p->args_len == 0)
    return husk_error_plain (err, EINVAL, "config.json: process.args: required");
  if (c->config->root == NULL || c->config->root->path == NULL)
    return husk_error_plain (err, EINVAL, "config.json: root.path: required");
  if (p->terminal && !foreground && c->opts->console_socket == NULL)
    return husk_error_plain (err, EINVAL,
                           "cannot allocate tty if husk will detach without setting console "
                           "socket");
  if (!p->terminal && c->opts->console_socket)
    return husk_error_plain (err, EINVAL,
                           "cannot use console socket if husk will not detach or allocate tty");
  if (c->config->root->path[0] == '/')
    c->rootfs = strdup (c->config->root->path);
  else if (asprintf (&c->rootfs, "%s/%s", c->bundle, c->config->root->path) < 0)
    c->rootfs = NULL;
  if (c->rootfs == NULL)
    return husk_error_set (err, ENOMEM, "rootfs path");
  return 0;
}

/* Without a mount namespace the container inherits the runtime's
 * (config-linux.md): mounts land under the rootfs in the runtime's mount
 * table and chroot replaces pivot_root, as runc and crun do.  What would
 * change mounts outside the rootfs is refused, in runc's words. */
static int
check_host_mount_ns (const struct oci_config *config, bool no_pivot, struct husk_error **err)
{
  const struct oci_linux *l = config->linux_;

  if (l && (l->masked_paths_len > 0 || l->readonly_paths_len > 0))
    return husk_error_plain (err, EINVAL, "config.json: unable to restrict sys entries without "
                             "a private MNT namespace (linux.maskedPaths, linux.readonlyPaths)");
  if (l && l->rootfs_propagation)
    return husk_error_plain (err, EINVAL, "config.json: linux.rootfsPropagation: unable to set "
                             "it without a private MNT namespace");
  if (config->root->readonly)
    return husk_error_plain (err, EINVAL, "config.json: root.readonly: unable to make the rootfs "
                             "read-only without a private MNT namespace");
  if (no_pivot)
    return husk_error_plain (err, EINVAL,
                             "unable to use no-pivot without a private MNT namespace");
  return 0;
}

/* In a user namespace the container's root may not reach a bind's
 * source: the parent opens it.  Not into a mount namespace joined by path,
 * where the source is to be found in that namespace, not in ours. */
static bool
bind_sources_from_parent (const struct husk_plan *plan)
{
  return plan->in_user_ns && (plan->ns.clone_flags & CLONE_NEWNS);
}

/* runc's notify socket: only for a config husk parsed itself (an
 * in-process caller's is const and has no NOTIFY_SOCKET of its own). */
static int
add_notify (struct create_ctx *c, struct husk_error **err)
{
  if (c->rt->notify_socket == NULL || c->owned_config == NULL)
    return 0;
  return husk_notify_add_to_config (c->owned_config, husk_runtime_root (c->rt), c->opts->id,
                                    err);
}

static int
make_plan (struct create_ctx *c, struct husk_error **err)
{
  const struct oci_config *config = c->config;
  struct husk_plan *plan = &c->plan;
  const struct oci_linux *l = config->linux_;

  plan->config = config;
  plan->process = config->process;
  plan->id = c->opts->id;
  plan->bundle = c->bundle;
  plan->no_pivot = c->opts->no_pivot;
  plan->no_new_keyring = c->opts->no_new_keyring;
  plan->preserve_fds = c->opts->listen_fds + c->opts->preserve_fds;
  memcpy (plan->stdio, c->opts->stdio, sizeof plan->stdio);
  plan->time_offsets = l ? &l->time_offsets : NULL;
  snprintf (plan->keyring_name, sizeof plan->keyring_name, "%s", c->opts->id); /* as runc */
  {
    cleanup_free char *unknown
        = husk_caps_unknown (config->process->capabilities, "process.capabilities");
    if (unknown)
      husk_log_warning (c->rt, "config.json: %s", unknown);
  }
  if (husk_plan_rlimits (config->process, &plan->rlimits, &plan->rlimits_len, err) < 0
      || husk_plan_env (config->process, c->opts->listen_fds, &plan->env, &plan->home_env, err) < 0
      || husk_ns_plan_init (config, &plan->ns, err) < 0)
    return -1;
  if ((config->hostname || config->domainname) && !(plan->ns.clone_flags & CLONE_NEWUTS)
      && plan->ns.join_fds[OCI_NS_UTS] < 0)
    return husk_error_plain (err, EINVAL,
                             "config.json: hostname: unable to set hostname without a private "
                             "UTS namespace");
  plan->mount_ns = (plan->ns.clone_flags & CLONE_NEWNS) || plan->ns.join_fds[OCI_NS_MOUNT] >= 0;
  if (!plan->mount_ns && check_host_mount_ns (config, c->opts->no_pivot, err) < 0)
    return -1;
  plan->in_user_ns = (plan->ns.clone_flags & CLONE_NEWUSER) || plan->ns.join_fds[OCI_NS_USER] >= 0;
  /* prestart and createRuntime hooks look at the init in its cgroup */
  plan->report_joined = config->hooks.prestart.len > 0 || config->hooks.create_runtime.len > 0;
  {
    /* asked once for the cgroup too (cached): the child's cgroup mount
     * needs it, with no statfs of its own */
    enum husk_cgroup_mode mode;
    cleanup_error struct husk_error *no_mode = NULL;
    plan->host_cgroup_mode = husk_cgroup_mode (&mode, &no_mode) < 0 ? 0 : (int) mode;
  }
  if (l && l->seccomp)
    {
      if (husk_seccomp_compile (l->seccomp, &c->seccomp, err) < 0)
        return -1;
      size_t n_notes = 0;
      const char *const *notes = husk_seccomp_program_notes (c->seccomp, &n_notes);
      plan->seccomp = c->seccomp;
      plan->seccomp_notify = husk_seccomp_program_has_notify (c->seccomp);
      for (size_t i = 0; i < n_notes; i++)
        husk_log_debug (c->rt, "seccomp: %s", notes[i]);
    }
  return 0;
}

/* Idmapped mounts and the bind sources the parent opens: after the state
 * dir, where a source of husk's own (the notify socket dir) is made. */
static int
open_mount_sources (struct create_ctx *c, struct husk_error **err)
{
  if (husk_rootfs_idmap_prepare (c->config, c->bundle, bind_sources_from_parent (&c->plan),
                                 &c->idmap_fds, err) < 0)
    return -1;
  c->plan.idmap_userns_fds = c->idmap_fds;
  return 0;
}

/* A cgroup that already has processes is used anyway, as runc 1.1 does,
 * with runc's warning: the container shares its limits with them.  One
 * made just now is empty: nothing to read on the common path. */
static void
warn_if_not_empty (struct create_ctx *c)
{
  cleanup_error struct husk_error *e = NULL;
  cleanup_free pid_t *pids = NULL;
  size_t len = 0;
  if (husk_cgroup_made (c->cg))
    return;
  if (husk_cgroup_pids (c->cg, &pids, &len, &e) == 0 && len > 0)
    husk_log_warning (c->rt, "container's cgroup is not empty: %zu process(es) found", len);
}

/* The state dir, the config kept for exec/delete, the fifo, the cgroup. */
static int
make_state (struct create_ctx *c, bool use_fifo, struct husk_error **err)
{
  const struct oci_linux *l = c->config->linux_;

  if (husk_state_dir_create (husk_runtime_root (c->rt), c->opts->id, &c->dir, err) < 0)
    return -1;
  if (c->rt->notify_socket && c->owned_config && husk_notify_make_dir (c->dir.dirfd, err) < 0)
    return -1;
  if (c->config_data
      && husk_write_file_at (c->dir.dirfd, HUSK_CONFIG_FILE, c->config_data, c->config_len,
                             0600, err)
             < 0)
    return -1;
  if (use_fifo)
    {
      /* 0622 whatever the umask: an init that switched to another user
       * reopens it through /proc/self/fd, where only this mode counts */
      if (mkfifoat (c->dir.dirfd, HUSK_FIFO_FILE, 0622) < 0
          || fchmodat (c->dir.dirfd, HUSK_FIFO_FILE, 0622, 0) < 0)
        return husk_error_set (err, errno, "mkfifo `%s/" HUSK_FIFO_FILE "`", c->dir.path);
      c->child_dirfd = openat (c->dir.dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (c->child_dirfd < 0)
        return husk_error_set (err, errno, "open `%s`", c->dir.path);
    }
  if ((c->rt->systemd_cgroup ? husk_cgroup_create_systemd : husk_cgroup_create) (
          l ? l->cgroups_path : NULL, c->opts->id, l ? l->resources : NULL, &c->cg, err)
      < 0)
    return -1;
  warn_if_not_empty (c);
  return 0;
}

static int
spawn (struct create_ctx *c, struct husk_error **err)
{
  c->plan.state_dirfd = c->child_dirfd;
  /* a mount namespace made by the child is a copy of ours: its cgroup
   * mount finds the hierarchies in the table the cgroup was made from */
  if (c->cg && c->plan.ns.join_fds[OCI_NS_MOUNT] < 0)
    c->plan.host_mountinfo = husk_cgroup_mountinfo (c->cg);
  if (c->cg
      && husk_cgroup_join_fds (c->cg, c->plan.cgroup_join_fds, HUSK_PLAN_CGROUP_FDS,
                               &c->plan.cgroup_join_len, err)
             < 0)
    return -1;
  if (husk_launch_spawn (&c->plan, c->dir.dirfd, c->cg ? husk_cgroup_dirfd (c->cg) : -1,
                         &c->sync_fd, &c->child, &c->into_cgroup, err)
      < 0)
    return -1;
  c->child_started = true;
  c->pid = c->plan.ns.any_join || c->plan.ns.create_time ? 0 : c->child;
  return 0;
}

static int
await_init_pid (struct create_ctx *c, struct husk_error **err)
{
  if (husk_launch_await_pid (c->sync_fd, c->child, c->config->linux_, &c->pid, err) < 0)
    return -1;
  c->child = 0; /* reaped */
  return 0;
}

static int
write_oom_score_adj (pid_t pid, const struct oci_process *p, struct husk_error **err)
{
  char path[64], value[32];
  cleanup_close int fd = -1;
  int n;

  if (!p->oom_score_adj.set)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/oom_score_adj", (int) pid);
  n = snprintf (value, sizeof value, "%lld", (long long) p->oom_score_adj.value);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, value, (size_t) n) != n)
    return husk_error_set (err, errno, "set oom_score_adj to %s", value);
  return 0;
}

static int
copy_annotations (struct oci_map *dst, const struct oci_map *src)
{
  if (src->len == 0)
    return 0;
  dst->keys = calloc (src->len, sizeof (char *));
  dst->values = calloc (src->len, sizeof (char *));
  if (dst->keys == NULL || dst->values == NULL)
    return -1;
  for (size_t i = 0; i < src->len; i++, dst->len++)
    {
      dst->keys[i] = strdup (src->keys[i]);
      dst->values[i] = strdup (src->values[i]);
      if (dst->keys[i] == NULL || dst->values[i] == NULL)
        return dst->len++, -1;
    }
  return 0;
}

static int
make_record (struct create_ctx *c, struct husk_state_record **out, struct husk_error **err)
{
  cleanup_state_record struct husk_state_record *rec = calloc (1, sizeof *rec);
  char created[40], owner[256] = "root";

  if (rec == NULL)
    return husk_error_set (err, ENOMEM, "calloc");
  husk_rfc3339_now (created);
  if (geteuid () != 0)
    {
      cleanup_close int fd = open ("/etc/passwd", O_RDONLY | O_CLOEXEC);
      if (fd < 0 || !husk_passwd_name (fd, geteuid (), owner, sizeof owner) || owner[0] == '\0')
        strcpy (owner, "root");
    }
  rec->id = strdup (c->opts->id);
  rec->bundle = strdup (c->bundle);
  rec->rootfs = strdup (c->rootfs);
  rec->created = strdup (created);
  rec->owner = strdup (owner);
  rec->cgroup_path = c->cg ? strdup (husk_cgroup_path (c->cg)) : NULL;
  rec->pid = c->pid;
  rec->shared_pidns = !(c->plan.ns.clone_flags & CLONE_NEWPID)
                      && c->plan.ns.join_fds[OCI_NS_PID] < 0;
  if (!rec->id || !rec->bundle || !rec->rootfs || !rec->created || !rec->owner
      || copy_annotations (&rec->annotations, &c->config->annotations) < 0)
    return husk_error_set (err, ENOMEM, "state record");
  if (husk_proc_stat (c->pid, &rec->pid_start_time, NULL) < 0)
    return husk_error_set (err, errno, "read start time of pid %d", (int) c->pid);
  *out = steal_pointer (&rec);
  return 0;
}

/* Maps, cgroup, oom score, createRuntime/prestart hooks: then GO. */
static int
prepare_child (struct create_ctx *c, const struct husk_state_record *rec,
               struct husk_error **err)
{
  const struct oci_hooks *hooks = &c->config->hooks;

  if ((c->plan.ns.clone_flags & CLONE_NEWUSER) && !c->plan.ns.any_join
      && !c->plan.ns.create_time && husk_ns_write_id_maps (c->pid, c->config->linux_, err) < 0)
    return -1;
  if (husk_cgroup_enter_rest (c->cg, c->pid, c->plan.cgroup_join_len > 0, c->into_cgroup, err) < 0
      || write_oom_score_adj (c->pid, c->config->process, err) < 0)
    return -1;
  /* Every hook of create (prestart, createRuntime, createContainer,
   * startContainer) sees "created", as crun gives it and runtime-tools'
   * hooks_stdin requires; the seccomp agent still gets "creating" (runc). */
  cleanup_free char *created = NULL;
  if (husk_hook_state (rec, OCI_STATUS_CREATING, &c->state_json, err) < 0
      || husk_hook_state (rec, OCI_STATUS_CREATED, &created, err) < 0)
    return -1;
  if (husk_hooks_run (&hooks->prestart, "prestart", created, err) < 0
      || husk_hooks_run (&hooks->create_runtime, "createRuntime", created, err) < 0)
    return -1;
  /* GO carries that state to the init for createContainer and startContainer */
  return husk_launch_send_go (c->sync_fd, created, err);
}

static int
await_ready (struct create_ctx *c, struct husk_error **err)
{
  const struct oci_seccomp *seccomp = c->config->linux_ ? c->config->linux_->seccomp : NULL;

  return husk_launch_await_ready (c->sync_fd, c->opts->console_socket, seccomp, c->state_json,
                                  c->pid, &c->pty_master, err);
}

/* Undo: the child, the cgroup, the state dir. */
static void
rollback (struct create_ctx *c)
{
  cleanup_error struct husk_error *ignored = NULL;

  if (c->pid > 0)
    kill (c->pid, SIGKILL);
  if (c->child > 0)
    kill (c->child, SIGKILL);
  if (c->child > 0)
    waitpid (c->child, NULL, 0);
  if (c->pid > 0 && c->pid != c->child)
    waitpid (c->pid, NULL, __WALL | WNOHANG);
  if (c->cg && husk_cgroup_destroy (c->cg, &ignored) < 0)
    husk_error_release (&ignored);
  if (c->child_started && !c->plan.mount_ns
      && husk_rootfs_host_mounts_undo (c->config, c->rootfs, &ignored) < 0)
    husk_error_release (&ignored);
  if (c->dir.dirfd >= 0 && husk_state_dir_remove (&c->dir, &ignored) < 0)
    husk_error_release (&ignored);
}

/* `stays`: the caller remains the parent (run): START replaces exec.fifo;
 * `foreground`: and it may copy a terminal. */
static int
create_steps (struct create_ctx *c, bool stays, bool foreground,
              struct husk_state_record **rec, struct husk_error **err)
{
  if (load_config (c, err) < 0 || check_config (c, foreground, err) < 0
      || add_notify (c, err) < 0 || make_plan (c, err) < 0 || make_state (c, !stays, err) < 0
      || open_mount_sources (c, err) < 0 || spawn (c, err) < 0
      || husk_launch_await_joined (c->sync_fd, &c->plan, err) < 0)
    return -1;
  if (c->pid == 0 && await_init_pid (c, err) < 0)
    return -1;
  husk_log_debug (c->rt, "%s: init pid %d (namespaces 0x%x%s)", c->opts->id, (int) c->pid,
                  (unsigned) c->plan.ns.clone_flags,
                  c->plan.ns.any_join || c->plan.ns.create_time ? ", two-stage" : "");
  if (make_record (c, rec, err) < 0 || prepare_child (c, *rec, err) < 0
      || await_ready (c, err) < 0)
    return -1;
  if (husk_state_record_write (c->dir.dirfd, *rec, err) < 0)
    return -1;
  if (c->opts->pid_file && husk_write_pid_file (c->opts->pid_file, c->pid, err) < 0)
    return -1;
  return 0;
}

int
husk_create_internal (struct husk_runtime *rt, const struct husk_create_options *opts,
                      struct husk_launch *launch, pid_t *pid, struct husk_error **err)
{
  struct create_ctx c = { .rt = rt, .opts = opts, .sync_fd = -1, .child_dirfd = -1,
                          .pty_master = -1, .dir = { .dirfd = -1 } };
  cleanup_state_record struct husk_state_record *rec = NULL;

  c.plan.state_dirfd = -1;
  c.plan.sync_fd = -1;
  husk_ns_plan_reset (&c.plan.ns);
  if (husk_state_validate_id (opts->id, err) < 0)
    return -1;
  if (create_steps (&c, launch != NULL, launch && !launch->detach, &rec, err) < 0)
    {
      rollback (&c);
      ctx_clear (&c);
      return -1;
    }
  if (pid)
    *pid = c.pid;
  if (launch)
    {
      launch->pid = c.pid;
      launch->sync_fd = steal_fd (&c.sync_fd);
      launch->pty_master = steal_fd (&c.pty_master);
      launch->dir = c.dir;
      c.dir = (struct husk_state_dir){ .dirfd = -1 };
      launch->rec = steal_pointer (&rec);
      launch->cg = steal_pointer (&c.cg);
      launch->config = c.config;
      launch->owned_config = steal_pointer (&c.owned_config);
    }
  ctx_clear (&c);
  return 0;
}

int
husk_container_create (struct husk_runtime *rt, const struct husk_create_options *opts,
                       pid_t *pid, struct husk_error **err)
{
  return husk_create_internal (rt, opts, NULL, pid, err);
}

void
husk_create_options_init (struct husk_create_options *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->bundle = ".";
  opts->stdio[0] = opts->stdio[1] = opts->stdio[2] = -1;
}
