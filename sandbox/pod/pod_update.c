/* Updating a running sandbox's pod description (husk_pod_sandbox_update).
 *
 * Kubernetes lets a pod's spec change only in a few fields once it exists;
 * of those, the sandbox acts on the container images and environments (taken by the next
 * attempt of the container).  activeDeadlineSeconds and tolerations are
 * the daemon's and the scheduler's, metadata other than name, namespace
 * and uid is not the sandbox's business: they may change freely.  Anything
 * else differing is refused, so a pod's namespaces, volumes and network
 * never disagree with the description the sandbox keeps. */
#include "pod_internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "../../oci/json_reader.h"
#include "pod_util.h"

/* A container list compared element by element without their images and
 * environments: huskd resolves a container's env (valueFrom, envFrom)
 * before each attempt, as the kubelet does, and the next attempt takes it. */
static bool
containers_equal (yajl_val a, yajl_val b)
{
  static const char *const image[] = { "image", "env", NULL };
  return json_doc_equal (a, b, image);
}

static int
check_spec (yajl_val old_spec, yajl_val new_spec, struct husk_error **err)
{
  static const char *const mutable[] = { "containers", "initContainers", "activeDeadlineSeconds",
                                         "tolerations", NULL };
  static const char *const lists[] = { "containers", "initContainers" };

  if (old_spec == NULL || new_spec == NULL || old_spec->type != yajl_t_object
      || !json_doc_equal (old_spec, new_spec, mutable))
    return husk_error_set (err, EINVAL,
                           "spec: only the container images and activeDeadlineSeconds may "
                           "change on a running pod");
  for (size_t i = 0; i < 2; i++)
    if (!containers_equal (jr_member (old_spec, lists[i]), jr_member (new_spec, lists[i])))
      return husk_error_set (err, EINVAL, "spec.%s: only `image` may change on a running pod",
                             lists[i]);
  return 0;
}

static int
check_identity (const struct pod_spec *old, const struct pod_spec *new, struct husk_error **err)
{
  if (strcmp (old->name, new->name) != 0 || strcmp (old->namespace_, new->namespace_) != 0)
    return husk_error_set (err, EINVAL, "metadata: the name and namespace of a pod cannot change");
  if ((old->uid == NULL) != (new->uid == NULL) || (old->uid && strcmp (old->uid, new->uid) != 0))
    return husk_error_set (err, EINVAL, "metadata.uid: cannot change");
  return 0;
}

/* What may differ between the pod description a sandbox keeps and the
 * one replacing it; the specs are the two pod.json's "spec" objects. */
typedef int (*spec_check) (const struct pod_spec *old_pod, const struct pod_spec *new_pod,
                           yajl_val old_spec, yajl_val new_spec, struct husk_error **err);

/* Under the sandbox lock, so a container create reads either description
 * whole, never one replaced halfway through its checks. */
static int
rewrite_locked (const struct pod_env *env, const char *sid, const char *json, size_t len,
                const struct pod_spec *new_pod, spec_check check, struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sid);
  cleanup_free char *path = pod_path ("%s/pod.json", dir ? dir : "");
  cleanup_free char *old_json = NULL;
  cleanup_pod_spec struct pod_spec *old_pod = NULL;
  cleanup_json yajl_val old_root = NULL, new_root = NULL;
  size_t old_len = 0;
  const char *spec_path[] = { "spec", NULL };

  if (dir == NULL || path == NULL)
    return husk_error_set (err, ENOMEM, "rewrite pod.json");
  if (pod_read_file (path, &old_json, &old_len, err) < 0
      || pod_spec_parse (path, old_json, old_len, &old_pod, err) < 0
      || json_doc_parse (path, old_json, old_len, &old_root, err) < 0
      || json_doc_parse ("pod.json", json, len, &new_root, err) < 0)
    return -1;
  if (check_identity (old_pod, new_pod, err) < 0
      || check (old_pod, new_pod, yajl_tree_get (old_root, spec_path, yajl_t_object),
                yajl_tree_get (new_root, spec_path, yajl_t_object), err)
             < 0)
    return husk_error_wrap (err, "pod.json");
  return pod_write_file_atomic (path, json, len, 0600, err);
}

/* Replaces sandbox sid's pod description by pod_json once check allows it. */
static int
rewrite (const struct husk_sandbox_env *henv, const char *sid, const char *pod_json,
         spec_check check, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_pod_spec struct pod_spec *pod = NULL;
  cleanup_free char *dir = NULL;
  cleanup_close int lock = -1;
  size_t len = pod_json ? strlen (pod_json) : 0;

  if (pod_env_resolve (henv, &env, err) < 0 || pod_check_sandbox_id (sid, err) < 0)
    return -1;
  if (pod_json == NULL)
    return husk_error_set (err, EINVAL, "update sandbox `%s`: no pod description", sid);
  if (pod_spec_parse ("pod.json", pod_json, len, &pod, err) < 0)
    return husk_error_wrap (err, "update sandbox `%s`", sid);
  if ((dir = pod_sandbox_dir (&env, sid)) == NULL)
    return husk_error_set (err, ENOMEM, "update");
  if (access (dir, F_OK) < 0)
    return husk_error_set (err, ENOENT, "sandbox `%s`", sid);
  if (pod_lock (&env, sid, &lock, err) < 0
      || rewrite_locked (&env, sid, pod_json, len, pod, check, err) < 0)
    return husk_error_wrap (err, "update sandbox `%s`", sid);
  return 0;
}

static int
check_running_pod (const struct pod_spec *old_pod, const struct pod_spec *new_pod,
                   yajl_val old_spec, yajl_val new_spec, struct husk_error **err)
{
  return check_spec (old_spec, new_spec, err);
}

int
husk_pod_sandbox_update (const struct husk_sandbox_env *henv, const char *sid,
                         const char *pod_json, struct husk_error **err)
{
  return rewrite (henv, sid, pod_json, check_running_pod, err);
}

/* ---- the CRI's replace: containers and volumes may change ---- */

static int
check_cri_sandbox (const struct pod_spec *old_pod, const struct pod_spec *new_pod,
                   yajl_val old_spec, yajl_val new_spec, struct husk_error **err)
{
  static const char *const mutable[] = { "containers", "volumes", NULL };
  if (oci_map_get (&old_pod->annotations, HUSK_POD_CRI_ANNOTATION) == NULL
      || oci_map_get (&new_pod->annotations, HUSK_POD_CRI_ANNOTATION) == NULL)
    return husk_error_set (err, EINVAL, "not a CRI sandbox");
  if (old_spec == NULL || new_spec == NULL || old_spec->type != yajl_t_object
      || !json_doc_equal (old_spec, new_spec, mutable))
    return husk_error_set (err, EINVAL,
                           "spec: only containers and volumes may change on a CRI sandbox");
  return 0;
}

int
husk_pod_sandbox_replace (const struct husk_sandbox_env *henv, const char *sid,
                          const char *pod_json, struct husk_error **err)
{
  return rewrite (henv, sid, pod_json, check_cri_sandbox, err);
}
