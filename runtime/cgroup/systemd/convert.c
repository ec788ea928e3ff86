/* The systemd driver's pure conversions (see convert.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../oci/cleanup.h"
#include "convert.h"

uint64_t
husk_sd_cpu_quota_per_sec (int64_t quota, uint64_t period)
{
  uint64_t per_sec;
  if (quota <= 0)
    return HUSK_SD_INFINITY;
  if (period == 0)
    period = 100000;
  per_sec = (uint64_t) quota * 1000000 / period;
  if (per_sec % 10000 != 0)
    per_sec = (per_sec / 10000 + 1) * 10000;
  return per_sec;
}

static int
set_bit (uint8_t **bits, size_t *len, unsigned long id, struct husk_error **err)
{
  size_t byte = id / 8;
  if (byte >= *len)
    {
      uint8_t *nb = realloc (*bits, byte + 1);
      if (nb == NULL)
        return husk_error_set (err, ENOMEM, "cpuset bits");
      memset (nb + *len, 0, byte + 1 - *len);
      *bits = nb;
      *len = byte + 1;
    }
  (*bits)[byte] |= (uint8_t) (1u << (id % 8));
  return 0;
}

int
husk_sd_range_to_bits (const char *list, uint8_t **bits, size_t *len, struct husk_error **err)
{
  cleanup_free uint8_t *out = NULL;
  size_t n = 0;
  const char *p = list;

  while (*p)
    {
      char *end;
      unsigned long lo, hi;
      if (*p < '0' || *p > '9')
        return husk_error_set (err, EINVAL, "cpuset \"%s\": not a list of ids", list);
      lo = hi = strtoul (p, &end, 10);
      if (*end == '-')
        {
          if (end[1] < '0' || end[1] > '9')
            return husk_error_set (err, EINVAL, "cpuset \"%s\": not a list of ids", list);
          hi = strtoul (end + 1, &end, 10);
        }
      /* 8192 ids is systemd's own bound on a cpu set */
      if (hi < lo || hi >= 8192)
        return husk_error_set (err, EINVAL, "cpuset \"%s\": bad range", list);
      for (unsigned long id = lo; id <= hi; id++)
        if (set_bit (&out, &n, id, err) < 0)
          return -1;
      if (*end == ',')
        end++;
      else if (*end != '\0')
        return husk_error_set (err, EINVAL, "cpuset \"%s\": not a list of ids", list);
      p = end;
    }
  *bits = steal_pointer (&out);
  *len = n;
  return 0;
}

/* The name /proc/devices gives `major` in the section of `type`. */
static char *
major_name (char type, int64_t major, const char *proc_devices)
{
  const char *section = type == 'c' ? "Character devices:" : "Block devices:";
  const char *p = proc_devices ? strstr (proc_devices, section) : NULL;
  if (p == NULL)
    return NULL;
  p = strchr (p, '\n');
  while (p && *++p && *p != '\n')
    {
      char name[64];
      long m;
      if (sscanf (p, " %ld %63s", &m, name) == 2 && m == major)
        return strdup (name);
      p = strchr (p, '\n');
    }
  return NULL;
}

int
husk_sd_device_node (char type, int64_t major, int64_t minor, const char *proc_devices,
                     char **out, struct husk_error **err)
{
  const char *kind = type == 'c' ? "char" : "block";
  int r;
  *out = NULL;
  if (major < 0)
    r = asprintf (out, "%s-*", kind);
  else if (minor >= 0)
    r = asprintf (out, "/dev/%s/%" PRId64 ":%" PRId64, kind, major, minor);
  else
    {
      cleanup_free char *name = major_name (type, major, proc_devices);
      if (name == NULL)
        return 0; /* systemd has no way to say it: cgroupfs still enforces it */
      r = asprintf (out, "%s-%s", kind, name);
    }
  if (r < 0)
    {
      *out = NULL;
      return husk_error_set (err, ENOMEM, "device rule");
    }
  return 0;
}
