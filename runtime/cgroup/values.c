/* Pure value conversions between the spec and the cgroup files.  No system
 * access here, so the unit tests check every rule directly. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

uint64_t
husk_cgroup_shares_to_weight (uint64_t shares)
{
  /* runc's ConvertCPUSharesToCgroupV2Value: maps [2, 262144] onto
   * [1, 10000] linearly. */
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
husk_cgroup_blkio_weight_to_io_weight (uint64_t weight)
{
  /* runc's ConvertBlkIOToIOWeightValue: [10, 1000] onto [1, 10000]. */
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  return 1 + (weight - 10) * 9999 / 990;
}

int
husk_cgroup_limit_string (int64_t value, char buf[static 24])
{
  if (value < 0)
    return snprintf (buf, 24, "max");
  return snprintf (buf, 24, "%" PRId64, value);
}

int
husk_cgroup_swap_to_v2 (int64_t swap, int64_t limit, bool limit_set, char **out,
                        struct husk_error **err)
{
  /* The spec's swap is v1's memsw (memory + swap); v2's memory.swap.max is
   * swap alone, so the limit is subtracted, as runc does. */
  char buf[24];
  *out = NULL;
  /* Unlimited memory with swap unset means both unlimited, as on v1. */
  if (limit_set && limit == -1 && swap == 0)
    swap = -1;
  if (swap == -1)
    {
      *out = strdup ("max");
      return *out ? 0 : husk_error_set (err, ENOMEM, "memory.swap.max");
    }
  if (swap == 0)
    return 0; /* unset, as in runc */
  if (!limit_set || limit == 0)
    return husk_error_set (err, EINVAL,
                           "linux.resources.memory.swap: %" PRId64 " needs memory.limit to be set",
                           swap);
  if (limit == -1)
    return husk_error_set (err, EINVAL,
                           "linux.resources.memory.swap: %" PRId64
                           " cannot be set with an unlimited memory.limit",
                           swap);
  if (swap < limit)
    return husk_error_set (err, EINVAL,
                           "linux.resources.memory.swap: %" PRId64
                           " is less than memory.limit %" PRId64
                           " (swap is memory+swap, as on cgroup v1)",
                           swap, limit);
  snprintf (buf, sizeof buf, "%" PRId64, swap - limit);
  *out = strdup (buf);
  return *out ? 0 : husk_error_set (err, ENOMEM, "memory.swap.max");
}

static void
dev_number (char *buf, size_t size, const oci_opt_i64 *n)
{
  if (!n->set || n->value < 0)
    snprintf (buf, size, "*");
  else
    snprintf (buf, size, "%" PRId64, n->value);
}

int
husk_cgroup_device_rule_string (const struct oci_device_cgroup *rule, char **out,
                                struct husk_error **err)
{
  const char *type = rule->type && *rule->type ? rule->type : "a";
  const char *access = rule->access && *rule->access ? rule->access : "rwm";
  char major[24], minor[24];

  if (strcmp (type, "a") != 0 && strcmp (type, "c") != 0 && strcmp (type, "b") != 0)
    return husk_error_set (err, EINVAL, "linux.resources.devices: unknown device type \"%s\"", type);
  if (strspn (access, "rwm") != strlen (access))
    return husk_error_set (err, EINVAL, "linux.resources.devices: bad access \"%s\"", access);
  dev_number (major, sizeof major, &rule->major);
  dev_number (minor, sizeof minor, &rule->minor);
  if (asprintf (out, "%s %s:%s %s", type, major, minor, access) < 0)
    return husk_error_set (err, ENOMEM, "device rule");
  return 0;
}

int
husk_cgroup_check_cpuset (const char *what, const char *list, struct husk_error **err)
{
  const char *p = list;
  bool want_digit = true;
  if (*p == '\0')
    return 0;
  for (; *p; p++)
    {
      bool digit = *p >= '0' && *p <= '9';
      if (digit)
        want_digit = false;
      else if ((*p == ',' || *p == '-') && !want_digit)
        want_digit = true;
      else if (*p == '\n' && p[1] == '\0' && !want_digit)
        break;
      else
        return husk_error_set (err, EINVAL, "%s: invalid cpuset list \"%s\"", what, list);
    }
  if (want_digit)
    return husk_error_set (err, EINVAL, "%s: invalid cpuset list \"%s\"", what, list);
  return 0;
}

#define DEV(t, maj, min, acc)                                                  \
  {                                                                            \
    .allow = true, .type = (char *) (t), .major = { (maj) >= 0, (maj) },       \
    .minor = { (min) >= 0, (min) }, .access = (char *) (acc)                   \
  }

/* runc's AllowedDevices (libcontainer/specconv), appended after the spec's
 * own rules so that a container always has its basic devices. */
static const struct oci_device_cgroup default_rules[] = {
  DEV ("c", -1, -1, "m"),   DEV ("b", -1, -1, "m"),  DEV ("c", 1, 3, "rwm"),
  DEV ("c", 1, 8, "rwm"),   DEV ("c", 1, 7, "rwm"),  DEV ("c", 5, 0, "rwm"),
  DEV ("c", 1, 5, "rwm"),   DEV ("c", 1, 9, "rwm"),  DEV ("c", 136, -1, "rwm"),
  DEV ("c", 5, 2, "rwm"),   DEV ("c", 10, 200, "rwm"),
};

int
cg_device_rules (const struct oci_resources *r, const struct oci_device_cgroup ***out,
                 size_t *len, struct husk_error **err)
{
  size_t n_spec = r ? r->devices_len : 0;
  size_t n_def = sizeof default_rules / sizeof default_rules[0];
  const struct oci_device_cgroup **v = calloc (n_spec + n_def, sizeof *v);
  if (v == NULL)
    return husk_error_set (err, ENOMEM, "device rules");
  for (size_t i = 0; i < n_spec; i++)
    v[i] = &r->devices[i];
  for (size_t i = 0; i < n_def; i++)
    v[n_spec + i] = &default_rules[i];
  *out = v;
  *len = n_spec + n_def;
  return 0;
}

char *
cg_clean_path (const char *path)
{
  /* Like runc's CleanPath: a relative path is cleaned as if rooted at "/"
   * and made relative again, so "../../x" cannot escape its parent. */
  bool absolute = path[0] == '/';
  size_t n = strlen (path);
  char *out = malloc (n + 2), *w = out;
  if (out == NULL)
    return NULL;
  *w = '\0';
  for (const char *p = path; *p;)
    {
      size_t seg;
      while (*p == '/')
        p++;
      seg = strcspn (p, "/");
      if (seg == 0 || (seg == 1 && p[0] == '.'))
        ;
      else if (seg == 2 && p[0] == '.' && p[1] == '.')
        {
          char *slash = strrchr (out, '/');
          w = slash ? slash : out;
          *w = '\0';
        }
      else
        {
          w += sprintf (w, "/%.*s", (int) seg, p);
        }
      p += seg;
    }
  if (!absolute)
    {
      if (out[0] == '/')
        memmove (out, out + 1, strlen (out)); /* the NUL included */
    }
  else if (out[0] == '\0')
    strcpy (out, "/");
  return out;
}
