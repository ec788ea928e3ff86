/* An image config's "User" as a uid and gid, the way docker and the kubelet
 * read it: `user`, `uid`, `user:group`, `uid:gid` and the mixes, names
 * looked up in the image's own /etc/passwd and /etc/group (never the
 * host's).  A user given alone takes its passwd entry's primary group.
 * The files are opened inside the mounted rootfs with RESOLVE_IN_ROOT, so a
 * symlinked /etc/passwd in an image cannot make us read a host file. */
#include "pod_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../runtime/mount/safe_path.h"

static bool
parse_id (const char *s, long long *out)
{
  char *end;
  if (s[0] < '0' || s[0] > '9')
    return false;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (*end != '\0' || errno != 0 || v > UINT32_MAX)
    return false;
  *out = v;
  return true;
}

/* The image's `file` as a stream; NULL (errno ENOENT) when it has none. */
static FILE *
open_in_rootfs (const char *rootfs, const char *file)
{
  cleanup_close int root = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int fd = root >= 0 ? husk_safe_openat2 (root, file, O_RDONLY) : -1;
  if (fd < 0 && (errno == ENOSYS || errno == EPERM) && root >= 0)
    fd = husk_safe_open_walk (root, file, O_RDONLY);
  FILE *f = fd >= 0 ? fdopen (fd, "re") : NULL;
  if (f)
    fd = -1;
  return f;
}

/* Finds the passwd entry named `name` (or with uid `uid` when name is NULL). */
static bool
passwd_lookup (const char *rootfs, const char *name, long long uid, long long *out_uid,
               long long *out_gid)
{
  cleanup_fclose FILE *f = open_in_rootfs (rootfs, "/etc/passwd");

  for (struct passwd *pw; f && (pw = fgetpwent (f)) != NULL;)
    if (name ? strcmp (pw->pw_name, name) == 0 : (long long) pw->pw_uid == uid)
      {
        *out_uid = pw->pw_uid;
        *out_gid = pw->pw_gid;
        return true;
      }
  return false;
}

static bool
group_lookup (const char *rootfs, const char *name, long long *gid)
{
  cleanup_fclose FILE *f = open_in_rootfs (rootfs, "/etc/group");

  for (struct group *gr; f && (gr = fgetgrent (f)) != NULL;)
    if (strcmp (gr->gr_name, name) == 0)
      {
        *gid = gr->gr_gid;
        return true;
      }
  return false;
}

/* `out` comes zeroed: a uid without a passwd entry keeps gid 0. */
static int
resolve_user (const char *rootfs, const char *user, struct pod_user *out, struct husk_error **err)
{
  if (parse_id (user, &out->uid))
    {
      long long same_uid;
      passwd_lookup (rootfs, NULL, out->uid, &same_uid, &out->gid);
      return 0;
    }
  if (!passwd_lookup (rootfs, user, 0, &out->uid, &out->gid))
    return husk_error_set (err, ENOENT, "user `%s`: no such user in the image's /etc/passwd",
                           user);
  return 0;
}

int
pod_image_user (const char *rootfs, const char *spec, struct pod_user *out,
                struct husk_error **err)
{
  cleanup_free char *user = NULL;
  char *group;

  memset (out, 0, sizeof *out);
  if (spec == NULL || spec[0] == '\0')
    return 0;
  if ((user = strdup (spec)) == NULL)
    return husk_error_set (err, ENOMEM, "image user");
  if ((group = strchr (user, ':')) != NULL)
    *group++ = '\0';
  if (user[0] == '\0')
    return husk_error_set (err, EINVAL, "image user `%s`: no user", spec);
  if (resolve_user (rootfs, user, out, err) < 0)
    return -1;
  if (group && group[0] && !parse_id (group, &out->gid) && !group_lookup (rootfs, group, &out->gid))
    return husk_error_set (err, ENOENT, "group `%s`: no such group in the image's /etc/group",
                           group);
  out->set = true;
  return 0;
}

int
pod_image_groups (const char *rootfs, long long uid, long long **gids, size_t *len,
                  struct husk_error **err)
{
  cleanup_fclose FILE *pf = open_in_rootfs (rootfs, "/etc/passwd");
  cleanup_free char *name = NULL;
  *gids = NULL;
  *len = 0;
  for (struct passwd *pw; pf && (pw = fgetpwent (pf)) != NULL;)
    if ((long long) pw->pw_uid == uid)
      {
        if ((name = strdup (pw->pw_name)) == NULL)
          return husk_error_set (err, ENOMEM, "image groups");
        break;
      }
  if (name == NULL)
    return 0;
  cleanup_fclose FILE *gf = open_in_rootfs (rootfs, "/etc/group");
  for (struct group *gr; gf && (gr = fgetgrent (gf)) != NULL;)
    for (char **m = gr->gr_mem; m && *m; m++)
      if (strcmp (*m, name) == 0)
        {
          long long *v = realloc (*gids, (*len + 1) * sizeof *v);
          if (v == NULL)
            {
              free (*gids);
              *gids = NULL, *len = 0;
              return husk_error_set (err, ENOMEM, "image groups");
            }
          v[(*len)++] = gr->gr_gid;
          *gids = v;
          break;
        }
  return 0;
}
