/* Where a pod's cgroup goes, as the kubelet places it (pure names, no
 * system calls: tests/unit/test_pod_cgroup_place.c).
 *
 * cgroupfs, under the cgroup parent P (kubelet's --cgroup-root):
 *   Guaranteed  P/kubepods/pod<uid>
 *   Burstable   P/kubepods/burstable/pod<uid>
 *   BestEffort  P/kubepods/besteffort/pod<uid>
 * systemd, under the parent slice S ("-.slice", the root, by default),
 * every level a slice named after its ancestors as kubelet's
 * ConvertCgroupNameToSystemd names them, dashes in the uid escaped to
 * underscores:
 *   kubepods.slice, kubepods-burstable.slice,
 *   kubepods-burstable-pod<uid>.slice, kubepods-pod<uid>.slice
 *   (S = husk.slice: husk-kubepods.slice, husk-kubepods-pod<uid>.slice ...)
 * The containers' cgroups go inside: "<pod>/<id>" or
 * "<pod slice>:husk:<id>" (a scope husk-<id>.scope, as containerd's
 * "cri-containerd" prefix names its). */
#include "pod_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "pod_util.h"

/* A uid goes into a path or a unit name only when it is made of letters,
 * digits and dashes (Kubernetes makes UUIDs); else the sandbox id is used. */
static const char *
safe_uid (const char *uid, const char *sandbox_id)
{
  size_t n = uid ? strlen (uid) : 0;
  if (n == 0 || n > 128)
    return sandbox_id;
  for (const char *p = uid; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || *p == '-'))
      return sandbox_id;
  return uid;
}

static const char *
qos_level (enum pod_qos q)
{
  return q == POD_QOS_BURSTABLE ? "burstable" : q == POD_QOS_BEST_EFFORT ? "besteffort" : NULL;
}

bool
pod_cgroup_root_slice (const char *slice)
{
  return slice == NULL || *slice == '\0' || strcmp (slice, "/") == 0
         || strcmp (slice, "-.slice") == 0;
}

/* "kubepods" under "husk.slice": "husk-kubepods" (no ".slice"). */
static char *
slice_stem (const char *parent)
{
  size_t n;
  if (pod_cgroup_root_slice (parent))
    return strdup ("kubepods");
  n = strlen (parent);
  if (n <= 6 || strcmp (parent + n - 6, ".slice") != 0 || strchr (parent, '/'))
    return NULL;
  return pod_path ("%.*s-kubepods", (int) (n - 6), parent);
}

static int
place_systemd (const char *parent, enum pod_qos q, const char *uid, struct pod_cgroup *out,
               struct husk_error **err)
{
  cleanup_free char *stem = slice_stem (parent), *escaped = strdup (uid);
  const char *level = qos_level (q);

  if (stem == NULL)
    return husk_error_set (err, EINVAL,
                           "--cgroup-parent `%s`: the systemd driver takes a slice "
                           "(\"name.slice\")",
                           parent);
  if (escaped == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  for (char *p = escaped; *p; p++)
    if (*p == '-')
      *p = '_';
  out->systemd = true;
  out->path = level ? pod_path ("%s-%s-pod%s.slice", stem, level, escaped)
                    : pod_path ("%s-pod%s.slice", stem, escaped);
  out->keep = strdup (pod_cgroup_root_slice (parent) ? "-.slice" : parent);
  return out->path && out->keep ? 0 : husk_error_set (err, ENOMEM, "pod cgroup");
}

static int
place_cgroupfs (const char *parent, enum pod_qos q, const char *uid, struct pod_cgroup *out,
                struct husk_error **err)
{
  const char *level = qos_level (q);
  size_t n = strlen (parent);
  int trim = n > 0 && parent[n - 1] == '/';

  out->systemd = false;
  out->path = level ? pod_path ("%.*s/kubepods/%s/pod%s", (int) (n - trim), parent, level, uid)
                    : pod_path ("%.*s/kubepods/pod%s", (int) (n - trim), parent, uid);
  out->keep = strdup (parent);
  return out->path && out->keep ? 0 : husk_error_set (err, ENOMEM, "pod cgroup");
}

/* A cgroup the caller chose for the pod (kubelet's cgroup_parent through
 * the CRI): the pod's cgroup itself; only it is ours to remove. */
static int
place_given (const struct pod_env *env, const char *given, struct pod_cgroup *out,
             struct husk_error **err)
{
  out->systemd = env->systemd_cgroup;
  out->path = strdup (given);
  if (env->systemd_cgroup)
    {
      size_t n = strlen (given);
      if (n <= 6 || strcmp (given + n - 6, ".slice") != 0 || strchr (given, '/'))
        return husk_error_set (err, EINVAL,
                               "cgroup parent `%s`: the systemd driver takes a slice "
                               "(\"name.slice\")",
                               given);
      out->keep = pod_cgroup_parent_slice (given);
    }
  else
    {
      const char *slash = strrchr (given, '/');
      out->keep = slash ? strndup (given, (size_t) (slash - given)) : strdup ("");
    }
  return out->path && out->keep ? 0 : husk_error_set (err, ENOMEM, "pod cgroup");
}

int
pod_cgroup_place (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
                  const char *given, struct pod_cgroup *out, struct husk_error **err)
{
  const char *uid = safe_uid (pod->uid, sandbox_id);
  enum pod_qos q = pod_qos_class (pod);

  memset (out, 0, sizeof *out);
  if (given && *given)
    return place_given (env, given, out, err);
  if (env->systemd_cgroup)
    return place_systemd (env->cgroup_parent, q, uid, out, err);
  return place_cgroupfs (env->cgroup_parent, q, uid, out, err);
}

char *
pod_cgroup_parent_slice (const char *slice)
{
  const char *dash = strrchr (slice, '-');
  if (dash == NULL || dash == slice)
    return strdup ("-.slice");
  return pod_path ("%.*s.slice", (int) (dash - slice), slice);
}

char *
pod_cgroup_container_path (const struct pod_cgroup *cg, const char *cid)
{
  return cg->systemd ? pod_path ("%s:husk:%s", cg->path, cid) : pod_path ("%s/%s", cg->path, cid);
}

void
pod_cgroup_clear (struct pod_cgroup *cg)
{
  free (cg->path);
  free (cg->keep);
  memset (cg, 0, sizeof *cg);
}
