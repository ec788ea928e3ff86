/* The systemd driver's unit and slice names (see unit_name.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../oci/cleanup.h"
#include "unit_name.h"

#define SLICE_SUFFIX ".slice"

static bool
ends_with (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

int
husk_systemd_expand_slice (const char *slice, char **out, struct husk_error **err)
{
  size_t len = strlen (slice), suffix_len = strlen (SLICE_SUFFIX);
  if (len <= suffix_len || !ends_with (slice, SLICE_SUFFIX) || strchr (slice, '/'))
    return husk_error_set (err, EINVAL, "invalid slice name: \"%s\"", slice);
  cleanup_free char *name = strndup (slice, len - suffix_len);
  if (!name)
    return husk_error_set (err, ENOMEM, "slice name");
  if (strcmp (name, "-") == 0)
    {
      *out = strdup ("/");
      return *out ? 0 : husk_error_set (err, ENOMEM, "slice path");
    }
  /* Every dash-separated prefix is a slice of its own, the parent of the
   * next: "a-b-c" -> /a.slice/a-b.slice/a-b-c.slice. */
  cleanup_free char *path = calloc (1, 1);
  if (!path)
    return husk_error_set (err, ENOMEM, "slice path");
  for (const char *p = name;;)
    {
      const char *dash = strchr (p, '-');
      size_t end = dash ? (size_t) (dash - name) : strlen (name);
      if (end == (size_t) (p - name))
        return husk_error_set (err, EINVAL, "invalid slice name: \"%s\"", slice);
      char *next = NULL;
      if (asprintf (&next, "%s/%.*s" SLICE_SUFFIX, path, (int) end, name) < 0)
        return husk_error_set (err, ENOMEM, "slice path");
      free (path);
      path = next;
      if (!dash)
        break;
      p = dash + 1;
    }
  *out = steal_pointer (&path);
  return 0;
}

int
husk_systemd_unit_parse (const char *cgroups_path, const char *id,
                         struct husk_systemd_unit *out, struct husk_error **err)
{
  cleanup_free char *copy = NULL;
  if (!cgroups_path || !*cgroups_path)
    {
      if (asprintf (&copy, ":husk:%s", id) < 0)
        return husk_error_set (err, ENOMEM, "cgroupsPath");
    }
  else if (!(copy = strdup (cgroups_path)))
    return husk_error_set (err, ENOMEM, "cgroupsPath");
  char *first = strchr (copy, ':');
  char *second = first ? strchr (first + 1, ':') : NULL;
  if (!second || strchr (second + 1, ':'))
    return husk_error_set (err, EINVAL,
                           "expected cgroupsPath to be of format \"slice:prefix:name\" for "
                           "systemd cgroups, got \"%s\" instead",
                           cgroups_path);
  *first = *second = '\0';
  const char *slice = *copy ? copy : "system.slice", *prefix = first + 1, *name = second + 1;

  struct husk_systemd_unit u = { 0 };
  cleanup_free char *slice_path = NULL;
  int r;
  if (ends_with (name, SLICE_SUFFIX))
    r = (u.unit = strdup (name)) ? 0 : -1;
  else
    r = asprintf (&u.unit, "%s-%s.scope", prefix, name); /* runc: even with no prefix */
  if (r < 0 || !(u.slice = strdup (slice)))
    {
      husk_systemd_unit_clear (&u);
      return husk_error_set (err, ENOMEM, "unit name");
    }
  if (husk_systemd_expand_slice (slice, &slice_path, err) < 0)
    {
      husk_systemd_unit_clear (&u);
      return husk_error_wrap (err, "linux.cgroupsPath \"%s\"", cgroups_path);
    }
  if (asprintf (&u.path, "%s/%s", strcmp (slice_path, "/") == 0 ? "" : slice_path, u.unit) < 0)
    {
      u.path = NULL;
      husk_systemd_unit_clear (&u);
      return husk_error_set (err, ENOMEM, "unit path");
    }
  *out = u;
  return 0;
}

void
husk_systemd_unit_clear (struct husk_systemd_unit *u)
{
  free (u->slice);
  free (u->unit);
  free (u->path);
  *u = (struct husk_systemd_unit){ 0 };
}
