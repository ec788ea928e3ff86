/* The sync protocol's wire over SOCK_SEQPACKET: a packet per message, and
 * a payload larger than one packet may carry (the socket's send buffer,
 * ~200 KiB by default: a state with big annotations) continues in packets
 * of its own, which the receiver joins using the total in the header. */
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../oci/cleanup.h"

struct sync_header {
  uint32_t type;
  int32_t value;
  uint64_t total; /* payload bytes, of which the first packet carries up to SYNC_CHUNK */
};

#define SYNC_CHUNK ((size_t) 32768)
/* a bound on what a receiver allocates on a peer's word */
#define SYNC_MAX_PAYLOAD ((size_t) 256 << 20)

static const char *const sync_names[HUSK_SYNC__COUNT] = {
  [HUSK_SYNC_EOF] = "end of stream",
  [HUSK_SYNC_USERMAP_REQUEST] = "usermap-request",
  [HUSK_SYNC_USERMAP_DONE] = "usermap-done",
  [HUSK_SYNC_INIT_PID] = "init-pid",
  [HUSK_SYNC_GO] = "go",
  [HUSK_SYNC_PTY_MASTER] = "pty-master",
  [HUSK_SYNC_SECCOMP_LISTENER] = "seccomp-listener",
  [HUSK_SYNC_SECCOMP_DONE] = "seccomp-done",
  [HUSK_SYNC_READY] = "ready",
  [HUSK_SYNC_START] = "start",
  [HUSK_SYNC_ERROR] = "error",
  [HUSK_SYNC_CGROUP_JOINED] = "cgroup-joined",
};

const char *
husk_sync_type_name (enum husk_sync_type type)
{
  return (unsigned) type < HUSK_SYNC__COUNT ? sync_names[type] : "unknown";
}

void
husk_sync_msg_clear (struct husk_sync_msg *msg)
{
  free (msg->data);
  msg->data = NULL;
  if (msg->fd >= 0)
    close (msg->fd);
  msg->fd = -1;
}

int
husk_sync_socketpair (int fds[2], struct husk_error **err)
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return husk_error_set (err, errno, "socketpair");
  return 0;
}

int
husk_sync_send (int fd, enum husk_sync_type type, int32_t value, const void *data,
                size_t len, int pass_fd, struct husk_error **err)
{
  struct sync_header h = { .type = type, .value = value, .total = data ? len : 0 };
  size_t first = data && len > SYNC_CHUNK ? SYNC_CHUNK : len;
  struct iovec iov[2] = { { &h, sizeof h }, { (void *) data, first } };
  union {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr m = { .msg_iov = iov, .msg_iovlen = data && len ? 2 : 1 };

  if (pass_fd >= 0)
    {
      struct cmsghdr *c;
      memset (&u, 0, sizeof u);
      m.msg_control = u.buf;
      m.msg_controllen = sizeof u.buf;
      c = CMSG_FIRSTHDR (&m);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &pass_fd, sizeof (int));
    }
  if (data && len > SYNC_MAX_PAYLOAD)
    return husk_error_set (err, EMSGSIZE, "sync: send %s: %zu bytes", husk_sync_type_name (type),
                           len);
  while (sendmsg (fd, &m, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return husk_error_set (err, errno, "sync: send %s", husk_sync_type_name (type));
  for (size_t off = first; data && off < len;)
    {
      size_t n = len - off > SYNC_CHUNK ? SYNC_CHUNK : len - off;
      ssize_t sent = send (fd, (const char *) data + off, n, MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR)
        continue;
      if (sent < 0)
        return husk_error_set (err, errno, "sync: send %s (at byte %zu of %zu)",
                               husk_sync_type_name (type), off, len);
      off += (size_t) sent;
    }
  return 0;
}

static void
take_fd (struct msghdr *m, struct husk_sync_msg *msg)
{
  for (struct cmsghdr *c = CMSG_FIRSTHDR (m); c; c = CMSG_NXTHDR (m, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&msg->fd, CMSG_DATA (c), sizeof (int));
}

/* The packets after the first, until the payload is whole. */
static int
recv_rest (int fd, char *buf, size_t have, size_t total, struct husk_error **err)
{
  while (have < total)
    {
      ssize_t n = recv (fd, buf + have, total - have, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_set (err, errno, "sync: receive (at byte %zu of %zu)", have, total);
      if (n == 0)
        return husk_error_set (err, EPROTO, "sync: end of stream at byte %zu of %zu", have,
                               total);
      have += (size_t) n;
    }
  return 0;
}

/* A first packet is never larger than the header and SYNC_CHUNK bytes of
 * payload: received into a buffer that size, without asking the packet's
 * size first (one call per message). */
static int
recv_packet (int fd, struct husk_sync_msg *msg, struct husk_error **err)
{
  struct sync_header h;
  size_t size = sizeof h + SYNC_CHUNK;
  ssize_t n;
  cleanup_free char *buf = NULL;
  union {
    char b[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov;
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                      .msg_controllen = sizeof u.b };

  buf = malloc (size + 1);
  if (buf == NULL)
    return husk_error_set (err, ENOMEM, "sync: receive");
  iov = (struct iovec){ buf, size };
  do
    n = recvmsg (fd, &m, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return husk_error_set (err, errno, "sync: receive");
  take_fd (&m, msg);
  if (n == 0)
    return msg->type = HUSK_SYNC_EOF, 0;
  if (m.msg_flags & MSG_TRUNC)
    return husk_error_set (err, EPROTO, "sync: packet larger than %zu bytes", size);
  if ((size_t) n < sizeof h)
    return husk_error_set (err, EPROTO, "sync: short message (%zd bytes)", n);
  memcpy (&h, buf, sizeof h);
  msg->type = h.type;
  msg->value = h.value;
  msg->len = (size_t) n - sizeof h;
  if (h.total > msg->len)
    {
      char *grown;
      if (h.total > SYNC_MAX_PAYLOAD)
        return husk_error_set (err, EPROTO, "sync: payload of %llu bytes",
                               (unsigned long long) h.total);
      grown = realloc (buf, sizeof h + h.total + 1);
      if (grown == NULL)
        return husk_error_set (err, ENOMEM, "sync: receive");
      buf = grown;
      if (recv_rest (fd, buf + sizeof h, msg->len, h.total, err) < 0)
        return -1;
      msg->len = h.total;
    }
  if (msg->len > 0)
    {
      memmove (buf, buf + sizeof h, msg->len);
      buf[msg->len] = '\0';
      msg->data = steal_pointer (&buf);
    }
  return 0;
}

int
husk_sync_recv (int fd, unsigned expected, struct husk_sync_msg *msg, struct husk_error **err)
{
  *msg = (struct husk_sync_msg){ .fd = -1 };
  if (recv_packet (fd, msg, err) < 0)
    return -1;
  if (msg->type == HUSK_SYNC_ERROR)
    {
      husk_error_set (err, 0, "%s", msg->data ? msg->data : "unknown error");
      (*err)->errnum = msg->value;
      husk_sync_msg_clear (msg);
      return -1;
    }
  if (msg->type >= HUSK_SYNC__COUNT || !(expected & HUSK_SYNC_BIT (msg->type)))
    {
      enum husk_sync_type got = msg->type;
      husk_sync_msg_clear (msg);
      if (got == HUSK_SYNC_EOF)
        return husk_error_set (err, 0, "child exited unexpectedly");
      return husk_error_set (err, EPROTO, "sync: unexpected message %s (%u)",
                             husk_sync_type_name (got), (unsigned) got);
    }
  return 0;
}

void
husk_sync_send_error (int fd, const struct husk_error *e)
{
  struct husk_error *ignored = NULL;
  const char *message = e && e->message ? e->message : "unknown error";

  if (husk_sync_send (fd, HUSK_SYNC_ERROR, e ? e->errnum : 0, message, strlen (message), -1,
                      &ignored)
      < 0)
    husk_error_release (&ignored);
}
