/* Idmapped bind mounts (mounts[].uidMappings/gidMappings, options idmap
 * and ridmap; Linux 5.12): the kernel maps file owners through a user
 * namespace given by fd.  That namespace is made by a helper child born in
 * a new user namespace; we write its maps, keep its ns file, and let it
 * go, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs_internal.h"

bool
husk_mount_wants_idmap (const struct oci_mount *m, const struct husk_mount_options *o)
{
  return (o->extra & (HUSK_MOUNT_IDMAP | HUSK_MOUNT_RIDMAP)) || m->uid_mappings_len > 0
         || m->gid_mappings_len > 0;
}

static int
write_map (const char *proc_pid, const char *field, const char *file,
           const struct oci_id_mapping *map, size_t len, struct husk_error **err)
{
  char path[64], buf[4096];
  size_t used = 0;
  for (size_t i = 0; i < len && used < sizeof buf; i++)
    used += snprintf (buf + used, sizeof buf - used, "%u %u %u\n", map[i].container_id,
                      map[i].host_id, map[i].size);
  if (used >= sizeof buf)
    return husk_error_set (err, E2BIG, "%s: too many mappings", field);
  snprintf (path, sizeof path, "/proc/%s/%s", proc_pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, used) != (ssize_t) used)
    return husk_error_set (err, errno, "%s: write %s of the idmap user namespace", field, file);
  return 0;
}

static int
write_maps (const struct oci_config *config, const struct oci_mount *m, const char *proc_pid,
            struct husk_error **err)
{
  const struct oci_linux *l = config->linux_;
  bool own = m->uid_mappings_len > 0 || m->gid_mappings_len > 0;
  if (!own && (l == NULL || l->uid_mappings_len == 0))
    return husk_error_set (err, EINVAL, "idmap: no uidMappings on the mount nor the container");
  /* errors name the field the mappings came from: the mount's or the container's */
  char uid_field[512] = "linux.uidMappings", gid_field[512] = "linux.gidMappings";
  if (own)
    {
      snprintf (uid_field, sizeof uid_field, "mount \"%s\": uidMappings", m->destination);
      snprintf (gid_field, sizeof gid_field, "mount \"%s\": gidMappings", m->destination);
    }
  if (write_map (proc_pid, uid_field, "uid_map", own ? m->uid_mappings : l->uid_mappings,
                 own ? m->uid_mappings_len : l->uid_mappings_len, err) < 0)
    return -1;
  return write_map (proc_pid, gid_field, "gid_map", own ? m->gid_mappings : l->gid_mappings,
                    own ? m->gid_mappings_len : l->gid_mappings_len, err);
}

/* The helper: tells its pid as the mounted /proc names it (we may be in a
 * new pid namespace while /proc is still the host's), then waits for the
 * socket to close.  Only system calls: we may be a forked copy. */
static void
helper (int sock, int parent_end)
{
  char pid[32];
  close (parent_end); /* else our read below never sees the parent close it */
  ssize_t n = readlink ("/proc/self", pid, sizeof pid);
  if (n <= 0 || write (sock, pid, n) != n || read (sock, pid, 1) < 0)
    _exit (1);
  _exit (0);
}

/* An fd on a new user namespace holding the mapping. */
static int
idmap_userns (const struct oci_config *config, const struct oci_mount *m, struct husk_error **err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return husk_error_set (err, errno, "socketpair");
  cleanup_close int mine = sv[0], theirs = sv[1];
  /* A raw clone, fork-like: the child is born in its user namespace, so
   * there is no window before its maps can be written. */
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid < 0)
    return husk_error_set (err, errno, "clone a user namespace for an idmapped mount");
  if (pid == 0)
    helper (theirs, mine);
  close (steal_fd (&theirs));
  char proc_pid[32] = "", path[64];
  ssize_t n = read (mine, proc_pid, sizeof proc_pid - 1);
  snprintf (path, sizeof path, "/proc/%s/ns/user", proc_pid);
  int fd = -1;
  if (n <= 0)
    husk_error_set (err, n < 0 ? errno : EPIPE, "idmap helper did not start");
  else if (write_maps (config, m, proc_pid, err) == 0 && (fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    husk_error_set (err, errno, "open %s", path);
  close (steal_fd (&mine));
  waitpid (pid, NULL, 0);
  return fd;
}

/* A detached copy of `source` whose owners the kernel maps through a new
 * user namespace.  Needs CAP_SYS_ADMIN where `source`'s filesystem was
 * mounted: the host's user namespace, so the runtime's parent makes it. */
static int
idmapped_tree (const struct oci_config *config, const struct oci_mount *m,
               const struct husk_mount_options *o, const char *source, struct husk_error **err)
{
  cleanup_close int userns = idmap_userns (config, m, err);
  if (userns < 0)
    return husk_error_wrap (err, "idmapped mount \"%s\"", m->destination);
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((o->flags & MS_REC) ? AT_RECURSIVE : 0);
  cleanup_close int tree = open_tree (AT_FDCWD, source, flags);
  if (tree < 0)
    return husk_error_set (err, errno, "idmapped mount \"%s\": open_tree \"%s\"",
                           m->destination, source);
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
  unsigned at = AT_EMPTY_PATH | ((o->extra & HUSK_MOUNT_RIDMAP) ? AT_RECURSIVE : 0);
  if (mount_setattr (tree, "", at, &attr, sizeof attr) < 0)
    return husk_error_set (err, errno,
                           "idmapped mount \"%s\" of \"%s\" (the kernel or the filesystem may not "
                           "support idmapped mounts)",
                           m->destination, source);
  return steal_fd (&tree);
}

int
husk_mount_idmapped (const struct rootfs_ctx *ctx, const struct oci_mount *m,
                     const struct husk_mount_options *o, const char *source, int target_fd,
                     struct husk_error **err)
{
  size_t index = (size_t) (m - ctx->config->mounts);
  const int *made = ctx->opts->idmap_userns_fds;
  cleanup_close int tree = made && made[index] >= 0 ? dup (made[index])
                                                    : idmapped_tree (ctx->config, m, o, source, err);
  if (tree < 0 && made && made[index] >= 0)
    return husk_error_set (err, errno, "idmapped mount \"%s\": dup", m->destination);
  if (tree < 0)
    return -1;
  return husk_mount_move (tree, source, target_fd, m->destination, err);
}

void
husk_rootfs_idmap_release (const struct oci_config *config, int **fds)
{
  for (size_t i = 0; *fds && i < config->mounts_len; i++)
    if ((*fds)[i] >= 0)
      close ((*fds)[i]);
  free (steal_pointer (fds));
}

/* runc's mount-source fds: in a user namespace the container's root may
 * not even traverse the directories above a bind's source, so the source
 * is opened here, with the runtime's credentials, as a detached copy. */
static int
bind_tree (const struct oci_mount *m, const struct husk_mount_options *o, const char *source,
           struct husk_error **err)
{
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((o->flags & MS_REC) ? AT_RECURSIVE : 0);
  int tree = open_tree (AT_FDCWD, source, flags);
  if (tree < 0)
    return husk_error_set (err, errno, "mount \"%s\" on \"%s\" (bind): open_tree", source,
                           m->destination);
  return tree;
}

static bool
is_bind (const struct oci_mount *m, const struct husk_mount_options *o)
{
  return (o->flags & MS_BIND) || (m->type && strcmp (m->type, "bind") == 0);
}

/* The tree of mount m made here (its source relative to the bundle):
 * idmapped, or in a user namespace any bind; -1 without error when none,
 * -2 on an error. */
static int
prepare_one (const struct oci_config *config, const char *bundle, bool in_user_ns,
             const struct oci_mount *m, struct husk_error **err)
{
  struct husk_mount_options o;
  cleanup_free char *joined = NULL;
  if (husk_mount_options_parse (m->options, m->options_len, &o, err) < 0)
    return -2;
  int fd = -1;
  bool idmap = husk_mount_wants_idmap (m, &o);
  if ((idmap || (in_user_ns && is_bind (m, &o))) && m->source)
    {
      if (m->source[0] != '/' && bundle && asprintf (&joined, "%s/%s", bundle, m->source) < 0)
        husk_error_set (err, ENOMEM, "mount \"%s\"", m->destination);
      else if (idmap)
        fd = idmapped_tree (config, m, &o, joined ? joined : m->source, err);
      else
        fd = bind_tree (m, &o, joined ? joined : m->source, err);
      if (fd < 0)
        fd = -2;
    }
  husk_mount_options_release (&o);
  return fd;
}

static int *
alloc_fds (size_t len)
{
  int *fds = malloc (len * sizeof *fds);
  for (size_t i = 0; fds && i < len; i++)
    fds[i] = -1;
  return fds;
}

int
husk_rootfs_idmap_prepare (const struct oci_config *config, const char *bundle, bool in_user_ns,
                           int **out, struct husk_error **err)
{
  *out = NULL;
  for (size_t i = 0; i < config->mounts_len; i++)
    {
      int fd = prepare_one (config, bundle, in_user_ns, &config->mounts[i], err);
      if (fd == -2)
        break;
      if (fd < 0)
        continue;
      if (*out == NULL && (*out = alloc_fds (config->mounts_len)) == NULL)
        {
          close (fd);
          husk_error_set (err, ENOMEM, "idmapped mounts");
          break;
        }
      (*out)[i] = fd;
    }
  if (*err == NULL)
    return 0;
  husk_rootfs_idmap_release (config, out);
  return -1;
}
