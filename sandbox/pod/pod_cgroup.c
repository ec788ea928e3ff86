/* The pod's cgroup: the parent of its containers' cgroups (their
 * linux.cgroupsPath is "<pod cgroup>/<container id>"), limited as the
 * kubelet limits a pod: memory to the sum of the containers' limits when
 * every container has one, cpu shares to the sum of their requests. */
#include "pod_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../runtime/cgroup/cgroup.h"
#include "pod_util.h"

char *
pod_cgroup_path (const struct pod_env *env, const char *sandbox_id)
{
  return pod_path ("%s/pod_%s", env->cgroup_parent, sandbox_id);
}

static void
pod_limits (const struct pod_spec *pod, struct oci_memory *mem, struct oci_cpu *cpu)
{
  bool all_limited = true;
  int64_t memory = 0, shares = 0;

  for (size_t i = 0; i < pod->containers_len; i++)
    {
      const struct pod_resources *r = &pod->containers[i].resources;
      all_limited &= r->limits_memory.set;
      memory += r->limits_memory.set ? r->limits_memory.value : 0;
      shares += r->requests_cpu_milli.set ? r->requests_cpu_milli.value * 1024 / 1000 : 0;
    }
  if (all_limited && memory > 0)
    mem->limit = (oci_opt_i64) { true, memory };
  if (shares > 0)
    cpu->shares = (oci_opt_u64) { true, shares < 2 ? 2 : (uint64_t) shares };
}

int
pod_cgroup_create (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
                   struct husk_error **err)
{
  cleanup_free char *path = pod_cgroup_path (env, sandbox_id);
  struct oci_memory mem = { 0 };
  struct oci_cpu cpu = { 0 };
  struct oci_resources res = { .memory = &mem, .cpu = &cpu };
  struct husk_cgroup *cg = NULL;

  if (path == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  pod_limits (pod, &mem, &cpu);
  if (husk_cgroup_create (path, sandbox_id, &res, &cg, err) < 0)
    return husk_error_wrap (err, "pod cgroup `%s`", path);
  husk_cgroup_free (cg);
  return 0;
}

/* On a hybrid v1 host runc also makes each container's cgroup in the
 * cgroup2 hierarchy at unified/ (with its parents), which husk's v1 cgroups
 * do not manage: the pod's directory there is removed here.  ENOENT: not
 * made (husk, or a v1-only host). */
static int
remove_unified_leftover (const char *path, struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/unified%s", HUSK_CGROUP_ROOT, path);

  if (dir == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  if (rmdir (dir) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "rmdir `%s`", dir);
  return 0;
}

int
pod_cgroup_destroy (const struct pod_env *env, const char *sandbox_id, struct husk_error **err)
{
  cleanup_free char *path = pod_cgroup_path (env, sandbox_id);
  struct husk_error *open_err = NULL;
  struct husk_cgroup *cg = NULL;
  int ret;

  if (path == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  if (remove_unified_leftover (path, err) < 0)
    return -1;
  if (husk_cgroup_open (path, &cg, &open_err) < 0)
    {
      bool gone = open_err->errnum == ENOENT;
      if (gone)
        {
          husk_error_release (&open_err);
          return 0;
        }
      return husk_error_propagate (err, &open_err);
    }
  ret = husk_cgroup_destroy (cg, err);
  husk_cgroup_free (cg);
  return ret < 0 ? husk_error_wrap (err, "pod cgroup `%s`", path) : 0;
}
