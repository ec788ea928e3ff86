/* The mountinfo reader and option strings that replaced libmount. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mount/mountinfo.h"
#include "tap.h"

struct seen {
  int n;
  char targets[4][64], types[4][16], opts[4][64];
  unsigned long devno[4];
  unsigned long long ids[4];
};

static int
collect (const struct husk_mountinfo *m, void *data, struct husk_error **err)
{
  struct seen *s = data;
  (void) err;
  if (s->n < 4)
    {
      snprintf (s->targets[s->n], sizeof s->targets[0], "%s", m->target);
      snprintf (s->types[s->n], sizeof s->types[0], "%s", m->fstype);
      snprintf (s->opts[s->n], sizeof s->opts[0], "%s", m->super_opts);
      s->devno[s->n] = (unsigned long) m->devno;
      s->ids[s->n] = m->id;
    }
  s->n++;
  return 0;
}

static void
test_parse (void)
{
  char path[] = "/tmp/husk-mountinfo-XXXXXX";
  int fd = mkstemp (path);
  static const char text[]
      = "22 27 0:21 / /proc rw,relatime shared:12 - proc proc rw\n"
        "35 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "garbage line\n"
        "40 27 8:1 /a\\040b /mnt/with\\040space rw master:1 shared:2 - ext4 /dev/sda1 rw\n";
  struct seen s = { 0 };
  struct husk_error *err = NULL;

  ok (fd >= 0 && write (fd, text, sizeof text - 1) == (ssize_t) (sizeof text - 1), "fixture");
  close (fd);
  is_int (husk_mountinfo_each (path, collect, &s, &err), 0, "read the fixture");
  is_int (s.n, 3, "three well formed entries");
  is_str (s.targets[0], "/proc", "target");
  is_str (s.types[1], "cgroup", "type after the separator");
  is_str (s.opts[1], "rw,cpu,cpuacct", "super options");
  is_str (s.targets[2], "/mnt/with space", "octal escape undone");
  is_str (s.types[2], "ext4", "optional fields skipped");
  ok (s.devno[2] == (8ul << 8 | 1), "device number");
  is_int (s.ids[2], 40, "mount id");
  unlink (path);
  ok (husk_mountinfo_each ("/nonexistent/mountinfo", collect, &s, &err) < 0 && err,
      "missing file is an error");
  husk_error_release (&err);
}

/* The last mount listed at /proc is the one visible there. */
static int
find_proc (const struct husk_mountinfo *m, void *data, struct husk_error **err)
{
  int *visible = data;
  (void) err;
  if (strcmp (m->target, "/proc") == 0)
    *visible = husk_mountinfo_visible (m);
  return 0;
}

static void
test_visible (void)
{
  struct husk_error *err = NULL;
  int visible = -1;
  is_int (husk_mountinfo_each (NULL, find_proc, &visible, &err), 0, "read our mountinfo");
  is_int (visible, 1, "the mount at /proc is visible");
  struct husk_mountinfo fake = { .id = 0, .target = "/proc" };
  ok (!husk_mountinfo_visible (&fake), "another mount id at /proc is hidden");
}

/* Visibility from the table alone, on the shape of the benchmarks' cgroup
 * view (a tmpfs over /sys/fs/cgroup with the hierarchies moved onto it,
 * the old ones still listed below) and of mounts stacked or covered. */
struct vis {
  int n;
  char seen[16][80];
};

static int
collect_visible (const struct husk_mountinfo *m, void *data, struct husk_error **err)
{
  struct vis *v = data;
  (void) err;
  if (v->n < 16)
    snprintf (v->seen[v->n++], sizeof v->seen[0], "%llu %s %d", m->id, m->target,
              husk_mountinfo_visible (m));
  return 0;
}

static void
test_visible_table (void)
{
  char path[] = "/tmp/husk-mountinfo-XXXXXX";
  int fd = mkstemp (path);
  static const char text[]
      = "49 1 254:0 / / rw - ext4 /dev/vda1 rw\n"
        "55 49 0:22 / /sys rw - sysfs sysfs rw\n"
        "63 55 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
        "64 63 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
        "75 63 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
        "103 112 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
        "112 63 0:42 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
        "120 49 0:50 / /mnt rw - tmpfs y rw\n"
        "121 120 0:51 / /mnt rw - tmpfs z rw\n"
        "122 121 0:52 / /mnt/a/b rw - tmpfs w rw\n"
        "123 121 0:53 / /mnt/a rw - tmpfs v rw\n";
  static const char *const want[] = {
    "49 / 1", "55 /sys 1", "63 /sys/fs/cgroup 0", "64 /sys/fs/cgroup/cpu 0",
    "75 /sys/fs/cgroup/unified 0", "103 /sys/fs/cgroup/cpu 1", "112 /sys/fs/cgroup 1",
    "120 /mnt 0", "121 /mnt 1", "122 /mnt/a/b 0", "123 /mnt/a 1",
  };
  struct vis v = { 0 };
  struct husk_error *err = NULL;

  ok (fd >= 0 && write (fd, text, sizeof text - 1) == (ssize_t) (sizeof text - 1), "fixture");
  close (fd);
  is_int (husk_mountinfo_each (path, collect_visible, &v, &err), 0, "read the fixture");
  is_int (v.n, 11, "every entry");
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    is_str (v.seen[i], want[i], "visibility of entry %zu", i);
  unlink (path);
}

static void
test_optstr (void)
{
  ok (husk_optstr_has ("rw,cpu,cpuacct", "cpu"), "cpu");
  ok (husk_optstr_has ("rw,cpu,cpuacct", "cpuacct"), "cpuacct");
  ok (!husk_optstr_has ("rw,cpuacct", "cpu"), "cpu is not a prefix match");
  ok (husk_optstr_has ("rw,name=systemd", "name=systemd"), "key=value");
  ok (!husk_optstr_has ("rw,name=systemdx", "name=systemd"), "value matched whole");
  ok (husk_optstr_has ("rw,name=systemd", "name"), "bare key");
  char *s = husk_optstr_without ("rw,cpu,cpuacct", "rw");
  is_str (s, "cpu,cpuacct", "rw removed");
  free (s);
  s = husk_optstr_without ("cpu,ro", "ro");
  is_str (s, "cpu", "ro removed at the end");
  free (s);
}

static void
test_mountpoint (void)
{
  char *m = husk_mountpoint_of ("/proc/self");
  is_str (m, "/proc", "mountpoint of /proc/self");
  free (m);
  m = husk_mountpoint_of ("/");
  is_str (m, "/", "mountpoint of /");
  free (m);
}

int
main (void)
{
  test_parse ();
  test_optstr ();
  test_mountpoint ();
  test_visible ();
  test_visible_table ();
  return tap_done ();
}
