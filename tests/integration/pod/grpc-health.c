/* grpc-health: a grpc.health.v1 server over h2c for the probe tests, run
 * inside a pod (static; the test rootfs has no libc).
 *   grpc-health PORT STATUS_FILE
 * Check("") answers what STATUS_FILE holds, read at each call: SERVING
 * (also when the file is absent), NOT_SERVING, or SLOW (answers SERVING
 * after 3 s, past a 1 s probe timeout).  Check("other") is NotFound as the
 * health protocol says; any other method is Unimplemented.  Each call is
 * logged on stdout, so the container's log shows the probes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protowire.h"

static const char *status_file;

struct call {
  int32_t stream_id;
  char path[128];
  unsigned char body[1024];
  size_t body_len;
  unsigned char answer[16];
  size_t answer_len, answer_sent;
};

static struct call calls[16];

static struct call *
call_of (int32_t id, bool create)
{
  for (size_t i = 0; i < sizeof calls / sizeof *calls; i++)
    if (calls[i].stream_id == id || (create && calls[i].stream_id == 0))
      {
        if (create && calls[i].stream_id == 0)
          calls[i] = (struct call){ .stream_id = id };
        return &calls[i];
      }
  return NULL;
}

static ssize_t
send_cb (nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *fd)
{
  ssize_t w = send (*(int *) fd, data, len, MSG_NOSIGNAL);
  return w < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : w;
}

static int
begin_headers_cb (nghttp2_session *s, const nghttp2_frame *frame, void *fd)
{
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
    call_of (frame->hd.stream_id, true);
  return 0;
}

static int
header_cb (nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
           const uint8_t *value, size_t valuelen, uint8_t flags, void *fd)
{
  struct call *c = call_of (frame->hd.stream_id, false);
  if (c && namelen == 5 && !memcmp (name, ":path", 5))
    snprintf (c->path, sizeof c->path, "%.*s", (int) valuelen, (const char *) value);
  return 0;
}

static int
data_cb (nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data, size_t len, void *fd)
{
  struct call *c = call_of (id, false);
  if (c && len <= sizeof c->body - c->body_len)
    memcpy (c->body + c->body_len, data, len), c->body_len += len;
  return 0;
}

static int
close_cb (nghttp2_session *s, int32_t id, uint32_t code, void *fd)
{
  struct call *c = call_of (id, false);
  if (c)
    c->stream_id = 0;
  return 0;
}

/* The service named in HealthCheckRequest (after the 5-byte prefix). */
static void
requested_service (const struct call *c, char *out, size_t size)
{
  struct pb_reader r = { c->body + 5, c->body + c->body_len };
  struct pb_field f;
  *out = '\0';
  while (c->body_len >= 5 && pb_more (&r) && pb_next_field (&r, &f))
    if (f.number == 1 && f.type == PB_BYTES)
      snprintf (out, size, "%.*s", (int) (f.bytes.end - f.bytes.p), (const char *) f.bytes.p);
}

static int
serving_status (void)
{
  char text[32] = "SERVING";
  FILE *f = fopen (status_file, "r");
  if (f)
    {
      if (!fgets (text, sizeof text, f))
        text[0] = '\0';
      fclose (f);
    }
  if (!strncmp (text, "NOT_SERVING", 11))
    return 2;
  if (!strncmp (text, "SLOW", 4))
    sleep (3);
  return 1;
}

static ssize_t
answer_cb (nghttp2_session *s, int32_t id, uint8_t *buf, size_t length, uint32_t *flags,
           nghttp2_data_source *src, void *fd)
{
  static const nghttp2_nv ok[] = { { (uint8_t *) "grpc-status", (uint8_t *) "0", 11, 1, 0 } };
  struct call *c = call_of (id, false);
  size_t n = c ? c->answer_len - c->answer_sent : 0;
  if (n > length)
    n = length;
  if (c)
    memcpy (buf, c->answer + c->answer_sent, n), c->answer_sent += n;
  if (!c || c->answer_sent == c->answer_len)
    {
      *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
      nghttp2_submit_trailer (s, id, ok, 1);
    }
  return (ssize_t) n;
}

#define NV(n, v) { (uint8_t *) (n), (uint8_t *) (v), strlen (n), strlen (v), 0 }

static void
answer_error (nghttp2_session *s, int32_t id, const char *code, const char *message)
{
  const nghttp2_nv h[] = { NV (":status", "200"), NV ("content-type", "application/grpc"),
                           NV ("grpc-status", code), NV ("grpc-message", message) };
  nghttp2_submit_response (s, id, h, 4, NULL);
}

static void
answer (nghttp2_session *s, struct call *c)
{
  static const char *const names[] = { "UNKNOWN", "SERVING", "NOT_SERVING" };
  const nghttp2_nv h[] = { NV (":status", "200"), NV ("content-type", "application/grpc") };
  nghttp2_data_provider body = { .read_callback = answer_cb };
  char service[256];
  int status;

  requested_service (c, service, sizeof service);
  if (strcmp (c->path, "/grpc.health.v1.Health/Check") != 0)
    {
      printf ("%s: Unimplemented\n", c->path);
      return answer_error (s, c->stream_id, "12", "unknown method");
    }
  if (*service)
    {
      printf ("check service=%s: NotFound\n", service);
      return answer_error (s, c->stream_id, "5", "unknown service");
    }
  status = serving_status ();
  printf ("check service=\"\": %s\n", names[status]);
  c->answer_len = pb_put_varint (c->answer, 5, sizeof c->answer, 1, (uint64_t) status);
  memcpy (c->answer, "\0\0\0\0", 4);
  c->answer[4] = (unsigned char) (c->answer_len - 5);
  nghttp2_submit_response (s, c->stream_id, h, 2, &body);
}

static int
frame_cb (nghttp2_session *s, const nghttp2_frame *frame, void *fd)
{
  struct call *c = call_of (frame->hd.stream_id, false);
  if (c && (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA)
      && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    answer (s, c);
  return 0;
}

static void
serve (int fd)
{
  nghttp2_session_callbacks *cbs;
  nghttp2_session *s;
  unsigned char buf[4096];
  ssize_t n;

  nghttp2_session_callbacks_new (&cbs);
  nghttp2_session_callbacks_set_send_callback (cbs, send_cb);
  nghttp2_session_callbacks_set_on_begin_headers_callback (cbs, begin_headers_cb);
  nghttp2_session_callbacks_set_on_header_callback (cbs, header_cb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback (cbs, data_cb);
  nghttp2_session_callbacks_set_on_frame_recv_callback (cbs, frame_cb);
  nghttp2_session_callbacks_set_on_stream_close_callback (cbs, close_cb);
  nghttp2_session_server_new (&s, cbs, &fd);
  nghttp2_submit_settings (s, NGHTTP2_FLAG_NONE, NULL, 0);
  memset (calls, 0, sizeof calls);
  while (nghttp2_session_send (s) == 0 && (nghttp2_session_want_read (s) || nghttp2_session_want_write (s)))
    {
      fflush (stdout);
      n = recv (fd, buf, sizeof buf, 0);
      if (n <= 0 || nghttp2_session_mem_recv (s, buf, (size_t) n) < 0)
        break;
    }
  fflush (stdout);
  nghttp2_session_del (s);
  nghttp2_session_callbacks_del (cbs);
}

int
main (int argc, char **argv)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  int one = 1, lfd;
  if (argc != 3)
    return fprintf (stderr, "usage: grpc-health PORT STATUS_FILE\n"), 2;
  status_file = argv[2];
  addr.sin_port = htons ((uint16_t) atoi (argv[1]));
  lfd = socket (AF_INET, SOCK_STREAM, 0);
  setsockopt (lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (lfd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (lfd, 16) < 0)
    return perror ("grpc-health: listen"), 1;
  printf ("grpc-health: serving on :%s\n", argv[1]);
  fflush (stdout);
  for (;;)
    {
      int fd = accept (lfd, NULL, NULL);
      struct timeval idle = { .tv_sec = 5 };
      if (fd < 0)
        continue;
      setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
      serve (fd);
      close (fd);
    }
}
