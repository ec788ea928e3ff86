/* Attaching to a running container's streams: the holder keeps them (a
 * pipe or the pty master for stdin, the output it logs) and relays them on
 * an attach connection (holder_proto.h).  This side only opens it and
 * frames packets; the caller's loop does the rest. */
#include "pod_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "../../oci/cleanup.h"
#include "../holder/holder_proto.h"

_Static_assert ((int) HUSK_POD_ATTACH_STDIN == (int) HOLDER_ATTACH_STDIN
                    && (int) HUSK_POD_ATTACH_STDOUT == (int) HOLDER_ATTACH_STDOUT
                    && (int) HUSK_POD_ATTACH_STDERR == (int) HOLDER_ATTACH_STDERR
                    && (int) HUSK_POD_ATTACH_EXIT == (int) HOLDER_ATTACH_EXIT
                    && (int) HUSK_POD_ATTACH_RESIZE == (int) HOLDER_ATTACH_RESIZE
                    && (int) HUSK_POD_ATTACH_CLOSE_STDIN == (int) HOLDER_ATTACH_CLOSE_STDIN
                    && HUSK_POD_ATTACH_PACKET_MAX == HOLDER_ATTACH_PACKET_MAX,
                "sandbox.h and holder_proto.h name the same packets");

int
husk_pod_container_attach (const struct husk_sandbox_env *henv, const char *cid, bool stdin_,
                           bool stdout_, bool stderr_, int *fd, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  char sid[33], msg[512], what[256];
  cleanup_close int sock = -1;
  int len;

  if (pod_env_resolve (henv, &env, err) < 0 || pod_split_container_id (cid, sid, NULL, NULL, err) < 0)
    return -1;
  len = snprintf (msg, sizeof msg, "attach%c%s%c%s%s%s%c", 0, cid, 0, stdin_ ? "stdin " : "",
                  stdout_ ? "stdout " : "", stderr_ ? "stderr" : "", 0);
  if (len < 0 || (size_t) len >= sizeof msg)
    return husk_error_set (err, ENAMETOOLONG, "attach request for `%s`", cid);
  snprintf (what, sizeof what, "attach to `%s`", cid);
  if (pod_holder_ask (&env, sid, msg, (size_t) len, what, &sock, err) < 0)
    return -1;
  if (fcntl (sock, F_SETFL, O_NONBLOCK) < 0)
    return husk_error_set (err, errno, "attach to `%s`: O_NONBLOCK", cid);
  *fd = steal_fd (&sock);
  return 0;
}

ssize_t
husk_pod_attach_send (int fd, enum husk_pod_attach_packet type, const void *buf, size_t len)
{
  char pkt[HUSK_POD_ATTACH_PACKET_MAX];
  size_t sent = 0;

  do
    {
      size_t chunk = len - sent < sizeof pkt - 1 ? len - sent : sizeof pkt - 1;
      pkt[0] = (char) type;
      if (chunk)
        memcpy (pkt + 1, (const char *) buf + sent, chunk);
      if (send (fd, pkt, chunk + 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        return sent > 0 ? (ssize_t) sent : -1;
      sent += chunk;
    }
  while (sent < len);
  return (ssize_t) sent;
}

int
husk_pod_attach_resize (int fd, uint16_t width, uint16_t height)
{
  uint16_t size[2] = { width, height };
  return husk_pod_attach_send (fd, HUSK_POD_ATTACH_RESIZE, size, sizeof size) < 0 ? -1 : 0;
}
