/* linux.resources as systemd unit properties, the way runc's
 * libcontainer/cgroups/systemd maps them (v1: MemoryLimit, CPUShares,
 * BlockIOWeight; v2: MemoryMax, MemoryLow, MemorySwapMax, CPUWeight,
 * AllowedCPUs/AllowedMemoryNodes, IOWeight; both: CPUQuotaPerSecUSec with
 * CPUQuotaPeriodUSec, TasksMax, DevicePolicy and DeviceAllow).  The same
 * values are written through cgroupfs afterwards, as runc does; what
 * systemd has no property for exists only there. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sd_api.h"

#include "../../../oci/json_doc.h"
#include "../internal.h"
#include "convert.h"
#include "sd.h"

static int
add_u64 (sd_bus_message *m, const char *name, uint64_t value)
{
  return sd_bus_message_append (m, "(sv)", name, "t", value);
}

/* a spec limit: -1 (or below) is systemd's infinity */
static uint64_t
limit_value (int64_t v)
{
  return v < 0 ? HUSK_SD_INFINITY : (uint64_t) v;
}

static int
add_memory (sd_bus_message *m, enum husk_cgroup_mode mode, const struct oci_memory *mem,
            struct husk_error **err)
{
  int64_t limit = mem->limit.set ? mem->limit.value : 0;
  int r = 0;
  if (mode == HUSK_CGROUP_V1)
    return limit != 0 ? add_u64 (m, "MemoryLimit", limit_value (limit)) : 0;
  if (limit != 0)
    r = add_u64 (m, "MemoryMax", limit_value (limit));
  if (r >= 0 && mem->reservation.set && mem->reservation.value != 0)
    r = add_u64 (m, "MemoryLow", limit_value (mem->reservation.value));
  if (r >= 0)
    {
      cleanup_free char *swap = NULL;
      if (husk_cgroup_swap_to_v2 (mem->swap.set ? mem->swap.value : 0, limit, mem->limit.set,
                                  &swap, err) < 0)
        return -1;
      if (swap)
        r = add_u64 (m, "MemorySwapMax",
                     strcmp (swap, "max") == 0 ? HUSK_SD_INFINITY : strtoull (swap, NULL, 10));
    }
  return r < 0 ? husk_error_set (err, -r, "systemd: memory properties") : 0;
}

static int
add_cpuset (sd_bus_message *m, const char *name, const char *list, struct husk_error **err)
{
  cleanup_free uint8_t *bits = NULL;
  size_t len = 0;
  int r;
  if (list == NULL || *list == '\0')
    return 0;
  if (husk_sd_range_to_bits (list, &bits, &len, err) < 0)
    return husk_error_wrap (err, "systemd: %s", name);
  r = sd_bus_message_open_container (m, 'r', "sv");
  if (r >= 0)
    r = sd_bus_message_append (m, "s", name);
  if (r >= 0)
    r = sd_bus_message_open_container (m, 'v', "ay");
  if (r >= 0)
    r = sd_bus_message_append_array (m, 'y', bits, len);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  return r < 0 ? husk_error_set (err, -r, "systemd: %s", name) : 0;
}

static int
add_cpu (sd_bus_message *m, enum husk_cgroup_mode mode, const struct oci_cpu *c,
         struct husk_error **err)
{
  int64_t quota = c->quota.set ? c->quota.value : 0;
  uint64_t period = c->period.set ? c->period.value : 0;
  int r = 0;
  if (c->shares.set && c->shares.value != 0)
    r = mode == HUSK_CGROUP_V1
            ? add_u64 (m, "CPUShares", c->shares.value)
            : add_u64 (m, "CPUWeight", husk_cgroup_shares_to_weight (c->shares.value));
  if (r >= 0 && period != 0)
    r = add_u64 (m, "CPUQuotaPeriodUSec", period);
  if (r >= 0 && (quota != 0 || period != 0))
    r = add_u64 (m, "CPUQuotaPerSecUSec", husk_sd_cpu_quota_per_sec (quota, period));
  if (r < 0)
    return husk_error_set (err, -r, "systemd: cpu properties");
  /* systemd has no cpuset on v1 */
  if (mode == HUSK_CGROUP_V2
      && (add_cpuset (m, "AllowedCPUs", c->cpus, err) < 0
          || add_cpuset (m, "AllowedMemoryNodes", c->mems, err) < 0))
    return -1;
  return 0;
}

static int
add_io (sd_bus_message *m, enum husk_cgroup_mode mode, const struct oci_block_io *b)
{
  if (!b->weight.set || b->weight.value == 0)
    return 0;
  if (mode == HUSK_CGROUP_V1)
    return add_u64 (m, "BlockIOWeight", b->weight.value);
  return add_u64 (m, "IOWeight", husk_cgroup_blkio_weight_to_io_weight (b->weight.value));
}

/* The device rules in order, reduced to what DeviceAllow= can say: an
 * allow-all rule means DevicePolicy=auto with no list; else strict with
 * each allowed node.  Denials inside an allowed set have no systemd form:
 * the cgroupfs program (or devices.deny) written after enforces them. */
struct dev_list {
  char **nodes;
  char **access;
  size_t len;
  bool allow_all;
};

static void
dev_list_clear (struct dev_list *d)
{
  for (size_t i = 0; i < d->len; i++)
    {
      free (d->nodes[i]);
      free (d->access[i]);
    }
  free (d->nodes);
  free (d->access);
  d->nodes = d->access = NULL;
  d->len = 0;
}

static int
dev_list_add (struct dev_list *d, char *node, const char *access, struct husk_error **err)
{
  char **nn = realloc (d->nodes, (d->len + 1) * sizeof *nn);
  if (nn)
    d->nodes = nn;
  char **na = nn ? realloc (d->access, (d->len + 1) * sizeof *na) : NULL;
  if (na)
    d->access = na;
  if (!nn || !na || !(na[d->len] = strdup (access && *access ? access : "rwm")))
    {
      free (node);
      return husk_error_set (err, ENOMEM, "device rules");
    }
  nn[d->len++] = node;
  return 0;
}

static int
dev_rule (struct dev_list *d, const struct oci_device_cgroup *rule, const char *proc_devices,
          struct husk_error **err)
{
  char type = rule->type && *rule->type ? rule->type[0] : 'a';
  int64_t major = rule->major.set ? rule->major.value : -1;
  int64_t minor = rule->minor.set ? rule->minor.value : -1;
  bool all = type == 'a' && major < 0 && minor < 0;
  const char types[] = { 'c', 'b' };

  if (all)
    {
      dev_list_clear (d);
      d->allow_all = rule->allow;
      return 0;
    }
  if (!rule->allow || d->allow_all)
    return 0;
  for (size_t i = 0; i < 2; i++)
    {
      char *node = NULL;
      if (type != 'a' && type != types[i])
        continue;
      if (husk_sd_device_node (types[i], major, minor, proc_devices, &node, err) < 0)
        return -1;
      if (node && dev_list_add (d, node, rule->access, err) < 0)
        return -1;
    }
  return 0;
}

static int
add_devices (sd_bus_message *m, const struct oci_resources *r, struct husk_error **err)
{
  cleanup_free const struct oci_device_cgroup **rules = NULL;
  cleanup_free char *proc_devices = NULL;
  struct dev_list d = { .allow_all = true }; /* the kernel's default */
  size_t n = 0, len = 0;
  int k;

  if (cg_device_rules (r, &rules, &n, err) < 0)
    return -1;
  /* best effort: without it, "major with any minor" rules go unsaid */
  {
    cleanup_error struct husk_error *e = NULL;
    if (json_doc_read_file ("/proc/devices", &proc_devices, &len, &e) < 0)
      proc_devices = NULL;
  }
  for (size_t i = 0; i < n; i++)
    if (dev_rule (&d, rules[i], proc_devices, err) < 0)
      {
        dev_list_clear (&d);
        return -1;
      }
  k = sd_bus_message_append (m, "(sv)", "DevicePolicy", "s", d.allow_all ? "auto" : "strict");
  if (k >= 0)
    k = sd_bus_message_open_container (m, 'r', "sv");
  if (k >= 0)
    k = sd_bus_message_append (m, "s", "DeviceAllow");
  if (k >= 0)
    k = sd_bus_message_open_container (m, 'v', "a(ss)");
  if (k >= 0)
    k = sd_bus_message_open_container (m, 'a', "(ss)");
  for (size_t i = 0; k >= 0 && i < d.len; i++)
    k = sd_bus_message_append (m, "(ss)", d.nodes[i], d.access[i]);
  for (int c = 0; k >= 0 && c < 3; c++)
    k = sd_bus_message_close_container (m);
  dev_list_clear (&d);
  return k < 0 ? husk_error_set (err, -k, "systemd: device properties") : 0;
}

/* linux.resources.unified keys systemd has a property for (runc's
 * unifiedResToSystemdProps); the others are cgroupfs only. */
static int
add_unified (sd_bus_message *m, const struct oci_map *u, struct husk_error **err)
{
  static const struct
  {
    const char *key, *prop;
  } limits[] = {
    { "memory.high", "MemoryHigh" }, { "memory.low", "MemoryLow" },
    { "memory.min", "MemoryMin" },   { "memory.max", "MemoryMax" },
    { "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
    { "cpu.weight", "CPUWeight" },
  };
  for (size_t i = 0; i < u->len; i++)
    {
      const char *v = u->values[i];
      int r = 0;
      if (strcmp (u->keys[i], "cpuset.cpus") == 0 || strcmp (u->keys[i], "cpuset.mems") == 0)
        {
          if (add_cpuset (m, u->keys[i][7] == 'c' ? "AllowedCPUs" : "AllowedMemoryNodes", v, err)
              < 0)
            return -1;
          continue;
        }
      for (size_t j = 0; j < sizeof limits / sizeof limits[0]; j++)
        if (strcmp (u->keys[i], limits[j].key) == 0)
          {
            char *end;
            uint64_t n = strncmp (v, "max", 3) == 0 ? HUSK_SD_INFINITY : strtoull (v, &end, 10);
            r = add_u64 (m, limits[j].prop, n);
          }
      if (r < 0)
        return husk_error_set (err, -r, "systemd: linux.resources.unified \"%s\"", u->keys[i]);
    }
  return 0;
}

int
cg_sd_append_resources (sd_bus_message *m, enum husk_cgroup_mode mode,
                        const struct oci_resources *r, bool update, struct husk_error **err)
{
  static const struct oci_resources none;
  int k = 0;
  if (r == NULL)
    r = &none;
  /* an update without device rules leaves the unit's as they are */
  if ((!update || r->devices_len > 0) && add_devices (m, r, err) < 0)
    return -1;
  if (r->memory && add_memory (m, mode, r->memory, err) < 0)
    return -1;
  if (r->cpu && add_cpu (m, mode, r->cpu, err) < 0)
    return -1;
  if (r->block_io)
    k = add_io (m, mode, r->block_io);
  /* runc: a limit above 0 or -1; 0 leaves systemd's default */
  if (k >= 0 && r->pids && (r->pids->limit > 0 || r->pids->limit == -1))
    k = add_u64 (m, "TasksMax", limit_value (r->pids->limit));
  if (k < 0)
    return husk_error_set (err, -k, "systemd: io/tasks properties");
  if (mode == HUSK_CGROUP_V2 && add_unified (m, &r->unified, err) < 0)
    return -1;
  return 0;
}
