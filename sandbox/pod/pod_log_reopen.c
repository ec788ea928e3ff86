/* ReopenContainerLog's pod side: the holder writes each container's log
 * itself, so it is the holder that opens a new file where the kubelet
 * rotated the old one away (holder_loop.c, "reopen-log"). */
#include "pod_internal.h"

#include <errno.h>
#include <stdio.h>

#include "../../oci/cleanup.h"

int
husk_pod_container_reopen_log (const struct husk_sandbox_env *henv, const char *cid,
                               const char *path, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  char sid[33], msg[4400], what[256];
  int len;

  if (pod_env_resolve (henv, &env, err) < 0 || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  len = snprintf (msg, sizeof msg, "reopen-log%c%s%c%s%c", 0, cid, 0, path, 0);
  if (len < 0 || (size_t) len >= sizeof msg)
    return husk_error_set (err, ENAMETOOLONG, "reopen the log of `%s`", cid);
  snprintf (what, sizeof what, "reopen the log of `%s`", cid);
  return pod_holder_ask (&env, sid, msg, (size_t) len, what, NULL, err);
}
