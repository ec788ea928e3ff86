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
  bool started;
};

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
  struct evkeyvalq *h = evhttp_request_get_input_headers (req);
  const char *proto = stream_choose_protocol (evhttp_find_header (h, "X-Stream-Protocol-Version"),
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
spdy_start (struct exec_stream *s)
{
}

static void
send_data (struct exec_stream *s, uint32_t id, uint8_t flags, const void *buf, size_t len)
{
  uint8_t h[SPDY_HEADER_LEN];
  spdy_data_header (h, id, flags, (uint32_t) len);
  exec_stream_write (s, h, sizeof h);
  if (len)
    exec_stream_write (s, buf, len);
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
