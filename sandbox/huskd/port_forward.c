/* pods/{name}/portforward: the request checked as kubelet checks it, the
 * connection upgraded to SPDY/3.1 and taken over from evhttp the way exec
 * does (exec_stream.c says why and how evhttp lets go of it), and the
 * session's life: it ends when the client leaves or breaks the protocol,
 * taking every forwarded connection with it.
 *
 * WebSocket is refused with a 400, as a kubelet without the tunnel answers:
 * kubectl 1.31+ tries SPDY-over-WebSocket first and falls back to SPDY on
 * any answer but 101. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "cleanup.h"
#include "controller_internal.h"
#include "exec_stream.h"
#include "jv.h"
#include "port_forward.h"
#include "request.h"
#include "sandbox/pod/sandbox.h"

void huskd_pod_port_forward (struct hreq *r, yajl_val pod);

static const char *const protocols[] = { "portforward.k8s.io", NULL };

static void
session_free (struct pf_session *s)
{
  while (s->pairs)
    pf_pair_free (s->pairs);
  spdy_zlib_free (&s->z);
  if (s->end_ev)
    event_free (s->end_ev);
  if (s->conn)
    evhttp_connection_free (s->conn);
  if (s->netns_fd >= 0)
    close (s->netns_fd);
  free (s->pod);
  free (s->uid);
  free (s);
}

static void
on_end (evutil_socket_t fd, short what, void *arg)
{
  session_free (arg);
}

void
pf_session_abort (struct pf_session *s)
{
  s->ending = true;
  if (s->bev)
    bufferevent_disable (s->bev, EV_READ | EV_WRITE);
  event_active (s->end_ev, 0, 0);
}

void
pf_session_write (struct pf_session *s, const void *buf, size_t len)
{
  if (!s->ending)
    bufferevent_write (s->bev, buf, len);
}

size_t
pf_session_queued (struct pf_session *s)
{
  return evbuffer_get_length (bufferevent_get_output (s->bev));
}

void
pf_session_maybe_resume_client (struct pf_session *s)
{
  if (!s->client_paused || s->ending)
    return;
  for (struct pf_pair *p = s->pairs; p; p = p->next)
    if (pf_pair_congested (p))
      return;
  s->client_paused = false;
  bufferevent_enable (s->bev, EV_READ);
}

static void
on_read (struct bufferevent *bev, void *arg)
{
  struct pf_session *s = arg;
  cleanup_error struct husk_error *err = NULL;
  if (s->ending)
    return;
  if (pf_spdy_input (s, bufferevent_get_input (bev), &err) < 0)
    pf_session_abort (s);
}

/* The client's queue went under half the bound: read the pods again. */
static void
on_write (struct bufferevent *bev, void *arg)
{
  struct pf_session *s = arg;
  for (struct pf_pair *p = s->pairs; p; p = p->next)
    pf_pair_resume (p);
}

static void
on_event (struct bufferevent *bev, short what, void *arg)
{
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
    pf_session_abort (arg);
}

/* kubelet's httpstream.Handshake: a client that names no protocol is an
 * old one and gets none back; one that names others is refused (EACCES,
 * kubelet's 403). */
static int
handshake (struct evhttp_request *req, struct evbuffer *answer, struct husk_error **err)
{
  struct evkeyvalq *h = evhttp_request_get_input_headers (req);
  const char *upgrade = evhttp_find_header (h, "Upgrade");
  const char *connection = evhttp_find_header (h, "Connection");
  cleanup_free char *offered = exec_stream_header_list (req, "X-Stream-Protocol-Version");
  const char *proto = offered ? stream_choose_protocol (offered, protocols) : NULL;
  if (!upgrade || !connection || !stream_list_has (upgrade, "SPDY/3.1")
      || !strcasestr (connection, "upgrade"))
    return husk_error_set (err, EPROTO, "unable to upgrade: missing upgrade headers in request");
  if (offered && !proto)
    return husk_error_set (err, EACCES,
                           "unable to upgrade: unable to negotiate protocol: client supports "
                           "[%s], server supports [%s]",
                           offered, protocols[0]);
  evbuffer_add_printf (answer, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                               "Upgrade: SPDY/3.1\r\n");
  if (proto)
    evbuffer_add_printf (answer, "X-Stream-Protocol-Version: %s\r\n", proto);
  evbuffer_add_printf (answer, "\r\n");
  return 0;
}

/* The pod's network namespace, held open so that a holder pid reused
 * later cannot redirect the session elsewhere. */
static int
open_netns (struct pf_session *s, const struct husk_sandbox_env *env, const char *sandbox_id,
            struct husk_error **err)
{
  struct husk_pod_sandbox_status st = { 0 };
  cleanup_error struct husk_error *e = NULL;
  if (sandbox_id && husk_pod_sandbox_status (env, sandbox_id, &st, &e) == 0 && st.netns_path)
    s->netns_fd = open (st.netns_path, O_RDONLY | O_CLOEXEC);
  husk_pod_sandbox_status_free (&st);
  if (s->netns_fd < 0)
    return husk_error_set (err, EINVAL, "unable to upgrade connection: pod %s is not running",
                           s->pod);
  snprintf (s->netns_path, sizeof s->netns_path, "/proc/self/fd/%d", s->netns_fd);
  return 0;
}

static int
session_init (struct pf_session *s, const struct pf_target *t, struct husk_error **err)
{
  s->pod = strdup (t->pod_name ?: "");
  s->uid = strdup (t->pod_uid ?: "");
  if (!s->pod || !s->uid || !(s->end_ev = event_new (s->base, -1, 0, on_end, s)))
    return husk_error_set (err, ENOMEM, "port-forward");
  if (spdy_zlib_init (&s->z, err) < 0)
    return -1;
  return open_netns (s, t->env, t->sandbox_id, err);
}

static void
take_over (struct pf_session *s, struct evhttp_request *req, struct evbuffer *answer)
{
  s->conn = evhttp_request_get_connection (req);
  s->bev = evhttp_connection_get_bufferevent (s->conn);
  bufferevent_write_buffer (s->bev, answer);
  bufferevent_set_timeouts (s->bev, NULL, NULL); /* a forward may idle for hours */
  bufferevent_setwatermark (s->bev, EV_WRITE, PF_HIGH / 2, 0);
  bufferevent_setcb (s->bev, on_read, on_write, on_event, s);
  bufferevent_enable (s->bev, EV_READ | EV_WRITE);
  /* frames the client sent right behind its request */
  if (evbuffer_get_length (bufferevent_get_input (s->bev)) > 0)
    on_read (s->bev, s);
}

int
pf_serve (struct event_base *base, struct evhttp_request *req, const struct pf_target *t,
          struct husk_error **err)
{
  struct pf_session *s = calloc (1, sizeof *s);
  struct evbuffer *answer = evbuffer_new ();
  int ret = -1;
  if (s)
    s->netns_fd = -1, s->base = base;
  if (!s || !answer)
    husk_error_set (err, ENOMEM, "port-forward");
  else if (handshake (req, answer, err) == 0 && session_init (s, t, err) == 0)
    ret = 0;
  if (ret < 0)
    {
      if (s)
        session_free (s);
      if (answer)
        evbuffer_free (answer);
      return -1;
    }
  take_over (s, req, answer);
  evbuffer_free (answer);
  return 0;
}

/* pods/{name}/portforward, as kubelet answers it. */
void
huskd_pod_port_forward (struct hreq *r, yajl_val pod)
{
  cleanup_error struct husk_error *err = NULL;
  struct pf_target t = {
    .env = &r->d->controller->env,
    .sandbox_id = huskd_pod_sandbox_id (pod),
    .pod_name = r->name,
    .pod_uid = jv_str (jv_get (pod, "metadata"), "uid"),
  };
  if (pf_serve (r->d->base, r->req, &t, &err) == 0)
    return;
  if (err->errnum == EACCES)
    hreq_reply_status (r, api_status_new (403, "Forbidden", "%s", err->message));
  else if (err->errnum == ENOMEM)
    hreq_reply_status (r, api_internal ("out of memory"));
  else
    hreq_reply_status (r, api_bad_request ("%s", err->message));
}
