/* config.json `linux`, except resources and seccomp (files of their own). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static int
parse_namespace (struct jr *r, yajl_val v, void *out)
{
  struct oci_namespace *ns = out;
  yajl_val type = jr_member (v, "type");
  size_t mark = jr_enter_key (r, "type");
  int t;

  if (type == NULL)
    return jr_fail (r, "required");
  if (!YAJL_IS_STRING (type))
    return jr_fail_type (r, "a string", type);
  t = oci_namespace_type_from_name (type->u.string);
  if (t < 0)
    return jr_fail (r, "unknown namespace \"%.64s\"", type->u.string);
  ns->type = (enum oci_namespace_type) t;
  jr_leave (r, mark);
  return jr_string (r, v, "path", false, &ns->path) < 0 ? -1 : 0;
}

static int
parse_time_offset (struct jr *r, yajl_val v, void *out)
{
  struct oci_time_offset *o = out;
  o->set = true;
  return (jr_i64 (r, v, "secs", false, INT64_MIN, INT64_MAX, &o->secs) < 0
          || jr_u32 (r, v, "nanosecs", false, &o->nanosecs) < 0)
             ? -1 : 0;
}

static int
parse_time_offsets (struct jr *r, yajl_val v, void *out)
{
  struct oci_time_offsets *t = out;
  return (jr_object_into (r, v, "monotonic", false, parse_time_offset, &t->monotonic) < 0
          || jr_object_into (r, v, "boottime", false, parse_time_offset, &t->boottime) < 0)
             ? -1 : 0;
}

static int
parse_device (struct jr *r, yajl_val v, void *out)
{
  struct oci_device *d = out;

  if (jr_string (r, v, "type", true, &d->type) < 0
      || jr_string (r, v, "path", true, &d->path) < 0
      || jr_i64 (r, v, "major", false, INT64_MIN, INT64_MAX, &d->major) < 0
      || jr_i64 (r, v, "minor", false, INT64_MIN, INT64_MAX, &d->minor) < 0
      || jr_opt_u64 (r, v, "fileMode", UINT32_MAX, &d->file_mode) < 0
      || jr_opt_u64 (r, v, "uid", UINT32_MAX, &d->uid) < 0
      || jr_opt_u64 (r, v, "gid", UINT32_MAX, &d->gid) < 0)
    return -1;
  return 0;
}

/* netDevices is an object keyed by the host's interface name. */
static int
parse_net_devices (struct jr *r, yajl_val linux_, struct oci_linux *l)
{
  yajl_val v;
  size_t mark, n;
  int ret = jr_object (r, linux_, "netDevices", false, &v);

  if (ret <= 0)
    return ret;
  n = v->u.object.len;
  l->net_devices = calloc (n ? n : 1, sizeof *l->net_devices);
  if (l->net_devices == NULL)
    return husk_error_set (r->err, ENOMEM, "%s: linux.netDevices", r->filename);
  l->net_devices_len = n;
  mark = jr_enter_key (r, "netDevices");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val dev = v->u.object.values[i];
      size_t at = jr_enter_key (r, v->u.object.keys[i]);
      l->net_devices[i].host_name = strdup (v->u.object.keys[i]);
      if (l->net_devices[i].host_name == NULL)
        return husk_error_set (r->err, ENOMEM, "%s: linux.netDevices", r->filename);
      if (!YAJL_IS_OBJECT (dev))
        return jr_fail_type (r, "an object", dev);
      if (jr_string (r, dev, "name", false, &l->net_devices[i].name) < 0)
        return -1;
      jr_leave (r, at);
    }
  jr_leave (r, mark);
  return 1;
}

static int
parse_intel_rdt (struct jr *r, yajl_val v, void *out)
{
  struct oci_intel_rdt *rdt = out;

  if (jr_string (r, v, "closID", false, &rdt->clos_id) < 0
      || jr_string (r, v, "l3CacheSchema", false, &rdt->l3_cache_schema) < 0
      || jr_string (r, v, "memBwSchema", false, &rdt->mem_bw_schema) < 0
      || jr_bool (r, v, "enableCMT", &rdt->enable_cmt) < 0
      || jr_bool (r, v, "enableMBM", &rdt->enable_mbm) < 0)
    return -1;
  return 0;
}

static int
parse_personality (struct jr *r, yajl_val v, void *out)
{
  struct oci_personality *p = out;

  if (jr_string (r, v, "domain", true, &p->domain) < 0
      || jr_strv (r, v, "flags", false, &p->flags, &p->flags_len) < 0)
    return -1;
  return 0;
}

int
oci_parse_linux (struct jr *r, yajl_val v, void *out)
{
  struct oci_linux *l = out;

  if (jr_array_of (r, v, "namespaces", sizeof *l->namespaces, parse_namespace, &l->namespaces,
                   &l->namespaces_len) < 0
      || jr_array_of (r, v, "uidMappings", sizeof *l->uid_mappings, oci_parse_id_mapping,
                      &l->uid_mappings, &l->uid_mappings_len) < 0
      || jr_array_of (r, v, "gidMappings", sizeof *l->gid_mappings, oci_parse_id_mapping,
                      &l->gid_mappings, &l->gid_mappings_len) < 0
      || jr_object_into (r, v, "timeOffsets", false, parse_time_offsets, &l->time_offsets) < 0
      || jr_array_of (r, v, "devices", sizeof *l->devices, parse_device, &l->devices,
                      &l->devices_len) < 0
      || parse_net_devices (r, v, l) < 0
      || jr_string (r, v, "cgroupsPath", false, &l->cgroups_path) < 0
      || jr_object_of (r, v, "resources", sizeof *l->resources, oci_parse_resources,
                       &l->resources) < 0
      || jr_object_of (r, v, "intelRdt", sizeof *l->intel_rdt, parse_intel_rdt,
                       &l->intel_rdt) < 0
      || jr_map (r, v, "sysctl", &l->sysctl) < 0
      || jr_object_of (r, v, "seccomp", sizeof *l->seccomp, oci_parse_seccomp, &l->seccomp) < 0
      || jr_string (r, v, "rootfsPropagation", false, &l->rootfs_propagation) < 0
      || jr_strv (r, v, "maskedPaths", false, &l->masked_paths, &l->masked_paths_len) < 0
      || jr_strv (r, v, "readonlyPaths", false, &l->readonly_paths, &l->readonly_paths_len) < 0
      || jr_string (r, v, "mountLabel", false, &l->mount_label) < 0
      || jr_object_of (r, v, "personality", sizeof *l->personality, parse_personality,
                       &l->personality) < 0)
    return -1;
  return 0;
}
