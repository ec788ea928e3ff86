/* kubectl exec over SPDY/3.1, the v4.channel.k8s.io stream protocol of
 * every kubectl: the client opens one stream per channel (SYN_STREAM with a
 * `streamtype` header), each answered by a SYN_REPLY; the process starts
 * once every stream the query asked for is open.  Output goes as DATA on
 * the stdout/stderr streams, ended by FIN; the exit Status is written on the
 * error stream, then FIN.
 *
 * Flow control: the client's receive windows are respected from the moment
 * it shows it keeps them (a SETTINGS with INITIAL_WINDOW_SIZE or a
 * WINDOW_UPDATE); spdystream, the Go library inside kubectl, sends neither,
 * and holding back output for window updates that never come would hang
 * every exec over 64 KiB.  Our own receive window is reopened as stdin is
 * taken, so a client that keeps windows never stalls either. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "exec_stream.h"
#include "spdy.h"
#include "spdy_zlib.h"

static const char *const protocols[] = { "v4.channel.k8s.io", NULL };

struct spdy_state {
  struct spdy_zlib z;
  uint32_t id[STREAM_N_CHANNELS]; /* the client's stream of each channel, 0: none */
  uint32_t last_id;
  bool flow;                      /* the client keeps windows: respect them */
  int64_t initial_window, conn_window;
  int64_t window[STREAM_N_CHANNELS];
  struct evbuffer *held[STREAM_N_CHANNELS]; /* output waiting for window */
  struct evbuffer *resize;                  /* newline separated JSON */
  struct event *streams_timer; /* the client has this long to open its streams */
  bool started;
  char *status; /* the final Status, sent once the held output is out */
  size_t status_len;
};

/* kubelet's streamCreationTimeout */
#define STREAMS_TIMEOUT_S 30

static void try_finish (struct exec_stream *s);

static int
channel_of (struct spdy_state *st, uint32_t id)
{
  for (int c = 0; id && c < STREAM_N_CHANNELS; c++)
    if (st->id[c] == id)
      return c;
  return -1;
}

static int
spdy_handshake (struct exec_stream *s, struct evhttp_request *req, struct evbuffer *out,
                struct husk_error **err)
{
  cleanup_free char *offered = exec_stream_header_list (req, "X-Stream-Protocol-Version");
  const char *proto = stream_choose_protocol (offered,
                                              protocols);
  struct spdy_state *st;
  if (!proto)
    return husk_error_set (err, EINVAL, "spdy: X-Stream-Protocol-Version must offer %s",
                           protocols[0]);
  if (!(st = calloc (1, sizeof *st)))
    return husk_error_set (err, ENOMEM, "spdy");
  s->state = st;
  st->initial_window = st->conn_window = SPDY_INITIAL_WINDOW;
  if (spdy_zlib_init (&st->z, err) < 0 || !(st->resize = evbuffer_new ()))
    return -1;
  for (int c = 0; c < STREAM_N_CHANNELS; c++)
    if (!(st->held[c] = evbuffer_new ()))
      return husk_error_set (err, ENOMEM, "spdy");
  evbuffer_add_printf (out, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                            "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: %s\r\n\r\n",
                       proto);
  return 0;
}

static void
on_streams_timeout (evutil_socket_t fd, short what, void *arg)
{
  exec_stream_abort (arg, "spdy: the client did not open its streams in time");
}

static void
spdy_start (struct exec_stream *s)
{
  struct spdy_state *st = s->state;
  struct timeval tv = { STREAMS_TIMEOUT_S, 0 };
  st->streams_timer = evtimer_new (s->base, on_streams_timeout, s);
  if (st->streams_timer)
    evtimer_add (st->streams_timer, &tv);
}

void
exec_spdy_data (struct evbuffer *out, uint32_t id, uint8_t flags, const void *buf, size_t len)
{
  uint8_t h[SPDY_HEADER_LEN];
  spdy_data_header (h, id, flags, (uint32_t) len);
  evbuffer_add (out, h, sizeof h);
  if (len)
    evbuffer_add (out, buf, len);
}

static void
send_data (struct exec_stream *s, uint32_t id, uint8_t flags, const void *buf, size_t len)
{
  exec_spdy_data (bufferevent_get_output (s->bev), id, flags, buf, len);
}

/* Sends what the windows allow of a channel's held output. */
static void
release (struct exec_stream *s, int c)
{
  struct spdy_state *st = s->state;
  while (evbuffer_get_length (st->held[c]) > 0)
    {
      int64_t room = st->window[c] < st->conn_window ? st->window[c] : st->conn_window;
      size_t n = evbuffer_get_length (st->held[c]);
      if (st->flow && room <= 0)
        return;
      if (st->flow && (int64_t) n > room)
        n = (size_t) room;
      if (n > 16384)
        n = 16384;
      send_data (s, st->id[c], 0, evbuffer_pullup (st->held[c], n), n);
      evbuffer_drain (st->held[c], n);
      st->window[c] -= n;
      st->conn_window -= n;
    }
}

static void
spdy_output (struct exec_stream *s, enum stream_channel ch, const uint8_t *buf, size_t len)
{
  struct spdy_state *st = s->state;
  if (!st->id[ch])
    return;
  evbuffer_add (st->held[ch], buf, len);
  release (s, ch);
}

static size_t
spdy_held (struct exec_stream *s)
{
  struct spdy_state *st = s->state;
  size_t n = 0;
  for (int c = 0; c < STREAM_N_CHANNELS; c++)
    n += evbuffer_get_length (st->held[c]);
  return n;
}

static bool
all_open (struct exec_stream *s)
{
  struct spdy_state *st = s->state;
  for (int c = 0; c < STREAM_N_CHANNELS; c++)
    if (s->want[c] && !st->id[c])
      return false;
  return true;
}

int
exec_spdy_syn_reply (struct spdy_zlib *z, struct evbuffer *out, uint32_t id,
                     struct husk_error **err)
{
  static const char *const none[] = { NULL };
  cleanup_free uint8_t *block = NULL;
  uint8_t h[12];
  size_t len;
  if (spdy_headers_encode (z, none, &block, &len, err) < 0)
    return -1;
  spdy_reply_header (h, SPDY_SYN_REPLY, id, 0, (uint32_t) len);
  evbuffer_add (out, h, sizeof h);
  evbuffer_add (out, block, len);
  return 0;
}

static int
syn_reply (struct exec_stream *s, uint32_t id, struct husk_error **err)
{
  struct spdy_state *st = s->state;
  return exec_spdy_syn_reply (&st->z, bufferevent_get_output (s->bev), id, err);
}

static int
on_syn_stream (struct exec_stream *s, const struct spdy_frame *f, struct husk_error **err)
{
  struct spdy_state *st = s->state;
  struct spdy_headers hs;
  uint8_t rst[16];
  int c;
  /* decoded even for a stream refused below: the zlib stream goes on */
  if (spdy_headers_decode (&st->z, f->headers, f->headers_len, &hs, err) < 0)
    return -1;
  c = stream_channel_from_name (spdy_headers_get (&hs, "streamtype"));
  spdy_headers_free (&hs);
  if (f->stream_id <= st->last_id || !(f->stream_id & 1))
    return husk_error_set (err, EPROTO, "spdy: stream id %u out of order", f->stream_id);
  st->last_id = f->stream_id;
  if (c < 0 || st->id[c] || !s->want[c])
    {
      exec_stream_write (s, rst, spdy_rst_stream (rst, f->stream_id, SPDY_REFUSED_STREAM));
      return 0;
    }
  st->id[c] = f->stream_id;
  st->window[c] = st->initial_window;
  if (syn_reply (s, f->stream_id, err) < 0)
    return -1;
  if (!st->started && all_open (s))
    {
      st->started = true;
      if (st->streams_timer)
        evtimer_del (st->streams_timer);
      exec_stream_start_process (s);
    }
  return 0;
}

void
exec_spdy_reopen_window (struct evbuffer *out, uint32_t id, size_t n)
{
  uint8_t b[16];
  if (n == 0)
    return;
  evbuffer_add (out, b, spdy_window_update (b, id, (uint32_t) n));
  evbuffer_add (out, b, spdy_window_update (b, 0, (uint32_t) n));
}

static void
reopen_window (struct exec_stream *s, uint32_t id, size_t n)
{
  exec_spdy_reopen_window (bufferevent_get_output (s->bev), id, n);
}

static void
resize_lines (struct exec_stream *s)
{
  struct spdy_state *st = s->state;
  size_t n;
  char *line;
  while ((line = evbuffer_readln (st->resize, &n, EVBUFFER_EOL_LF)))
    {
      exec_stream_client_data (s, STREAM_RESIZE, (const uint8_t *) line, n);
      free (line);
    }
}

static int
on_data (struct exec_stream *s, const struct spdy_frame *f, struct husk_error **err)
{
  struct spdy_state *st = s->state;
  int c = channel_of (st, f->stream_id);
  if (c == STREAM_STDIN && f->length)
    exec_stream_client_data (s, STREAM_STDIN, f->payload, f->length);
  if (c == STREAM_RESIZE)
    {
      evbuffer_add (st->resize, f->payload, f->length);
      if (evbuffer_get_length (st->resize) > 4096)
        return husk_error_set (err, EMSGSIZE, "spdy: resize message too long");
      resize_lines (s);
    }
  if (c == STREAM_STDIN && (f->flags & SPDY_FLAG_FIN))
    exec_stream_client_data (s, STREAM_CLOSE, NULL, 0);
  if (c >= 0 && !(f->flags & SPDY_FLAG_FIN))
    reopen_window (s, f->stream_id, f->length);
  return 0;
}

static void
on_setting (void *arg, uint32_t id, uint32_t value)
{
  struct exec_stream *s = arg;
  struct spdy_state *st = s->state;
  if (id != SPDY_SETTINGS_INITIAL_WINDOW_SIZE || value > 0x7fffffff)
    return;
  /* 3.1 section 2.6.8: the difference applies to every open stream */
  for (int c = 0; c < STREAM_N_CHANNELS; c++)
    st->window[c] += (int64_t) value - st->initial_window;
  st->initial_window = value;
  st->flow = true;
}

static void
on_window_update (struct exec_stream *s, const struct spdy_frame *f)
{
  struct spdy_state *st = s->state;
  int c = channel_of (st, f->stream_id);
  st->flow = true;
  if (f->stream_id == 0)
    st->conn_window += f->value;
  else if (c >= 0)
    st->window[c] += f->value;
  for (int k = 0; k < STREAM_N_CHANNELS; k++)
    release (s, k);
  try_finish (s);
}

static int
on_control (struct exec_stream *s, const struct spdy_frame *f, struct husk_error **err)
{
  struct spdy_state *st = s->state;
  uint8_t b[16];
  switch (f->type)
    {
    case SPDY_SYN_STREAM:
      return on_syn_stream (s, f, err);
    case SPDY_PING: /* only the client's own (odd) pings are echoed */
      if (f->value & 1)
        exec_stream_write (s, b, spdy_ping (b, f->value));
      return 0;
    case SPDY_SETTINGS:
      return spdy_settings_each (f, on_setting, s, err);
    case SPDY_WINDOW_UPDATE:
      on_window_update (s, f);
      return 0;
    case SPDY_RST_STREAM:
      if (channel_of (st, f->stream_id) == STREAM_STDIN)
        exec_stream_client_data (s, STREAM_CLOSE, NULL, 0);
      return 0;
    case SPDY_GOAWAY:
      return husk_error_set (err, 0, "spdy: the client went away");
    default: /* SYN_REPLY and HEADERS have nothing for us; unknown types are ignored */
      return 0;
    }
}

int
exec_spdy_each_frame (struct evbuffer *in, uint32_t max_length,
                      int (*fn) (void *arg, const struct spdy_frame *f, struct husk_error **err),
                      void *arg, struct husk_error **err)
{
  struct spdy_frame f;
  int r;
  while (evbuffer_get_length (in) >= SPDY_HEADER_LEN)
    {
      size_t len = evbuffer_get_length (in);
      uint8_t *buf = evbuffer_pullup (in, -1);
      if ((r = spdy_frame_parse (buf, len, max_length, &f, err)) <= 0)
        return r;
      if (fn (arg, &f, err) < 0)
        return -1;
      evbuffer_drain (in, SPDY_HEADER_LEN + f.length);
    }
  return 0;
}

static int
one_frame (void *arg, const struct spdy_frame *f, struct husk_error **err)
{
  struct exec_stream *s = arg;
  return f->type == SPDY_DATA ? on_data (s, f, err) : on_control (s, f, err);
}

static int
spdy_input (struct exec_stream *s, struct evbuffer *in, struct husk_error **err)
{
  return exec_spdy_each_frame (in, EXEC_STREAM_MAX_FRAME, one_frame, s, err);
}

/* FIN on stdout and stderr once all their output went out (within the
 * windows), then the Status on the error stream and its FIN. */
static void
try_finish (struct exec_stream *s)
{
  struct spdy_state *st = s->state;
  if (!st->status)
    return;
  for (int c = 0; c < STREAM_N_CHANNELS; c++)
    if (evbuffer_get_length (st->held[c]) > 0)
      return;
  for (int c = STREAM_STDOUT; c <= STREAM_STDERR; c++)
    if (st->id[c])
      send_data (s, st->id[c], SPDY_FLAG_FIN, NULL, 0);
  if (st->id[STREAM_ERROR])
    {
      send_data (s, st->id[STREAM_ERROR], 0, st->status, st->status_len);
      send_data (s, st->id[STREAM_ERROR], SPDY_FLAG_FIN, NULL, 0);
    }
  free (st->status);
  st->status = NULL;
}

static void
spdy_finish (struct exec_stream *s, const char *status, size_t len)
{
  struct spdy_state *st = s->state;
  free (st->status);
  st->status = malloc (len ? len : 1);
  if (!st->status)
    return exec_stream_abort (s, "out of memory");
  memcpy (st->status, status, len);
  st->status_len = len;
  try_finish (s);
}

static void
spdy_free (struct exec_stream *s)
{
  struct spdy_state *st = s->state;
  spdy_zlib_free (&st->z);
  for (int c = 0; c < STREAM_N_CHANNELS; c++)
    if (st->held[c])
      evbuffer_free (st->held[c]);
  if (st->resize)
    evbuffer_free (st->resize);
  if (st->streams_timer)
    event_free (st->streams_timer);
  free (st->status);
  free (st);
  s->state = NULL;
}

const struct exec_transport exec_transport_spdy = {
  .name = "spdy",
  .handshake = spdy_handshake,
  .start = spdy_start,
  .input = spdy_input,
  .output = spdy_output,
  .held = spdy_held,
  .finish = spdy_finish,
  .free = spdy_free,
};
