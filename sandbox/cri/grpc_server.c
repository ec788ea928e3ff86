/* The gRPC server's connections and calls (grpc.h): nghttp2 server
 * sessions on libevent bufferevents, a thread per call. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <nghttp2/nghttp2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "grpc.h"

/* Enough for kubelet's pod workers and critest's parallel specs. */
#define MAX_STREAMS 128
/* The per-stream and connection receive windows: a 16 MiB message arrives
 * without waiting for a WINDOW_UPDATE per 64 KiB. */
#define STREAM_WINDOW (4 << 20)
#define CONN_WINDOW (32 << 20)

struct cri_grpc_server {
  struct event_base *base;
  struct evconnlistener *listener;
  cri_grpc_handler handler;
  void *arg;
  char *path;
};

struct conn;

struct stream {
  struct conn *conn;
  int32_t id;
  char *path;
  int64_t timeout_ns; /* -1: none */
  bool grpc;          /* content-type application/grpc */
  uint8_t *body;
  size_t len, cap;
  bool too_big;
  struct call *call;
  /* the answer being sent */
  uint8_t *resp;
  size_t resp_len, resp_off;
  int status;
  char *message;
  bool answered;
  struct event *deadline;
};

struct call {
  struct cri_grpc_server *server;
  struct stream *stream; /* NULL once the stream or connection is gone */
  struct event *done;
  char *path;
  uint8_t *body;
  size_t len;
  int64_t deadline_ns;
  struct cri_grpc_result result;
  struct call *next; /* the connection's calls */
};

struct conn {
  struct cri_grpc_server *server;
  struct bufferevent *bev;
  nghttp2_session *session;
  struct call *calls;
};

static int64_t
mono_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void conn_free (struct conn *c);

static void
conn_flush (struct conn *c)
{
  if (nghttp2_session_send (c->session) != 0)
    {
      conn_free (c);
      return;
    }
  if (!nghttp2_session_want_read (c->session) && !nghttp2_session_want_write (c->session)
      && evbuffer_get_length (bufferevent_get_output (c->bev)) == 0)
    conn_free (c);
}

/* ---- answers ---- */

static ssize_t
read_resp (nghttp2_session *session, int32_t id, uint8_t *buf, size_t length,
           uint32_t *flags, nghttp2_data_source *source, void *user)
{
  struct stream *s = source->ptr;
  size_t n = s->resp_len - s->resp_off;
  if (n > length)
    n = length;
  memcpy (buf, s->resp + s->resp_off, n);
  s->resp_off += n;
  if (s->resp_off == s->resp_len)
    {
      char code[16];
      cleanup_free char *msg = cri_grpc_percent_encode (s->message ? s->message : "");
      snprintf (code, sizeof code, "%d", s->status);
      nghttp2_nv trailers[] = {
        { (uint8_t *) "grpc-status", (uint8_t *) code, 11, strlen (code), NGHTTP2_NV_FLAG_NONE },
        { (uint8_t *) "grpc-message", (uint8_t *) (msg ? msg : ""), 12, msg ? strlen (msg) : 0,
          NGHTTP2_NV_FLAG_NONE },
      };
      *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
      if (nghttp2_submit_trailer (session, id, trailers, s->message ? 2 : 1) != 0)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
  return (ssize_t) n;
}

#define NV(name, value)                                                                     \
  { (uint8_t *) (name), (uint8_t *) (value), strlen (name), strlen (value), NGHTTP2_NV_FLAG_NONE }

/* A message and OK, or only headers carrying the error (Trailers-Only). */
static void
stream_answer (struct stream *s, int status, const char *message, uint8_t *body, size_t len)
{
  struct conn *c = s->conn;
  if (s->answered)
    {
      free (body);
      return;
    }
  s->answered = true;
  if (s->deadline)
    evtimer_del (s->deadline);
  s->status = status;
  s->message = message ? strdup (message) : NULL;
  if (status == GRPC_OK)
    {
      nghttp2_nv hdrs[] = { NV (":status", "200"), NV ("content-type", "application/grpc") };
      nghttp2_data_provider prd = { .source.ptr = s, .read_callback = read_resp };
      s->resp = malloc (len + 5);
      if (s->resp == NULL)
        {
          free (body);
          nghttp2_submit_rst_stream (c->session, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_INTERNAL_ERROR);
          return;
        }
      s->resp[0] = 0;
      s->resp[1] = (uint8_t) (len >> 24);
      s->resp[2] = (uint8_t) (len >> 16);
      s->resp[3] = (uint8_t) (len >> 8);
      s->resp[4] = (uint8_t) len;
      if (len)
        memcpy (s->resp + 5, body, len);
      s->resp_len = len + 5;
      free (body);
      nghttp2_submit_response (c->session, s->id, hdrs, 2, &prd);
    }
  else
    {
      char code[16];
      cleanup_free char *msg = cri_grpc_percent_encode (message ? message : "");
      free (body);
      snprintf (code, sizeof code, "%d", status);
      nghttp2_nv hdrs[] = { NV (":status", "200"), NV ("content-type", "application/grpc"),
                            NV ("grpc-status", code), NV ("grpc-message", msg ? msg : "") };
      nghttp2_submit_response (c->session, s->id, hdrs, 4, NULL);
    }
}

static void
on_deadline (evutil_socket_t fd, short what, void *arg)
{
  struct stream *s = arg;
  struct conn *c = s->conn;
  stream_answer (s, GRPC_DEADLINE_EXCEEDED, "deadline exceeded", NULL, 0);
  conn_flush (c);
}

/* ---- calls: a thread each ---- */

static void
call_free (struct call *k)
{
  event_free (k->done);
  free (k->path);
  free (k->body);
  free (k->result.message);
  free (k->result.body);
  free (k);
}

static void
call_unlink (struct conn *c, struct call *k)
{
  for (struct call **p = &c->calls; *p; p = &(*p)->next)
    if (*p == k)
      {
        *p = k->next;
        return;
      }
}

/* On the loop once the handler returned. */
static void
on_call_done (evutil_socket_t fd, short what, void *arg)
{
  struct call *k = arg;
  struct stream *s = k->stream;
  if (s)
    {
      struct conn *c = s->conn;
      call_unlink (c, k);
      s->call = NULL;
      stream_answer (s, k->result.status, k->result.message, k->result.body, k->result.len);
      k->result.body = NULL;
      call_free (k);
      conn_flush (c);
      return;
    }
  call_free (k);
}

static void *
call_thread (void *arg)
{
  struct call *k = arg;
  k->server->handler (k->server->arg, k->path, k->body, k->len, k->deadline_ns, &k->result);
  if (k->result.status != GRPC_OK)
    {
      free (k->result.body);
      k->result.body = NULL;
      k->result.len = 0;
    }
  event_active (k->done, EV_READ, 0);
  return NULL;
}

static void
stream_dispatch (struct stream *s)
{
  struct conn *c = s->conn;
  struct call *k;
  const uint8_t *msg;
  size_t len;
  int code;
  pthread_t th;
  pthread_attr_t attr;
  cleanup_error struct husk_error *err = NULL;

  if (!s->grpc || s->path == NULL)
    return stream_answer (s, GRPC_UNIMPLEMENTED, "not a gRPC request", NULL, 0);
  if (s->too_big)
    return stream_answer (s, GRPC_RESOURCE_EXHAUSTED, "message over 16 MiB", NULL, 0);
  if (cri_grpc_unframe (s->body, s->len, &msg, &len, &code, &err) < 0)
    return stream_answer (s, code, err->message, NULL, 0);
  k = calloc (1, sizeof *k);
  if (k == NULL || (k->path = strdup (s->path)) == NULL
      || (k->body = malloc (len ? len : 1)) == NULL
      || (k->done = event_new (c->server->base, -1, 0, on_call_done, k)) == NULL)
    {
      if (k)
        free (k->path), free (k->body), free (k);
      return stream_answer (s, GRPC_RESOURCE_EXHAUSTED, "out of memory", NULL, 0);
    }
  memcpy (k->body, msg, len);
  k->len = len;
  k->server = c->server;
  k->stream = s;
  k->deadline_ns = s->timeout_ns >= 0 ? mono_ns () + s->timeout_ns : 0;
  s->call = k;
  k->next = c->calls;
  c->calls = k;
  if (s->timeout_ns >= 0 && s->timeout_ns < 365LL * 24 * 3600 * 1000000000LL)
    {
      struct timeval tv = { s->timeout_ns / 1000000000LL, (s->timeout_ns % 1000000000LL) / 1000 };
      s->deadline = evtimer_new (c->server->base, on_deadline, s);
      if (s->deadline)
        evtimer_add (s->deadline, &tv);
    }
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create (&th, &attr, call_thread, k) != 0)
    {
      pthread_attr_destroy (&attr);
      call_unlink (c, k);
      s->call = NULL;
      call_free (k);
      return stream_answer (s, GRPC_UNAVAILABLE, "cannot start a thread for the call", NULL, 0);
    }
  pthread_attr_destroy (&attr);
}

/* ---- nghttp2 callbacks ---- */

static ssize_t
on_send (nghttp2_session *session, const uint8_t *data, size_t length, int flags, void *user)
{
  struct conn *c = user;
  if (bufferevent_write (c->bev, data, length) < 0)
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  return (ssize_t) length;
}

static int
on_begin_headers (nghttp2_session *session, const nghttp2_frame *frame, void *user)
{
  struct conn *c = user;
  struct stream *s;
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0;
  s = calloc (1, sizeof *s);
  if (s == NULL)
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  s->conn = c;
  s->id = frame->hd.stream_id;
  s->timeout_ns = -1;
  nghttp2_session_set_stream_user_data (session, s->id, s);
  return 0;
}

static int
on_header (nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name,
           size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *user)
{
  struct stream *s = nghttp2_session_get_stream_user_data (session, frame->hd.stream_id);
  if (s == NULL || frame->hd.type != NGHTTP2_HEADERS)
    return 0;
  if (namelen == 5 && memcmp (name, ":path", 5) == 0 && s->path == NULL)
    s->path = strndup ((const char *) value, valuelen);
  else if (namelen == 12 && memcmp (name, "content-type", 12) == 0)
    s->grpc = valuelen >= 16 && memcmp (value, "application/grpc", 16) == 0;
  else if (namelen == 12 && memcmp (name, "grpc-timeout", 12) == 0)
    s->timeout_ns = cri_grpc_timeout_ns ((const char *) value, valuelen);
  return 0;
}

static int
on_data_chunk (nghttp2_session *session, uint8_t flags, int32_t id, const uint8_t *data,
               size_t len, void *user)
{
  struct stream *s = nghttp2_session_get_stream_user_data (session, id);
  if (s == NULL || s->too_big)
    return 0;
  if (s->len + len > CRI_GRPC_MAX_MESSAGE + 5)
    {
      s->too_big = true;
      free (s->body);
      s->body = NULL;
      s->len = s->cap = 0;
      return 0;
    }
  if (s->len + len > s->cap)
    {
      size_t cap = s->cap ? s->cap : 4096;
      uint8_t *p;
      while (cap < s->len + len)
        cap *= 2;
      if ((p = realloc (s->body, cap)) == NULL)
        return NGHTTP2_ERR_CALLBACK_FAILURE;
      s->body = p;
      s->cap = cap;
    }
  memcpy (s->body + s->len, data, len);
  s->len += len;
  return 0;
}

static int
on_frame_recv (nghttp2_session *session, const nghttp2_frame *frame, void *user)
{
  struct stream *s;
  if ((frame->hd.type != NGHTTP2_DATA && frame->hd.type != NGHTTP2_HEADERS)
      || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    return 0;
  s = nghttp2_session_get_stream_user_data (session, frame->hd.stream_id);
  if (s && !s->answered && s->call == NULL)
    stream_dispatch (s);
  return 0;
}

static int
on_stream_close (nghttp2_session *session, int32_t id, uint32_t code, void *user)
{
  struct conn *c = user;
  struct stream *s = nghttp2_session_get_stream_user_data (session, id);
  if (s == NULL)
    return 0;
  if (s->call)
    {
      /* the thread still runs: its answer goes nowhere */
      call_unlink (c, s->call);
      s->call->stream = NULL;
    }
  if (s->deadline)
    event_free (s->deadline);
  free (s->path);
  free (s->body);
  free (s->resp);
  free (s->message);
  free (s);
  return 0;
}

/* ---- connections ---- */

static void
conn_free (struct conn *c)
{
  for (struct call *k = c->calls; k; k = k->next)
    k->stream = NULL;
  c->calls = NULL;
  /* frees every stream through on_stream_close */
  nghttp2_session_del (c->session);
  bufferevent_free (c->bev);
  free (c);
}

static void
on_read (struct bufferevent *bev, void *arg)
{
  struct conn *c = arg;
  struct evbuffer *in = bufferevent_get_input (bev);
  size_t len = evbuffer_get_length (in);
  unsigned char *data = evbuffer_pullup (in, -1);
  ssize_t n = nghttp2_session_mem_recv (c->session, data, len);
  if (n < 0)
    {
      conn_free (c);
      return;
    }
  evbuffer_drain (in, (size_t) n);
  conn_flush (c);
}

static void
on_write (struct bufferevent *bev, void *arg)
{
  struct conn *c = arg;
  if (nghttp2_session_want_read (c->session) || nghttp2_session_want_write (c->session))
    conn_flush (c);
  else
    conn_free (c);
}

static void
on_event (struct bufferevent *bev, short what, void *arg)
{
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
    conn_free (arg);
}

static int
session_new (struct conn *c)
{
  nghttp2_session_callbacks *cbs;
  nghttp2_option *opt;
  nghttp2_settings_entry settings[] = {
    { NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, MAX_STREAMS },
    { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW },
    { NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 64 * 1024 },
  };
  int r;
  if (nghttp2_session_callbacks_new (&cbs) != 0)
    return -1;
  nghttp2_session_callbacks_set_send_callback (cbs, on_send);
  nghttp2_session_callbacks_set_on_begin_headers_callback (cbs, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback (cbs, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback (cbs, on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback (cbs, on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback (cbs, on_stream_close);
  /* gRPC-Go sends the socket path as :authority for a unix target, which
   * nghttp2's HTTP checks refuse ('/' is no authority character): the
   * gRPC checks that matter (method, content-type) are ours */
  if (nghttp2_option_new (&opt) != 0)
    {
      nghttp2_session_callbacks_del (cbs);
      return -1;
    }
  nghttp2_option_set_no_http_messaging (opt, 1);
  r = nghttp2_session_server_new2 (&c->session, cbs, c, opt);
  nghttp2_option_del (opt);
  nghttp2_session_callbacks_del (cbs);
  if (r != 0)
    return -1;
  if (nghttp2_submit_settings (c->session, NGHTTP2_FLAG_NONE, settings, 3) != 0
      || nghttp2_session_set_local_window_size (c->session, NGHTTP2_FLAG_NONE, 0, CONN_WINDOW)
             != 0)
    return -1;
  return 0;
}

static void
on_accept (struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int socklen,
           void *arg)
{
  struct cri_grpc_server *srv = arg;
  struct conn *c = calloc (1, sizeof *c);
  if (c == NULL)
    {
      close (fd);
      return;
    }
  c->server = srv;
  c->bev = bufferevent_socket_new (srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (c->bev == NULL)
    {
      close (fd);
      free (c);
      return;
    }
  if (session_new (c) < 0)
    {
      if (c->session)
        nghttp2_session_del (c->session);
      bufferevent_free (c->bev);
      free (c);
      return;
    }
  bufferevent_setcb (c->bev, on_read, on_write, on_event, c);
  bufferevent_enable (c->bev, EV_READ | EV_WRITE);
  conn_flush (c);
}

static int
claim_path (const char *path, struct husk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int probe = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (path == NULL || strlen (path) >= sizeof addr.sun_path)
    return husk_error_set (err, ENAMETOOLONG, "CRI socket path `%s` too long", path ? path : "");
  memcpy (addr.sun_path, path, strlen (path) + 1);
  if (probe >= 0 && connect (probe, (struct sockaddr *) &addr, sizeof addr) == 0)
    return husk_error_set (err, EADDRINUSE, "another server serves `%s`", path);
  if (unlink (path) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "unlink `%s`", path);
  return 0;
}

int
cri_grpc_listen (struct event_base *base, const char *path, cri_grpc_handler handler, void *arg,
                 struct cri_grpc_server **out, struct husk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;
  struct cri_grpc_server *s;
  mode_t old;
  int r;

  if (strlen (path) >= sizeof addr.sun_path)
    return husk_error_set (err, ENAMETOOLONG, "CRI socket path `%s`", path);
  strcpy (addr.sun_path, path);
  if (claim_path (path, err) < 0)
    return -1;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return husk_error_set (err, errno, "socket");
  /* root only: the CRI grants everything huskd can do */
  old = umask (0177);
  r = bind (fd, (struct sockaddr *) &addr, sizeof addr);
  umask (old);
  if (r < 0)
    return husk_error_set (err, errno, "bind `%s`", path);
  if (chmod (path, 0600) < 0)
    return husk_error_set (err, errno, "chmod `%s`", path);
  if ((s = calloc (1, sizeof *s)) == NULL || (s->path = strdup (path)) == NULL)
    {
      free (s);
      return husk_error_set (err, ENOMEM, "CRI server");
    }
  s->base = base;
  s->handler = handler;
  s->arg = arg;
  s->listener = evconnlistener_new (base, on_accept, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                    128, fd);
  if (s->listener == NULL)
    {
      free (s->path);
      free (s);
      return husk_error_set (err, errno, "listen `%s`", path);
    }
  fd = -1;
  *out = s;
  return 0;
}

void
cri_grpc_server_free (struct cri_grpc_server *s)
{
  if (s == NULL)
    return;
  /* calls still running keep their connection's memory: the process is
   * exiting, the kernel closes the sockets */
  evconnlistener_free (s->listener);
  unlink (s->path);
  free (s->path);
  free (s);
}
