/* ReopenContainerLog's pod side: the holder writes each container's log
 * itself, so it is the holder that opens a new file where the kubelet
 * rotated the old one away (holder_loop.c, "reopen-log"). */
#include "pod_internal.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "../../oci/cleanup.h"

#define REOPEN_REPLY_TIMEOUT_S 10

int
husk_pod_container_reopen_log (const struct husk_sandbox_env *henv, const char *cid,
                               const char *path, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  struct timeval tv = { .tv_sec = REOPEN_REPLY_TIMEOUT_S };
  char sid[33], msg[4400], reply[512];
  cleanup_close int sock = -1;
  int len;
  ssize_t n;

  if (pod_env_resolve (henv, &env, err) < 0 || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  len = snprintf (msg, sizeof msg, "reopen-log%c%s%c%s%c", 0, cid, 0, path, 0);
  if (len < 0 || (size_t) len >= sizeof msg)
    return husk_error_set (err, ENAMETOOLONG, "reopen the log of `%s`", cid);
  if ((sock = pod_holder_connect (&env, sid, err)) < 0)
    return husk_error_wrap (err, "reopen the log of `%s`", cid);
  setsockopt (sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (send (sock, msg, len, MSG_NOSIGNAL) != len)
    return husk_error_set (err, errno, "reopen the log of `%s`: send to the pod holder", cid);
  n = recv (sock, reply, sizeof reply - 1, 0);
  if (n <= 0)
    return husk_error_set (err, n < 0 ? errno : EPIPE,
                           "reopen the log of `%s`: no answer from the pod holder", cid);
  reply[n] = '\0';
  return pod_holder_parse_reply (reply, NULL, err);
}
