/* One forwarded connection: the pair of streams of a request id and the
 * socket to 127.0.0.1:port made inside the pod's network namespace (the
 * calling thread enters it only to create the socket: probe.h), connected
 * without blocking.
 *
 * Half-close both ways: the client's FIN on the data stream becomes
 * shutdown(SHUT_WR) once what it sent is written; the pod's EOF becomes a
 * FIN on the data stream.  After the pod's EOF the pair lingers a moment
 * (a second, as containerd's forwarder waits for the other direction) for
 * the client's FIN or reset, then ends: the error stream gets its FIN
 * (and, on failure, kubelet's message first). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "port_forward.h"
#include "probe.h"
#include "str_printf.h"

#define READ_CHUNK (32u * 1024)
#define LINGER_MS 1000

struct pf_pair *
pf_pair_find (struct pf_session *s, const char *request_id)
{
  for (struct pf_pair *p = s->pairs; p; p = p->next)
    if (strcmp (p->request_id, request_id) == 0)
      return p;
  return NULL;
}

struct pf_pair *
pf_pair_of_stream (struct pf_session *s, uint32_t id)
{
  for (struct pf_pair *p = s->pairs; id && p; p = p->next)
    if (p->data_id == id || p->error_id == id)
      return p;
  return NULL;
}

/* Before the start: the streams' deadline; after the pod's EOF: the
 * linger. */
static void
on_timer (evutil_socket_t fd, short what, void *arg)
{
  struct pf_pair *p = arg;
  cleanup_free char *msg = NULL;
  if (p->pod)
    return pf_pair_end (p, NULL);
  msg = str_printf ("timed out waiting for streams of request %s", p->request_id);
  pf_pair_end (p, msg);
}

struct pf_pair *
pf_pair_new (struct pf_session *s, const char *request_id, uint16_t port)
{
  struct pf_pair *p = calloc (1, sizeof *p);
  struct timeval tv = { PF_STREAMS_TIMEOUT_S, 0 };
  if (!p)
    return NULL;
  p->s = s;
  p->port = port;
  p->request_id = strdup (request_id);
  p->timer = evtimer_new (s->base, on_timer, p);
  p->next = s->pairs;
  s->pairs = p;
  if (!p->request_id || !p->timer)
    {
      pf_pair_free (p);
      return NULL;
    }
  evtimer_add (p->timer, &tv);
  return p;
}

/* kubelet's wording, with Go's for the dial error: kubectl prints it as
 * "an error occurred forwarding L -> R: <this>". */
static void
fail (struct pf_pair *p, const char *op, int errnum)
{
  char what[64];
  cleanup_free char *msg = NULL;
  snprintf (what, sizeof what, "%s", strerror (errnum));
  what[0] = (char) tolower ((unsigned char) what[0]); /* Go's errors are lower case */
  msg = str_printf ("error forwarding port %u to pod %s, uid %s: %s tcp4 127.0.0.1:%u: %s: %s",
                    p->port, p->s->pod, p->s->uid, op, p->port,
                    strcmp (op, "dial") == 0 ? "connect" : op, what);
  pf_pair_end (p, msg);
}

/* The client's side ended and all it sent reached the pod. */
static void
maybe_shut_write (struct pf_pair *p)
{
  if (!p->client_fin || p->pod_write_shut || !p->pod || p->connect_ev
      || evbuffer_get_length (bufferevent_get_output (p->pod)) > 0)
    return;
  p->pod_write_shut = true;
  shutdown (bufferevent_getfd (p->pod), SHUT_WR);
}

static void
on_pod_read (struct bufferevent *bev, void *arg)
{
  struct pf_pair *p = arg;
  struct evbuffer *in = bufferevent_get_input (bev);
  size_t n;
  while ((n = evbuffer_get_length (in)) > 0)
    {
      if (n > READ_CHUNK)
        n = READ_CHUNK;
      if (!p->data_reset)
        pf_spdy_data (p->s, p->data_id, false, evbuffer_pullup (in, (ssize_t) n), n);
      evbuffer_drain (in, n);
    }
  if (pf_session_queued (p->s) >= PF_HIGH)
    bufferevent_disable (bev, EV_READ); /* the client reads slower than the pod sends */
}

static void
on_pod_write (struct bufferevent *bev, void *arg)
{
  struct pf_pair *p = arg;
  maybe_shut_write (p);
  pf_session_maybe_resume_client (p->s);
}

static void
pod_eof (struct pf_pair *p)
{
  struct timeval tv = { LINGER_MS / 1000, (LINGER_MS % 1000) * 1000 };
  p->pod_eof = true;
  if (!p->data_reset)
    pf_spdy_data (p->s, p->data_id, true, NULL, 0);
  bufferevent_disable (p->pod, EV_READ);
  if (p->client_fin || p->data_reset)
    return pf_pair_end (p, NULL);
  evtimer_add (p->timer, &tv);
}

static void
on_pod_event (struct bufferevent *bev, short what, void *arg)
{
  struct pf_pair *p = arg;
  int errnum = EVUTIL_SOCKET_ERROR ();
  if ((what & BEV_EVENT_EOF) && !p->pod_eof)
    return pod_eof (p);
  if (what & BEV_EVENT_ERROR)
    {
      /* once the pod's answer is complete, its closing early is no error */
      if (p->pod_eof)
        return pf_pair_end (p, NULL);
      return fail (p, what & BEV_EVENT_READING ? "read" : "write", errnum ? errnum : EIO);
    }
}

static void
on_connect (evutil_socket_t fd, short what, void *arg)
{
  struct pf_pair *p = arg;
  int soerr = 0;
  socklen_t len = sizeof soerr;
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
    soerr = errno;
  event_free (p->connect_ev);
  p->connect_ev = NULL;
  if (soerr)
    return fail (p, "dial", soerr);
  bufferevent_enable (p->pod, EV_READ | EV_WRITE);
  maybe_shut_write (p);
}

/* The bufferevent is made before the socket is connected (and enabled
 * after) so that what the client sends meanwhile is queued for the pod. */
void
pf_pair_start (struct pf_pair *p)
{
  struct pf_session *s = p->s;
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (p->port),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd;
  evtimer_del (p->timer);
  fd = husk_probe_socket_in (s->netns_path, AF_INET, SOCK_STREAM);
  if (fd < 0)
    return fail (p, "dial", -fd);
  p->pod = bufferevent_socket_new (s->base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (!p->pod)
    {
      close (fd);
      return pf_pair_end (p, "out of memory");
    }
  bufferevent_setwatermark (p->pod, EV_WRITE, PF_HIGH / 2, 0);
  bufferevent_setcb (p->pod, on_pod_read, on_pod_write, on_pod_event, p);
  bufferevent_disable (p->pod, EV_READ | EV_WRITE);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0 && errno != EINPROGRESS)
    return fail (p, "dial", errno);
  /* connected at once or not, the socket is writable when it is done */
  p->connect_ev = event_new (s->base, fd, EV_WRITE, on_connect, p);
  if (!p->connect_ev)
    return pf_pair_end (p, "out of memory");
  event_add (p->connect_ev, NULL);
}

void
pf_pair_client_data (struct pf_pair *p, const uint8_t *buf, size_t len, bool fin)
{
  struct pf_session *s = p->s;
  if (p->data_reset)
    return;
  if (len && p->pod && !p->pod_write_shut)
    {
      bufferevent_write (p->pod, buf, len);
      if (pf_pair_congested (p) && !s->client_paused)
        {
          s->client_paused = true; /* the pod reads slower than the client sends */
          bufferevent_disable (s->bev, EV_READ);
        }
    }
  if (!fin)
    return;
  p->client_fin = true;
  if (p->pod_eof)
    return pf_pair_end (p, NULL);
  maybe_shut_write (p);
}

void
pf_pair_client_reset (struct pf_pair *p, uint32_t id)
{
  if (id == p->data_id)
    p->data_reset = true;
  else
    p->error_reset = true;
  pf_pair_end (p, NULL);
}

void
pf_pair_resume (struct pf_pair *p)
{
  if (p->pod && !p->connect_ev && !p->pod_eof && pf_session_queued (p->s) < PF_HIGH)
    bufferevent_enable (p->pod, EV_READ);
}

bool
pf_pair_congested (struct pf_pair *p)
{
  return p->pod && evbuffer_get_length (bufferevent_get_output (p->pod)) >= PF_HIGH;
}

void
pf_pair_end (struct pf_pair *p, const char *message)
{
  struct pf_session *s = p->s;
  if (p->data_id && !p->pod_eof && !p->data_reset)
    pf_spdy_data (s, p->data_id, true, NULL, 0);
  if (p->error_id && !p->error_reset)
    {
      if (message)
        pf_spdy_data (s, p->error_id, false, message, strlen (message));
      pf_spdy_data (s, p->error_id, true, NULL, 0);
    }
  pf_pair_free (p);
  pf_session_maybe_resume_client (s);
}

void
pf_pair_free (struct pf_pair *p)
{
  struct pf_pair **pp = &p->s->pairs;
  while (*pp && *pp != p)
    pp = &(*pp)->next;
  if (*pp)
    *pp = p->next;
  if (p->timer)
    event_free (p->timer);
  if (p->connect_ev)
    event_free (p->connect_ev);
  if (p->pod)
    bufferevent_free (p->pod);
  free (p->request_id);
  free (p);
}
