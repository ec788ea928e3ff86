/* husk_pod_container_update_resources: a running container's cgroup
 * changed through the runtime's `update --resources`, as containerd's
 * shim does for UpdateContainerResources. */
#include "pod_internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "pod_util.h"

int
husk_pod_container_update_resources (const struct husk_sandbox_env *henv, const char *cid,
                                     const char *resources_json, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_free char *dir = NULL, *path = NULL;
  char sid[33];

  if (pod_env_resolve (henv, &env, err) < 0 || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  if ((dir = pod_container_dir (&env, cid)) == NULL
      || (path = pod_path ("%s/resources.json", dir)) == NULL)
    return husk_error_set (err, ENOMEM, "update `%s`", cid);
  if (access (dir, F_OK) < 0)
    return husk_error_set (err, ENOENT, "container `%s` does not exist", cid);
  const char *const args[] = { "update", "--resources", path, cid, NULL };
  if (pod_write_file_atomic (path, resources_json, strlen (resources_json), 0600, err) < 0
      || pod_runtime (&env, args, 30, NULL, err) < 0)
    return husk_error_wrap (err, "update `%s`", cid);
  return 0;
}
