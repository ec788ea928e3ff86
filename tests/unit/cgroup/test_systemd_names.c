/* The systemd driver's unit and slice names, as runc computes them. */
#include <stdlib.h>

#include "tap.h"
#include "systemd/unit_name.h"

static void
slice_case (const char *slice, const char *want)
{
  struct husk_error *err = NULL;
  char *out = NULL;
  int r = husk_systemd_expand_slice (slice, &out, &err);
  if (want)
    is_str (r == 0 ? out : NULL, want, "slice %s -> %s", slice, want);
  else
    ok (r < 0 && err, "slice \"%s\" is refused", slice);
  free (out);
  husk_error_release (&err);
}

static void
unit_case (const char *path, const char *slice, const char *unit, const char *cgroup)
{
  struct husk_error *err = NULL;
  struct husk_systemd_unit u = { 0 };
  int r = husk_systemd_unit_parse (path, "c1", &u, &err);
  if (!slice)
    ok (r < 0 && err, "cgroupsPath \"%s\" is refused", path ? path : "(null)");
  else
    {
      is_str (u.slice, slice, "\"%s\": slice %s", path ? path : "(null)", slice);
      is_str (u.unit, unit, "\"%s\": unit %s", path ? path : "(null)", unit);
      is_str (u.path, cgroup, "\"%s\": cgroup %s", path ? path : "(null)", cgroup);
    }
  husk_systemd_unit_clear (&u);
  husk_error_release (&err);
}

int
main (void)
{
  slice_case ("system.slice", "/system.slice");
  slice_case ("a-b.slice", "/a.slice/a-b.slice");
  slice_case ("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
  slice_case ("-.slice", "/");
  slice_case (".slice", NULL);
  slice_case ("a", NULL);
  slice_case ("a/b.slice", NULL);
  slice_case ("a--b.slice", NULL);
  slice_case ("-a.slice", NULL);
  slice_case ("a-.slice", NULL);

  unit_case ("system.slice:docker:abc", "system.slice", "docker-abc.scope",
             "/system.slice/docker-abc.scope");
  unit_case (":crio:abc", "system.slice", "crio-abc.scope", "/system.slice/crio-abc.scope");
  unit_case ("kubepods-besteffort.slice:cri-containerd:x", "kubepods-besteffort.slice",
             "cri-containerd-x.scope", "/kubepods.slice/kubepods-besteffort.slice/cri-containerd-x.scope");
  unit_case ("-.slice:p:n", "-.slice", "p-n.scope", "/p-n.scope");
  unit_case ("user.slice::my.slice", "user.slice", "my.slice", "/user.slice/my.slice");
  unit_case (NULL, "system.slice", "husk-c1.scope", "/system.slice/husk-c1.scope");
  unit_case ("", "system.slice", "husk-c1.scope", "/system.slice/husk-c1.scope");
  unit_case ("/a/b", NULL, NULL, NULL);
  unit_case ("a:b", NULL, NULL, NULL);
  unit_case ("a:b:c:d", NULL, NULL, NULL);
  unit_case ("bad:p:n", NULL, NULL, NULL);
  return tap_done ();
}
