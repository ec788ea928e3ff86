/* Resolution inside the rootfs against a real tmpdir with planted symlinks:
 * nothing may resolve, or be created, outside it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../oci/cleanup.h"
#include "safe_path.h"
#include "tap.h"

static char outside[] = "/tmp/husk-safe-path-XXXXXX";
static char root[4096];

static void
setup_tree (void)
{
  /* An "outside" directory next to the root, with a victim file. */
  snprintf (root, sizeof root, "%s/root", outside);
  mkdir (root, 0755);
  char victim[4200];
  snprintf (victim, sizeof victim, "%s/victim", outside);
  close (open (victim, O_CREAT | O_WRONLY, 0644));
}

static int
open_root (void)
{
  return open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void
plant (const char *target, const char *name)
{
  char path[4200];
  snprintf (path, sizeof path, "%s/%s", root, name);
  if (symlink (target, path) < 0)
    ok (false, "symlink %s -> %s: %s", name, target, strerror (errno));
}

static bool
inside (int fd)
{
  char link[64], real[4096];
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (link, real, sizeof real - 1);
  if (n < 0)
    return false;
  real[n] = '\0';
  return strncmp (real, root, strlen (root)) == 0
         && (real[strlen (root)] == '/' || real[strlen (root)] == '\0');
}

static bool
exists_in (const char *dir, const char *name)
{
  char path[4200];
  struct stat st;
  snprintf (path, sizeof path, "%s/%s", dir, name);
  return lstat (path, &st) == 0;
}

typedef int (*opener) (int root_fd, const char *path, int flags);

static void
plant_all (void)
{
  char abs[4200];
  snprintf (abs, sizeof abs, "%s/victim", outside);
  plant ("../../..", "up");
  plant (abs, "abs");
  plant ("/proc/self/root", "magic");
  plant ("loop2", "loop1");
  plant ("loop1", "loop2");
}

/* The same questions to openat2 and to the user-space walk. */
static void
test_open (int root_fd, opener open_in_root, const char *how)
{
  int fd = open_in_root (root_fd, "/", O_PATH);
  ok (fd >= 0 && inside (fd), "%s: / is the root", how);
  close (fd);

  fd = open_in_root (root_fd, "up", O_PATH);
  ok (fd >= 0 && inside (fd), "%s: a ../../.. symlink stops at the root", how);
  close (fd);

  fd = open_in_root (root_fd, "../../../victim", O_PATH);
  ok (fd < 0 && errno == ENOENT, "%s: ../ escapes do not reach the outside victim", how);

  fd = open_in_root (root_fd, "up/victim", O_PATH);
  ok (fd < 0 && errno == ENOENT, "%s: nor through a ../ symlink", how);

  fd = open_in_root (root_fd, "abs", O_PATH);
  ok (fd < 0 && errno == ENOENT, "%s: an absolute symlink to the host resolves inside", how);

  fd = open_in_root (root_fd, "magic/etc", O_PATH);
  ok (fd < 0, "%s: a symlink to a /proc magic link stays inside", how);

  fd = open_in_root (root_fd, "loop1", O_PATH);
  ok (fd < 0 && errno == ELOOP, "%s: a symlink loop is ELOOP", how);

  fd = open_in_root (root_fd, "abs", O_PATH | O_NOFOLLOW);
  struct stat st;
  ok (fd >= 0 && fstat (fd, &st) == 0 && S_ISLNK (st.st_mode),
      "%s: O_NOFOLLOW gives the last symlink itself", how);
  close (fd);
}

static void
test_error (int root_fd)
{
  struct husk_error *err = NULL;
  is_int (husk_safe_open (root_fd, "/nothing/here", O_PATH, &err), -1, "missing path fails");
  ok (err && err->errnum == ENOENT && strstr (err->message, "/nothing/here"),
      "the error names the path: %s", err ? err->message : "");
  husk_error_release (&err);
}

/* After test_create made a/b/c and a/b/file. */
static void
test_open_made (int root_fd, opener open_in_root, const char *how)
{
  int fd = open_in_root (root_fd, "/up/a/./b/../b/c", O_RDONLY | O_DIRECTORY);
  ok (fd >= 0 && inside (fd), "%s: ., .. and a ../ symlink in the middle", how);
  close (fd);
  fd = open_in_root (root_fd, "/a/b/file", O_PATH | O_DIRECTORY);
  ok (fd < 0 && errno == ENOTDIR, "%s: O_DIRECTORY on a file is ENOTDIR", how);
  fd = open_in_root (root_fd, "/a/b/file/x", O_PATH);
  ok (fd < 0 && errno == ENOTDIR, "%s: a file in the middle is ENOTDIR", how);
  fd = open_in_root (root_fd, "hostlink/sub/", O_PATH);
  ok (fd >= 0 && inside (fd), "%s: an absolute symlink made inside resolves there", how);
  close (fd);
}

static void
test_create (int root_fd)
{
  struct husk_error *err = NULL;
  char abs[4200];

  int fd = husk_safe_create (root_fd, "/a/b/c", HUSK_SAFE_DIR, &err);
  ok (fd >= 0 && inside (fd) && exists_in (root, "a/b/c"), "creates nested directories");
  close (fd);
  husk_error_release (&err);

  fd = husk_safe_create (root_fd, "/a/b/file", HUSK_SAFE_FILE, &err);
  struct stat st;
  ok (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode), "creates a file mount point");
  close (fd);
  husk_error_release (&err);

  fd = husk_safe_create (root_fd, "/a/b/c", HUSK_SAFE_DIR, &err);
  ok (fd >= 0 && inside (fd), "an existing directory is opened");
  close (fd);
  husk_error_release (&err);

  /* An absolute symlink to the host's outside dir: created inside root. */
  snprintf (abs, sizeof abs, "%s/created", outside);
  plant (abs, "hostlink");
  fd = husk_safe_create (root_fd, "/hostlink/sub", HUSK_SAFE_DIR, &err);
  ok (fd >= 0 && inside (fd), "a dangling absolute symlink is followed inside the root");
  ok (!exists_in (outside, "created"), "nothing is created on the host");
  char within[4200];
  snprintf (within, sizeof within, "%s%s", root, outside);
  ok (exists_in (within, "created/sub"), "the target is made under the root");
  close (fd);
  husk_error_release (&err);

  plant ("../../../../escaped", "uplink");
  fd = husk_safe_create (root_fd, "/uplink", HUSK_SAFE_FILE, &err);
  ok (fd >= 0 && inside (fd) && exists_in (root, "escaped"), "a ../ dangling symlink lands in root");
  ok (!exists_in (outside, "escaped") && !exists_in ("/", "escaped"), "and not above it");
  close (fd);
  husk_error_release (&err);

  fd = husk_safe_create (root_fd, "/../../x/../../y", HUSK_SAFE_DIR, &err);
  ok (fd >= 0 && inside (fd) && exists_in (root, "y") && !exists_in (outside, "y"),
      "../ in the path stays inside");
  close (fd);
  husk_error_release (&err);

  fd = husk_safe_create (root_fd, "/loop1/sub", HUSK_SAFE_DIR, &err);
  ok (fd < 0 && err && err->errnum == ELOOP, "a symlink loop is ELOOP");
  husk_error_release (&err);

  fd = husk_safe_create (root_fd, "/a/b/file/sub", HUSK_SAFE_DIR, &err);
  ok (fd < 0 && err && err->errnum == ENOTDIR, "a file in the middle is ENOTDIR");
  husk_error_release (&err);
}

int
main (void)
{
  if (mkdtemp (outside) == NULL)
    {
      ok (false, "mkdtemp: %s", strerror (errno));
      return tap_done ();
    }
  setup_tree ();
  cleanup_close int root_fd = open_root ();
  ok (root_fd >= 0, "open the root");
  plant_all ();
  test_open (root_fd, husk_safe_openat2, "openat2");
  test_open (root_fd, husk_safe_open_walk, "walk");
  test_error (root_fd);
  test_create (root_fd);
  test_open_made (root_fd, husk_safe_openat2, "openat2");
  test_open_made (root_fd, husk_safe_open_walk, "walk");
  char cmd[4200];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", outside);
  if (system (cmd) != 0)
    ok (false, "remove %s", outside);
  return tap_done ();
}
