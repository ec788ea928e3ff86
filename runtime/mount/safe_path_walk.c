/* Resolution inside the rootfs done one component at a time in user space,
 * for where openat2 is missing (ENOSYS: Linux before 5.6, and valgrind,
 * which does not know it).  Same answers as RESOLVE_IN_ROOT: ".." stops at
 * the root, an absolute symlink starts again from the root, every symlink
 * is read as text (so a /proc magic link is never jumped through), at most
 * 40 of them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "safe_path.h"

#define MAX_DEPTH 256
#define MAX_LINKS 40

/* The directories from the root (fds[0]) down to where the walk is. */
struct walk {
  int fds[MAX_DEPTH];
  int depth;
  int links;
};

static void
walk_release (struct walk *w)
{
  for (int i = 0; i <= w->depth; i++)
    if (w->fds[i] >= 0)
      close (w->fds[i]);
}

/* Replaces *path by the target of link_fd followed by what is left of the
 * path after the link (rest). */
static int
follow (struct walk *w, int link_fd, char **path, const char *rest)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (link_fd, "", target, sizeof target - 1);
  if (n < 0)
    return -errno;
  target[n] = '\0';
  if (++w->links > MAX_LINKS)
    return -ELOOP;
  if (target[0] == '/')
    while (w->depth > 0)
      close (w->fds[w->depth--]);
  char *next = NULL;
  if (asprintf (&next, "%s/%s", target, rest) < 0)
    return -ENOMEM;
  free (*path);
  *path = next;
  return 0;
}

/* The last component, found as `fd` (O_PATH|O_NOFOLLOW) in dir. */
static int
open_last (int dir, const char *name, int fd, const struct stat *st, int flags)
{
  if ((flags & O_DIRECTORY) && !S_ISDIR (st->st_mode))
    {
      close (fd);
      return -ENOTDIR;
    }
  if (flags & O_PATH)
    return fd;
  close (fd);
  int r = openat (dir, name, flags | O_NOFOLLOW | O_CLOEXEC, 0644);
  return r < 0 ? -errno : r;
}

/* What step() returns besides an fd (the last component) or -errno. */
#define GO_ON (1 << 30)       /* next component */
#define RESTART (GO_ON + 1)   /* *path was replaced by a symlink's target */
static int
step (struct walk *w, char **path, char *comp, const char *rest, bool last, int flags)
{
  int dir = w->fds[w->depth];
  if (strcmp (comp, "..") == 0)
    {
      if (w->depth > 0)
        close (w->fds[w->depth--]);
      return GO_ON;
    }
  int fd = openat (dir, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && last && errno == ENOENT && (flags & O_CREAT))
    fd = openat (dir, comp, flags | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat (fd, &st) < 0)
    return close (fd), -errno;
  if (S_ISLNK (st.st_mode) && !(last && (flags & O_NOFOLLOW)))
    {
      int r = follow (w, fd, path, rest);
      close (fd);
      return r < 0 ? r : RESTART;
    }
  if (last)
    return open_last (dir, comp, fd, &st, flags);
  if (!S_ISDIR (st.st_mode) || w->depth + 1 >= MAX_DEPTH)
    return close (fd), S_ISDIR (st.st_mode) ? -ENAMETOOLONG : -ENOTDIR;
  w->fds[++w->depth] = fd;
  return GO_ON;
}

static int
walk (struct walk *w, char **path, int flags)
{
  size_t i = 0;
  for (;;)
    {
      char *p = *path;
      while (p[i] == '/' || (p[i] == '.' && (p[i + 1] == '/' || p[i + 1] == '\0')))
        i++;
      if (p[i] == '\0') /* the path names a directory we hold */
        {
          int fd = openat (w->fds[w->depth], ".", (flags & ~O_CREAT) | O_CLOEXEC);
          return fd < 0 ? -errno : fd;
        }
      size_t end = i + strcspn (p + i, "/"), next = end;
      while (p[next] == '/')
        next++;
      bool last = p[next] == '\0';
      p[end] = '\0';
      int r = step (w, path, p + i, p + next, last, flags);
      if (r != GO_ON && r != RESTART)
        return r;
      i = r == RESTART ? 0 : next;
    }
}

int
husk_safe_open_walk (int root_fd, const char *path, int flags)
{
  __attribute__ ((cleanup (walk_release))) struct walk w = { .depth = 0 };
  cleanup_free char *copy = strdup (path);
  w.fds[0] = openat (root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (copy == NULL || w.fds[0] < 0)
    return -1;
  int r = walk (&w, &copy, flags);
  if (r < 0)
    {
      errno = -r;
      return -1;
    }
  return r;
}
