/* The client's SPDY frames in a port-forward session.  Each SYN_STREAM must
 * carry `port` (1-65535) and `streamtype` (error or data), else it is
 * refused, as kubelet's httpStreamReceived refuses it; streams are paired by
 * their `requestid` (an old client sends none: kubelet derives it from the
 * stream id, error first and data next, and so do we).
 *
 * Flow control: like exec (exec_stream_spdy.c), windows are reopened as
 * data is taken; the client's own windows are not kept, because spdystream
 * (kubectl's side) never reopens them: the bound on what we queue for the
 * client is the backpressure instead. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "exec_stream.h"
#include "port_forward.h"
#include "spdy.h"

void
pf_spdy_data (struct pf_session *s, uint32_t id, bool fin, const void *buf, size_t len)
{
  if (!s->ending)
    exec_spdy_data (bufferevent_get_output (s->bev), id, fin ? SPDY_FLAG_FIN : 0, buf, len);
}

static void
refuse (struct pf_session *s, uint32_t id, uint32_t status)
{
  uint8_t rst[16];
  pf_session_write (s, rst, spdy_rst_stream (rst, id, status));
}

/* 1-65535, else -1. */
static int
parse_port (const char *v)
{
  char *end;
  long n;
  if (!v || !*v)
    return -1;
  errno = 0;
  n = strtol (v, &end, 10);
  return errno || *end || n < 1 || n > 65535 ? -1 : (int) n;
}

/* The stream joins its request's pair (made on the request's first
 * stream); the pair starts once it has both. */
static int
add_stream (struct pf_session *s, uint32_t id, bool data, int port, const char *request_id,
            struct husk_error **err)
{
  struct pf_pair *p = pf_pair_find (s, request_id);
  uint32_t *slot;
  if (!p && !(p = pf_pair_new (s, request_id, (uint16_t) port)))
    {
      refuse (s, id, SPDY_REFUSED_STREAM);
      return 0;
    }
  slot = data ? &p->data_id : &p->error_id;
  if (*slot)
    {
      refuse (s, id, SPDY_STREAM_IN_USE);
      return 0;
    }
  *slot = id;
  if (data)
    p->port = (uint16_t) port; /* kubelet forwards to the data stream's port */
  if (exec_spdy_syn_reply (&s->z, bufferevent_get_output (s->bev), id, err) < 0)
    return -1;
  if (p->error_id && p->data_id)
    pf_pair_start (p);
  return 0;
}

static int
on_syn_stream (struct pf_session *s, const struct spdy_frame *f, struct husk_error **err)
{
  struct spdy_headers hs;
  const char *type, *rid;
  char derived[16];
  bool data;
  int port, r;
  /* decoded even for a stream refused below: the zlib stream goes on */
  if (spdy_headers_decode (&s->z, f->headers, f->headers_len, &hs, err) < 0)
    return -1;
  if (f->stream_id <= s->last_id || !(f->stream_id & 1))
    {
      spdy_headers_free (&hs);
      return husk_error_set (err, EPROTO, "spdy: stream id %u out of order", f->stream_id);
    }
  s->last_id = f->stream_id;
  type = spdy_headers_get (&hs, "streamtype");
  port = parse_port (spdy_headers_get (&hs, "port"));
  data = type && strcmp (type, "data") == 0;
  if (port < 0 || !type || (!data && strcmp (type, "error") != 0))
    {
      spdy_headers_free (&hs);
      refuse (s, f->stream_id, SPDY_REFUSED_STREAM);
      return 0;
    }
  rid = spdy_headers_get (&hs, "requestid");
  if (!rid || !*rid)
    {
      snprintf (derived, sizeof derived, "%u", f->stream_id - (data ? 2 : 0));
      rid = derived;
    }
  r = add_stream (s, f->stream_id, data, port, rid, err);
  spdy_headers_free (&hs);
  return r;
}

static void
on_data (struct pf_session *s, const struct spdy_frame *f)
{
  struct pf_pair *p = pf_pair_of_stream (s, f->stream_id);
  bool fin = f->flags & SPDY_FLAG_FIN;
  if (!p || f->stream_id != p->data_id)
    return; /* the client writes nothing on the error stream but its FIN */
  if (!fin)
    exec_spdy_reopen_window (bufferevent_get_output (s->bev), f->stream_id, f->length);
  pf_pair_client_data (p, f->payload, f->length, fin);
}

static int
on_frame (void *arg, const struct spdy_frame *f, struct husk_error **err)
{
  struct pf_session *s = arg;
  struct pf_pair *p;
  uint8_t b[16];
  switch (f->type)
    {
    case SPDY_DATA:
      on_data (s, f);
      return 0;
    case SPDY_SYN_STREAM:
      return on_syn_stream (s, f, err);
    case SPDY_RST_STREAM:
      if ((p = pf_pair_of_stream (s, f->stream_id)))
        pf_pair_client_reset (p, f->stream_id);
      return 0;
    case SPDY_PING: /* only the client's own (odd) pings are echoed */
      if (f->value & 1)
        pf_session_write (s, b, spdy_ping (b, f->value));
      return 0;
    case SPDY_GOAWAY:
      return husk_error_set (err, 0, "spdy: the client went away");
    default: /* SETTINGS, WINDOW_UPDATE, SYN_REPLY, HEADERS: nothing for us */
      return 0;
    }
}

int
pf_spdy_input (struct pf_session *s, struct evbuffer *in, struct husk_error **err)
{
  return exec_spdy_each_frame (in, PF_MAX_FRAME, on_frame, s, err);
}
