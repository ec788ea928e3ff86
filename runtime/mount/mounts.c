/* config->mounts, in order, each landing inside the rootfs (safe_path.h).
 * The shape follows runc's mountToRootfs: create the mount point, mount,
 * reopen the target (an fd opened before the mount names what is under
 * it), then remount a bind with its flags, apply recursive attributes and
 * propagation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs_internal.h"
#include "safe_path.h"

static bool
type_is (const struct oci_mount *m, const char *type)
{
  return m->type && strcmp (m->type, type) == 0;
}

static bool
mount_is_bind (const struct oci_mount *m, const struct husk_mount_options *o)
{
  return (o->flags & MS_BIND) || type_is (m, "bind");
}

/* A relative bind source is relative to the bundle, as with runc, which
 * runs from the bundle directory. */
static char *
mount_source (const struct rootfs_ctx *ctx, const struct oci_mount *m, bool bind)
{
  char *s = NULL;
  if (m->source == NULL)
    return strdup (m->type ? m->type : "none");
  if (!bind || m->source[0] == '/' || ctx->opts->bundle == NULL)
    return strdup (m->source);
  return asprintf (&s, "%s/%s", ctx->opts->bundle, m->source) < 0 ? NULL : s;
}

/* `tree`: the source opened by the parent, or -1. */
static enum husk_safe_kind
mount_point_kind (const char *source, int tree, bool bind)
{
  struct stat st;
  if (bind && (tree >= 0 ? fstat (tree, &st) : stat (source, &st)) == 0 && !S_ISDIR (st.st_mode))
    return HUSK_SAFE_FILE;
  return HUSK_SAFE_DIR;
}

/* A bind's source the parent opened for us (in a user namespace), or -1. */
static int
source_tree (const struct rootfs_ctx *ctx, const struct oci_mount *m)
{
  const int *made = ctx->opts->idmap_userns_fds;
  return made ? made[m - ctx->config->mounts] : -1;
}

/* proc, sysfs and mqueue cannot be mounted by a user namespace that does
 * not own the pid/net/ipc namespace; like crun, bind the host's instead. */
static const char *
host_fallback (const char *type)
{
  static const char *const map[][2] = {
    { "proc", "/proc" }, { "sysfs", "/sys" }, { "mqueue", "/dev/mqueue" },
  };
  for (size_t i = 0; type && i < sizeof map / sizeof map[0]; i++)
    if (strcmp (map[i][0], type) == 0)
      return map[i][1];
  return NULL;
}

/* devpts's gid= names a group that may not be mapped in a user namespace
 * (EINVAL): retry without it, as crun does. */
static char *
data_without_gid (const char *data)
{
  cleanup_free char *copy = strdup (data);
  char *out = calloc (1, strlen (data) + 1), *save = NULL;
  if (copy == NULL || out == NULL)
    return out;
  for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
    if (strncmp (w, "gid=", 4) != 0)
      sprintf (out + strlen (out), "%s%s", *out ? "," : "", w);
  return out;
}

/* Nothing may be mounted over or inside /proc but a proc (CVE-2019-16884,
 * CVE-2019-19921: a bind over /proc/self/attr defeats LSMs), except the
 * files lxcfs emulates; runc's checkProcMount.  `target_fd` is resolved,
 * so a symlink cannot hide where the mount lands. */
/* `path` with its slashes cleaned ("//a/b/" -> "/a/b") into out; false
 * when it has a "." or ".." component (then the kernel's answer counts). */
static bool
clean_path (const char *path, char *out, size_t size)
{
  size_t j = 0;
  for (const char *p = path; *p;)
    {
      while (*p == '/')
        p++;
      size_t n = strcspn (p, "/");
      if (n == 0)
        break;
      if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') || j + n + 2 > size)
        return false;
      out[j++] = '/';
      memcpy (out + j, p, n);
      j += n;
      p += n;
    }
  if (j == 0)
    out[j++] = '/';
  out[j] = '\0';
  return true;
}

/* Where target_fd is inside the root: the destination itself when it was
 * reached without a symlink (`plain`), else what the kernel says. */
static int
path_in_root (const struct rootfs_ctx *ctx, const struct oci_mount *m, int target_fd, bool plain,
              char *real, size_t size, const char **in_root, struct husk_error **err)
{
  char link[HUSK_FD_PATH_SIZE];
  if (plain && clean_path (m->destination, real, size))
    {
      *in_root = real;
      return 0;
    }
  ssize_t n = readlink (husk_fd_path (target_fd, link), real, size - 1);
  if (n < 0)
    return husk_error_set (err, errno, "mount \"%s\": resolve the target", m->destination);
  real[n] = '\0';
  size_t root_len = strlen (ctx->rootfs);
  *in_root = strncmp (real, ctx->rootfs, root_len) == 0 ? real + root_len : "";
  return 0;
}

static int
check_proc_destination (const struct rootfs_ctx *ctx, const struct oci_mount *m,
                        const char *source, int target_fd, bool plain, struct husk_error **err)
{
  static const char *const allowed[] = {
    "/cpuinfo", "/diskstats", "/meminfo", "/stat", "/swaps", "/uptime", "/loadavg",
    "/slabinfo", "/net/dev", "/sys/kernel/ns_last_pid",
  };
  char real[PATH_MAX];
  const char *in_root = "";
  if (path_in_root (ctx, m, target_fd, plain, real, sizeof real, &in_root, err) < 0)
    return -1;
  if (strncmp (in_root, "/proc", 5) != 0 || (in_root[5] != '\0' && in_root[5] != '/'))
    return 0;
  struct statfs sfs;
  if (in_root[5] == '\0')
    return type_is (m, "proc") || (statfs (source, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
               ? 0
               : husk_error_set (err, EPERM, "mount \"%s\" on \"%s\": not a proc", source,
                                 m->destination);
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (strcmp (in_root + 5, allowed[i]) == 0)
      return 0;
  return husk_error_set (err, EPERM, "mount on \"%s\": inside /proc", m->destination);
}

/* The mount itself.  *as_bind is set when a fallback made it a bind. */
static int
mount_fs (const struct rootfs_ctx *ctx, const struct oci_mount *m,
          const struct husk_mount_options *o, const char *source, int target_fd, bool *as_bind,
          struct husk_error **err)
{
  cleanup_error struct husk_error *first = NULL;
  int tree = *as_bind ? source_tree (ctx, m) : -1;
  if (tree >= 0)
    return husk_mount_move (tree, source, target_fd, m->destination, err);
  if (*as_bind)
    return husk_mount_fd (source, target_fd, m->destination, NULL,
                          MS_BIND | (o->flags & MS_REC), NULL, err);
  if (husk_mount_fd (source, target_fd, m->destination, m->type, o->flags, o->data, &first) == 0)
    return 0;

  const char *host = host_fallback (m->type);
  if (host && ctx->opts->in_user_ns && (first->errnum == EPERM || first->errnum == EBUSY))
    {
      *as_bind = true;
      return husk_mount_fd (host, target_fd, m->destination, NULL, MS_BIND | MS_REC, NULL, err);
    }
  if (type_is (m, "devpts") && first->errnum == EINVAL && o->data && strstr (o->data, "gid="))
    {
      cleanup_free char *data = data_without_gid (o->data);
      if (data && husk_mount_fd (source, target_fd, m->destination, m->type, o->flags, data,
                                 NULL) == 0)
        return 0;
    }
  return husk_error_propagate (err, &first);
}

/* What a mount needs once it is in place: the bind's flags, recursive
 * attributes, propagation.  Run on a fresh fd that names the new mount. */
static int
mount_finish (const struct rootfs_ctx *ctx, const struct oci_mount *m,
              const struct husk_mount_options *o, bool bind, struct husk_error **err)
{
  struct husk_mount_options as_bind = *o;
  if (bind)
    as_bind.flags |= MS_BIND;
  bool remount = husk_mount_options_need_remount (&as_bind);
  if (!remount && !o->rec_attr_set && !o->rec_attr_clr && o->propagation_len == 0)
    return 0; /* the common case: no lookup of the new mount needed */
  cleanup_close int fd = husk_safe_open (ctx->root_fd, m->destination, O_PATH, err);
  if (fd < 0)
    return -1;
  if (remount
      && husk_mount_remount_bind (fd, m->destination,
                                  husk_mount_options_remount_flags (&as_bind), err) < 0)
    return -1;
  if ((o->rec_attr_set || o->rec_attr_clr)
      && husk_mount_setattr (fd, m->destination, true, o->rec_attr_set, o->rec_attr_clr, err) < 0)
    return -1;
  for (size_t i = 0; i < o->propagation_len; i++)
    if (husk_mount_fd (NULL, fd, m->destination, NULL, o->propagation[i], NULL, err) < 0)
      return -1;
  return 0;
}

/* tmpcopyup: what the tmpfs covers is copied into it (runc's extension). */
static int
copy_up (const struct rootfs_ctx *ctx, const struct oci_mount *m, int lower_fd,
         struct husk_error **err)
{
  cleanup_close int upper = husk_safe_open (ctx->root_fd, m->destination,
                                            O_RDONLY | O_DIRECTORY, err);
  if (upper < 0)
    return -1;
  return husk_copy_tree (lower_fd, upper, m->destination, err);
}

/* "/dev", "/dev/" */
static bool
names_dev (const char *d)
{
  return d && strncmp (d, "/dev", 4) == 0 && d[4 + strspn (d + 4, "/")] == '\0';
}

bool
husk_mount_is_dev_readonly (const struct oci_mount *m, const struct husk_mount_options *o)
{
  return names_dev (m->destination) && (o->flags & MS_RDONLY) && !mount_is_bind (m, o);
}

static int
mount_one (struct rootfs_ctx *ctx, const struct oci_mount *m, const struct husk_mount_options *given,
           struct husk_error **err)
{
  /* A read-only /dev is mounted writable, filled, and made read-only after
   * the pivot (husk_dev_readonly_finish), as runc does. */
  struct husk_mount_options rw = *given;
  if (husk_mount_is_dev_readonly (m, given))
    rw.flags &= ~MS_RDONLY;
  const struct husk_mount_options *o = &rw;
  bool bind = mount_is_bind (m, o);
  cleanup_free char *source = mount_source (ctx, m, bind);
  if (source == NULL)
    return husk_error_set (err, ENOMEM, "mount \"%s\"", m->destination);
  /* runc: proc and sysfs "must be mounted on ordinary directory" */
  bool plain = false;
  cleanup_close int target
      = type_is (m, "proc") || type_is (m, "sysfs")
            ? husk_safe_create_dir_nofollow_plain (ctx->root_fd, m->destination, &plain, err)
            : husk_safe_create_plain (ctx->root_fd, m->destination,
                                      mount_point_kind (source, bind ? source_tree (ctx, m) : -1,
                                                        bind),
                                      &plain, err);
  if (target < 0)
    return -1;
  if (check_proc_destination (ctx, m, source, target, plain, err) < 0)
    return -1;
  if (type_is (m, "cgroup"))
    return husk_mount_cgroup (ctx, m, o, target, err);

  cleanup_close int lower = -1;
  if ((o->extra & HUSK_MOUNT_TMPCOPYUP) && type_is (m, "tmpfs"))
    {
      lower = openat (target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (lower < 0)
        return husk_error_set (err, errno, "tmpcopyup: open \"%s\"", m->destination);
    }
  int r = husk_mount_wants_idmap (m, o) ? husk_mount_idmapped (ctx, m, o, source, target, err)
                                        : mount_fs (ctx, m, o, source, target, &bind, err);
  if (r < 0)
    return -1;
  if (mount_finish (ctx, m, o, bind, err) < 0)
    return -1;
  return lower >= 0 ? copy_up (ctx, m, lower, err) : 0;
}

int
husk_mounts_setup (struct rootfs_ctx *ctx, struct husk_error **err)
{
  const struct oci_config *config = ctx->config;

  for (size_t i = 0; i < config->mounts_len; i++)
    {
      const struct oci_mount *m = &config->mounts[i];
      struct husk_mount_options o;
      if (husk_mount_options_parse (m->options, m->options_len, &o, err) < 0)
        return husk_error_wrap (err, "mounts[%zu]", i);
      int r = mount_one (ctx, m, &o, err);
      husk_mount_options_release (&o);
      if (r < 0)
        return -1;
    }
  return 0;
}

/* The last /dev mount decides, as it is the one on top. */
int
husk_dev_readonly_finish (const struct oci_config *config, struct husk_error **err)
{
  for (size_t i = config->mounts_len; i-- > 0;)
    {
      const struct oci_mount *m = &config->mounts[i];
      if (!names_dev (m->destination))
        continue;
      bool ro = false; /* the common case, rw: no parse */
      for (size_t j = 0; j < m->options_len; j++)
        ro = ro || strcmp (m->options[j], "ro") == 0;
      if (!ro)
        return 0;
      struct husk_mount_options o;
      if (husk_mount_options_parse (m->options, m->options_len, &o, err) < 0)
        return -1;
      bool readonly = husk_mount_is_dev_readonly (m, &o);
      unsigned long flags = o.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME
                                       | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME);
      husk_mount_options_release (&o);
      if (!readonly)
        return 0;
      cleanup_close int fd = open ("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return husk_error_set (err, errno, "open \"/dev\"");
      /* the pty slave is bound on /dev/console later: its mount point now
       * (closed at once: a file open for writing makes the remount EBUSY) */
      if (config->process && config->process->terminal)
        {
          int console = openat (fd, "console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
          if (console < 0)
            return husk_error_set (err, errno, "create \"/dev/console\"");
          close (console);
        }
      return husk_mount_remount_bind (fd, "/dev", flags | MS_RDONLY, err);
    }
  return 0;
}
