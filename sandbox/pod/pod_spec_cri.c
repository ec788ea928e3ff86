/* A container's husk-only "huskCRI" object (see pod_spec_cri.h): what the
 * CRI gives that a Pod has no field for, parsed beside pod_spec.c. */
#include "pod_spec_cri.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"

static int
parse_hugepage (struct jr *r, yajl_val v, void *elem)
{
  struct pod_hugepage *h = elem;
  return jr_string (r, v, "pageSize", true, &h->page_size) < 0
             || jr_i64 (r, v, "limit", true, 0, INT64_MAX, &h->limit) < 0
             ? -1
             : 0;
}

static int
parse_device (struct jr *r, yajl_val v, void *elem)
{
  struct pod_device *d = elem;
  if (jr_string (r, v, "hostPath", true, &d->host_path) < 0
      || jr_string (r, v, "containerPath", true, &d->container_path) < 0
      || jr_string (r, v, "permissions", false, &d->permissions) < 0)
    return -1;
  if (d->host_path[0] != '/' || d->container_path[0] != '/')
    return jr_fail (r, "device paths must be absolute");
  if (d->permissions == NULL || d->permissions[0] == '\0')
    {
      free (d->permissions);
      if ((d->permissions = strdup ("rwm")) == NULL)
        return jr_fail (r, "out of memory");
    }
  if (strspn (d->permissions, "rwm") != strlen (d->permissions))
    {
      jr_enter_key (r, "permissions");
      return jr_fail (r, "\"%s\" is not made of r, w and m", d->permissions);
    }
  return 0;
}

static int
parse_pid_mode (struct jr *r, yajl_val v, struct pod_cri_linux *x)
{
  static const char *const names[] = { [POD_PID_POD] = "Pod", [POD_PID_CONTAINER] = "Container",
                                       [POD_PID_NODE] = "Node", [POD_PID_TARGET] = "Target" };
  cleanup_free char *mode = NULL;
  if (jr_string (r, v, "pid", false, &mode) < 0 || jr_string (r, v, "pidTarget", false, &x->pid_target) < 0)
    return -1;
  for (size_t i = POD_PID_POD; mode && i < sizeof names / sizeof names[0]; i++)
    if (strcmp (mode, names[i]) == 0)
      x->pid = i;
  if (mode && x->pid == POD_PID_DEFAULT)
    {
      jr_enter_key (r, "pid");
      return jr_fail (r, "unsupported value \"%s\" (Pod, Container, Node or Target)", mode);
    }
  if (x->pid == POD_PID_TARGET && x->pid_target == NULL)
    {
      jr_enter_key (r, "pidTarget");
      return jr_fail (r, "required with pid Target");
    }
  return 0;
}

static int
parse_cri_resources (struct jr *r, yajl_val v, struct pod_cri_linux *x)
{
  yajl_val res;
  size_t mark;
  int ret;

  if ((ret = jr_object (r, v, "resources", false, &res)) <= 0)
    return ret;
  mark = jr_enter_key (r, "resources");
  x->resources = true;
  if (jr_opt_i64 (r, res, "cpuPeriod", 0, INT64_MAX, &x->cpu_period) < 0
      || jr_opt_i64 (r, res, "cpuQuota", -1, INT64_MAX, &x->cpu_quota) < 0
      || jr_opt_i64 (r, res, "cpuShares", 0, INT64_MAX, &x->cpu_shares) < 0
      || jr_opt_i64 (r, res, "memoryLimit", -1, INT64_MAX, &x->memory_limit) < 0
      || jr_opt_i64 (r, res, "memorySwap", -1, INT64_MAX, &x->memory_swap) < 0
      || jr_opt_i64 (r, res, "oomScoreAdj", -1000, 1000, &x->oom_score_adj) < 0
      || jr_string (r, res, "cpusetCpus", false, &x->cpuset_cpus) < 0
      || jr_string (r, res, "cpusetMems", false, &x->cpuset_mems) < 0
      || jr_array_of (r, res, "hugepageLimits", sizeof *x->hugepages, parse_hugepage,
                      &x->hugepages, &x->hugepages_len)
             < 0
      || jr_map (r, res, "unified", &x->unified) < 0)
    return -1;
  jr_leave (r, mark);
  return 1;
}

int
pod_spec_cri_parse (struct jr *r, yajl_val obj, struct pod_cri_linux *x)
{
  yajl_val v;
  size_t mark;
  int ret;

  if ((ret = jr_object (r, obj, "huskCRI", false, &v)) <= 0)
    return ret;
  mark = jr_enter_key (r, "huskCRI");
  x->set = true;
  if (parse_cri_resources (r, v, x) < 0
      || parse_pid_mode (r, v, x) < 0
      || jr_array_of (r, v, "devices", sizeof *x->devices, parse_device, &x->devices,
                      &x->devices_len)
             < 0)
    return -1;
  jr_leave (r, mark);
  return 1;
}
