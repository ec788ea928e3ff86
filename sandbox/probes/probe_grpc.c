/* The gRPC probe: one grpc.health.v1.Health/Check call over cleartext
 * HTTP/2 (h2c with prior knowledge, as kubelet's insecure gRPC client
 * dials), from a socket made in the pod's netns.  nghttp2 does the HTTP/2
 * framing; the request and the response are a few protobuf bytes each.
 * Results and outputs follow kubelet's pkg/probe/grpc. */
#include "probe.h"

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "protowire.h"
#include "str_printf.h"

#define HEALTH_PATH "/grpc.health.v1.Health/Check"
#define GRPC_UNIMPLEMENTED 12
#define MAX_RESPONSE 4096

/* One call's progress, filled by nghttp2's callbacks. */
struct grpc_call {
  int fd;
  long long deadline;
  int32_t stream_id;
  unsigned char request[5 + 512];
  size_t request_len, request_sent;
  int http_status, grpc_status; /* -1 until the server says */
  char grpc_message[256];
  unsigned char response[MAX_RESPONSE];
  size_t response_len;
  bool too_large, closed;
  uint32_t reset_code;
};

static void
session_delp (nghttp2_session **s)
{
  if (*s)
    nghttp2_session_del (*s);
}
#define cleanup_h2 __attribute__ ((cleanup (session_delp)))

static void
callbacks_delp (nghttp2_session_callbacks **c)
{
  if (*c)
    nghttp2_session_callbacks_del (*c);
}
#define cleanup_h2_callbacks __attribute__ ((cleanup (callbacks_delp)))

static const char *const grpc_code_names[] = {
  "OK",           "Canceled",        "Unknown",  "InvalidArgument", "DeadlineExceeded",
  "NotFound",     "AlreadyExists",   "PermissionDenied", "ResourceExhausted",
  "FailedPrecondition", "Aborted",   "OutOfRange", "Unimplemented", "Internal",
  "Unavailable",  "DataLoss",        "Unauthenticated",
};

static const char *const serving_status_names[] = { "UNKNOWN", "SERVING", "NOT_SERVING",
                                                    "SERVICE_UNKNOWN" };

static ssize_t
send_cb (nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *user)
{
  struct grpc_call *call = user;
  ssize_t w = send (call->fd, data, len, MSG_NOSIGNAL);
  (void) s, (void) flags;
  if (w < 0)
    return errno == EAGAIN ? NGHTTP2_ERR_WOULDBLOCK : NGHTTP2_ERR_CALLBACK_FAILURE;
  return w;
}

static bool
header_is (const uint8_t *name, size_t len, const char *want)
{
  return len == strlen (want) && memcmp (name, want, len) == 0;
}

/* :status on the response headers; grpc-status and grpc-message on the
 * trailers (or on the headers of a trailers-only answer). */
static int
header_cb (nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
           const uint8_t *value, size_t valuelen, uint8_t flags, void *user)
{
  struct grpc_call *call = user;
  char v[256];
  (void) s, (void) flags;
  if (frame->hd.stream_id != call->stream_id)
    return 0;
  snprintf (v, sizeof v, "%.*s", (int) valuelen, (const char *) value);
  if (header_is (name, namelen, ":status"))
    call->http_status = atoi (v);
  else if (header_is (name, namelen, "grpc-status"))
    call->grpc_status = atoi (v);
  else if (header_is (name, namelen, "grpc-message"))
    snprintf (call->grpc_message, sizeof call->grpc_message, "%s", v);
  return 0;
}

static int
data_cb (nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len,
         void *user)
{
  struct grpc_call *call = user;
  (void) s, (void) flags;
  if (stream_id != call->stream_id)
    return 0;
  if (len > sizeof call->response - call->response_len)
    {
      call->too_large = true;
      return 0;
    }
  memcpy (call->response + call->response_len, data, len);
  call->response_len += len;
  return 0;
}

static int
close_cb (nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *user)
{
  struct grpc_call *call = user;
  (void) s;
  if (stream_id == call->stream_id)
    call->closed = true, call->reset_code = error_code;
  return 0;
}

static ssize_t
request_body_cb (nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
                 uint32_t *data_flags, nghttp2_data_source *source, void *user)
{
  struct grpc_call *call = user;
  size_t n = call->request_len - call->request_sent;
  (void) s, (void) stream_id, (void) source;
  if (n > length)
    n = length;
  memcpy (buf, call->request + call->request_sent, n);
  call->request_sent += n;
  if (call->request_sent == call->request_len)
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t) n;
}

/* HealthCheckRequest{service = 1} behind gRPC's 5-byte message prefix
 * (uncompressed flag, big-endian length). */
static bool
encode_request (struct grpc_call *call, const char *service)
{
  size_t len = 0, size = sizeof call->request - 5;
  if (service && *service)
    {
      len = pb_put_bytes (call->request + 5, 0, size, 1, service, strlen (service));
      if (!len)
        return false;
    }
  call->request[0] = 0;
  for (int i = 0; i < 4; i++)
    call->request[1 + i] = (unsigned char) (len >> (8 * (3 - i)));
  call->request_len = 5 + len;
  return true;
}

/* HealthCheckResponse{status = 1}; -1 when the message is malformed. */
static int
decode_serving_status (const struct grpc_call *call)
{
  const unsigned char *r = call->response;
  struct pb_reader body;
  struct pb_field f;
  uint64_t status = 0; /* an absent field is the enum's zero, UNKNOWN */
  size_t len;
  if (call->response_len < 5 || r[0] != 0)
    return -1;
  len = (size_t) r[1] << 24 | (size_t) r[2] << 16 | (size_t) r[3] << 8 | r[4];
  if (len > call->response_len - 5)
    return -1;
  body = (struct pb_reader){ r + 5, r + 5 + len };
  while (pb_more (&body))
    {
      if (!pb_next_field (&body, &f))
        return -1;
      if (f.number == 1 && f.type == PB_VARINT)
        status = f.varint;
    }
  return status > 3 ? 0 : (int) status;
}

static int
start_call (nghttp2_session *s, struct grpc_call *call, const char *authority)
{
  const nghttp2_nv headers[] = {
#define NV(n, v) { (uint8_t *) (n), (uint8_t *) (v), strlen (n), strlen (v), NGHTTP2_NV_FLAG_NONE }
    NV (":method", "POST"),
    NV (":scheme", "http"),
    NV (":path", HEALTH_PATH),
    NV (":authority", authority),
    NV ("content-type", "application/grpc"),
    NV ("te", "trailers"),
    NV ("user-agent", "kube-probe/1.30 husk"),
#undef NV
  };
  nghttp2_data_provider body = { .read_callback = request_body_cb };
  if (nghttp2_submit_settings (s, NGHTTP2_FLAG_NONE, NULL, 0) != 0)
    return -1;
  call->stream_id = nghttp2_submit_request (s, NULL, headers, sizeof headers / sizeof *headers,
                                            &body, NULL);
  return call->stream_id < 0 ? -1 : 0;
}

/* Drives the session until the call's stream closes: 0, or -ETIMEDOUT,
 * -EPIPE (the server went away) or -EPROTO. */
static int
run_session (nghttp2_session *s, struct grpc_call *call)
{
  unsigned char buf[8192];
  while (!call->closed)
    {
      struct pollfd p = { .fd = call->fd, .events = POLLIN };
      long long left = call->deadline - husk_probe_now_ms ();
      ssize_t n;
      if (nghttp2_session_send (s) != 0)
        return -EPROTO;
      if (nghttp2_session_want_write (s))
        p.events |= POLLOUT;
      if (left <= 0 || poll (&p, 1, (int) left) <= 0)
        return -ETIMEDOUT;
      if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      n = recv (call->fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EAGAIN)
        continue;
      if (n <= 0)
        return -EPIPE;
      if (nghttp2_session_mem_recv (s, buf, (size_t) n) < 0)
        return -EPROTO;
    }
  return 0;
}

/* What the finished call means, as kubelet reads it. */
static enum husk_probe_result
judge (const struct grpc_call *call, int timeout_ms, char **output)
{
  int serving;
  if (call->grpc_status == GRPC_UNIMPLEMENTED)
    *output = str_printf ("error: this server does not implement the grpc health protocol "
                   "(grpc.health.v1.Health): %s", call->grpc_message);
  else if (call->grpc_status == 4)
    *output = str_printf ("timeout: health rpc did not complete within %ds", timeout_ms / 1000);
  else if (call->grpc_status > 0)
    *output = str_printf ("error: health rpc probe failed: rpc error: code = %s desc = %s",
                   call->grpc_status < 17 ? grpc_code_names[call->grpc_status] : "Unknown",
                   call->grpc_message);
  else if (call->http_status != 200)
    *output = str_printf ("error: health rpc probe failed: unexpected HTTP status code received "
                   "from server: %d", call->http_status);
  else if (call->grpc_status < 0)
    *output = str_printf ("error: health rpc probe failed: stream closed without a grpc-status "
                   "(HTTP/2 error %u)", call->reset_code);
  else if (call->too_large || (serving = decode_serving_status (call)) < 0)
    *output = str_printf ("error: health rpc probe failed: malformed HealthCheckResponse");
  else if (serving != 1)
    *output = str_printf ("service unhealthy (responded with \"%s\")", serving_status_names[serving]);
  else
    return HUSK_PROBE_SUCCESS;
  return HUSK_PROBE_FAILURE;
}

static enum husk_probe_result
call_failed (int err, const char *authority, int timeout_ms, char **output)
{
  if (err == -ETIMEDOUT)
    *output = str_printf ("timeout: health rpc did not complete within %ds", timeout_ms / 1000);
  else
    *output = str_printf ("error: health rpc probe failed: connection to %s: %s", authority,
                   err == -EPROTO ? "HTTP/2 protocol error" : strerror (-err));
  return HUSK_PROBE_FAILURE;
}

enum husk_probe_result
husk_probe_grpc (const char *netns_path, const char *host, int port, const char *service,
                 int timeout_ms, char **output)
{
  struct grpc_call call = { .fd = -1, .http_status = -1, .grpc_status = -1 };
  cleanup_h2_callbacks nghttp2_session_callbacks *cbs = NULL;
  cleanup_h2 nghttp2_session *session = NULL;
  cleanup_close int fd = -1;
  char authority[300];
  int r;

  *output = NULL;
  snprintf (authority, sizeof authority, "%s:%d", host && *host ? host : "127.0.0.1", port);
  call.deadline = husk_probe_now_ms () + timeout_ms;
  if (!encode_request (&call, service))
    return *output = str_printf ("service name too long"), HUSK_PROBE_FAILURE;
  fd = husk_probe_connect (netns_path, host, port, call.deadline);
  if (fd < 0)
    {
      *output = str_printf ("timeout: failed to connect service \"%s\" within %ds: %s", authority,
                     timeout_ms / 1000, strerror (-fd));
      return HUSK_PROBE_FAILURE;
    }
  call.fd = fd;
  if (nghttp2_session_callbacks_new (&cbs) != 0)
    return *output = str_printf ("out of memory"), HUSK_PROBE_UNKNOWN;
  nghttp2_session_callbacks_set_send_callback (cbs, send_cb);
  nghttp2_session_callbacks_set_on_header_callback (cbs, header_cb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback (cbs, data_cb);
  nghttp2_session_callbacks_set_on_stream_close_callback (cbs, close_cb);
  if (nghttp2_session_client_new (&session, cbs, &call) != 0 || start_call (session, &call, authority) < 0)
    return *output = str_printf ("cannot start an HTTP/2 session"), HUSK_PROBE_UNKNOWN;
  if ((r = run_session (session, &call)) < 0)
    return call_failed (r, authority, timeout_ms, output);
  return judge (&call, timeout_ms, output);
}
