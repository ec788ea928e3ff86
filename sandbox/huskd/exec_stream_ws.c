/* kubectl exec over WebSocket (what kubectl 1.30+ tries first): binary
 * messages whose first byte is the channel, v5.channel.k8s.io adding the
 * CLOSE channel (255) that carries stdin's end.  Client frames are masked
 * and may be fragmented; pings are answered; a close from the client ends
 * the session. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "exec_stream.h"
#include "websocket.h"

static const char *const protocols[] = { "v5.channel.k8s.io", "v4.channel.k8s.io", NULL };

struct ws_state {
  bool v5;
  bool in_message;
  struct evbuffer *message; /* a fragmented message being put together */
  bool close_sent;
};

static void
send_frame (struct exec_stream *s, uint8_t opcode, const uint8_t *prefix, size_t plen,
            const void *buf, size_t len)
{
  uint8_t h[WS_MAX_HEADER];
  size_t n = ws_frame_header (h, true, opcode, plen + len, NULL);
  exec_stream_write (s, h, n);
  if (plen)
    exec_stream_write (s, prefix, plen);
  if (len)
    exec_stream_write (s, buf, len);
}

static void
send_close (struct exec_stream *s, uint16_t code)
{
  struct ws_state *w = s->state;
  uint8_t payload[2] = { (uint8_t) (code >> 8), (uint8_t) code };
  if (w->close_sent)
    return;
  w->close_sent = true;
  send_frame (s, WS_OP_CLOSE, payload, 2, NULL, 0);
}

static int
ws_handshake (struct exec_stream *s, struct evhttp_request *req, struct evbuffer *out,
              struct husk_error **err)
{
  struct evkeyvalq *h = evhttp_request_get_input_headers (req);
  cleanup_free char *offered = exec_stream_header_list (req, "Sec-WebSocket-Protocol");
  const char *version = evhttp_find_header (h, "Sec-WebSocket-Version");
  const char *proto = stream_choose_protocol (offered,
                                              protocols);
  char accept[WS_ACCEPT_LEN];
  struct ws_state *w;
  if (!version || strcmp (version, "13") != 0)
    return husk_error_set (err, EINVAL, "websocket: Sec-WebSocket-Version must be 13");
  if (!proto)
    return husk_error_set (err, EINVAL, "websocket: no supported subprotocol (want %s or %s)",
                           protocols[0], protocols[1]);
  if (ws_accept_key (evhttp_find_header (h, "Sec-WebSocket-Key"), accept, err) < 0)
    return -1;
  if (!(w = calloc (1, sizeof *w)) || !(w->message = evbuffer_new ()))
    {
      free (w);
      return husk_error_set (err, ENOMEM, "websocket");
    }
  w->v5 = proto == protocols[0];
  s->state = w;
  evbuffer_add_printf (out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                            "Sec-WebSocket-Protocol: %s\r\n\r\n",
                       accept, proto);
  return 0;
}

static void
ws_start (struct exec_stream *s)
{
  exec_stream_start_process (s);
}

/* A whole message: [channel, data...]. */
static void
deliver (struct exec_stream *s, const uint8_t *m, size_t len)
{
  struct ws_state *w = s->state;
  if (len == 0)
    return;
  if (m[0] == STREAM_CLOSE && w->v5 && len >= 2 && m[1] == STREAM_STDIN)
    exec_stream_client_data (s, STREAM_CLOSE, NULL, 0);
  else if ((m[0] == STREAM_STDIN && len > 1) || m[0] == STREAM_RESIZE)
    exec_stream_client_data (s, m[0], m + 1, len - 1);
}

static int
data_frame (struct exec_stream *s, const struct ws_frame *f, uint8_t *payload,
            struct husk_error **err)
{
  struct ws_state *w = s->state;
  if ((f->opcode == WS_OP_CONTINUATION) != w->in_message)
    return husk_error_set (err, EPROTO, "websocket: %s", w->in_message
                                                             ? "new message inside a fragmented one"
                                                             : "continuation without a message");
  if (f->fin && !w->in_message)
    {
      deliver (s, payload, f->length);
      return 0;
    }
  if (evbuffer_get_length (w->message) + f->length > EXEC_STREAM_MAX_FRAME)
    return husk_error_set (err, EMSGSIZE, "websocket: message over %u bytes",
                           EXEC_STREAM_MAX_FRAME);
  evbuffer_add (w->message, payload, f->length);
  w->in_message = !f->fin;
  if (f->fin)
    {
      size_t n = evbuffer_get_length (w->message);
      deliver (s, evbuffer_pullup (w->message, -1), n);
      evbuffer_drain (w->message, n);
    }
  return 0;
}

static int
one_frame (struct exec_stream *s, const struct ws_frame *f, uint8_t *payload,
           struct husk_error **err)
{
  if (!f->masked) /* RFC 6455 5.1: a server must close on an unmasked frame */
    return husk_error_set (err, EPROTO, "websocket: client frame not masked");
  ws_mask (payload, f->length, f->mask, 0);
  switch (f->opcode)
    {
    case WS_OP_PING:
      send_frame (s, WS_OP_PONG, NULL, 0, payload, f->length);
      return 0;
    case WS_OP_PONG:
      return 0;
    case WS_OP_CLOSE:
      send_close (s, WS_CLOSE_NORMAL);
      return husk_error_set (err, 0, "websocket: the client closed");
    default:
      return data_frame (s, f, payload, err);
    }
}

static int
ws_input (struct exec_stream *s, struct evbuffer *in, struct husk_error **err)
{
  struct ws_frame f;
  int r;
  while (evbuffer_get_length (in) > 0)
    {
      size_t len = evbuffer_get_length (in);
      uint8_t *buf = evbuffer_pullup (in, -1);
      if ((r = ws_frame_parse (buf, len, EXEC_STREAM_MAX_FRAME, &f, err)) < 0)
        {
          send_close (s, (*err)->errnum == EMSGSIZE ? WS_CLOSE_TOO_BIG : WS_CLOSE_PROTOCOL_ERROR);
          return -1;
        }
      if (r == 0)
        return 0;
      if (one_frame (s, &f, buf + f.header_len, err) < 0)
        {
          send_close (s, (*err)->errnum == EMSGSIZE ? WS_CLOSE_TOO_BIG : WS_CLOSE_PROTOCOL_ERROR);
          return -1;
        }
      evbuffer_drain (in, f.header_len + f.length);
    }
  return 0;
}

static void
ws_output (struct exec_stream *s, enum stream_channel ch, const uint8_t *buf, size_t len)
{
  uint8_t c = (uint8_t) ch;
  send_frame (s, WS_OP_BINARY, &c, 1, buf, len);
}

static void
ws_finish (struct exec_stream *s, const char *status, size_t len)
{
  uint8_t c = STREAM_ERROR;
  send_frame (s, WS_OP_BINARY, &c, 1, status, len);
  send_close (s, WS_CLOSE_NORMAL);
}

static void
ws_free (struct exec_stream *s)
{
  struct ws_state *w = s->state;
  evbuffer_free (w->message);
  free (w);
  s->state = NULL;
}

const struct exec_transport exec_transport_websocket = {
  .name = "websocket",
  .handshake = ws_handshake,
  .start = ws_start,
  .input = ws_input,
  .output = ws_output,
  .finish = ws_finish,
  .free = ws_free,
};
