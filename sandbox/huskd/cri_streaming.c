/* The CRI's streaming server (cri_streaming.h): a token from the path
 * redeemed for what the CRI granted, then the session that pods/exec and
 * pods/portforward run. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "cri.h"
#include "cri_streaming.h"
#include "exec_stream.h"
#include "huskd.h"
#include "port_forward.h"
#include "status.h"
#include "sandbox/pod/sandbox.h"

struct huskd_cri_streaming {
  struct event_base *base;
  struct evhttp *http;
  char *url;
  struct cri_server *cri; /* NULL until served */
  const struct husk_sandbox_env *env;
  const char *state_dir;
};

static void
reply_text (struct evhttp_request *req, int code, const char *reason, const char *text)
{
  struct evbuffer *body = evbuffer_new ();
  evhttp_add_header (evhttp_request_get_output_headers (req), "Content-Type",
                     "text/plain; charset=utf-8");
  if (body)
    evbuffer_add_printf (body, "%s\n", text);
  evhttp_send_reply (req, code, reason, body);
  if (body)
    evbuffer_free (body);
}

/* A Status, as kubelet's server answers what it refuses: client-go decodes
 * the body as one (JSON or YAML: plain text may parse as an empty one). */
static void
reply_status (struct evhttp_request *req, struct api_status *st)
{
  struct evbuffer *body = evbuffer_new ();
  size_t len;
  cleanup_free char *json = api_status_json (st, &len);
  evhttp_add_header (evhttp_request_get_output_headers (req), "Content-Type",
                     "application/json");
  if (body && json)
    evbuffer_add (body, json, len);
  evhttp_send_reply (req, st->code, st->reason, body);
  if (body)
    evbuffer_free (body);
  api_status_free (st);
}

/* A session that could not start: the client's fault or ours. */
static void
reply_refused (struct evhttp_request *req, const struct husk_error *e)
{
  if (e->errnum == ENOMEM)
    return reply_status (req, api_internal (e->message));
  if (e->errnum == EACCES)
    return reply_status (req, api_status_new (403, "Forbidden", "%s", e->message));
  reply_status (req, api_bad_request ("%s", e->message));
}

static void
serve_exec (struct huskd_cri_streaming *s, struct evhttp_request *req,
            const struct cri_stream_grant *g)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *runtime = husk_sandbox_find_runtime (s->env);
  cleanup_free char *config = husk_pod_container_config_path (s->env, g->container_id);
  struct exec_stream_target t = {
    .argv = g->cmd, .container_id = g->container_id, .runtime = runtime,
    .runtime_root = s->env->runtime_root, .config_path = config, .state_dir = s->state_dir,
    .stdin_ = g->stdin_, .stdout_ = g->stdout_, .stderr_ = g->stderr_, .tty = g->tty,
  };
  if (exec_stream_serve (s->base, req, &t, &err) < 0)
    reply_refused (req, err);
}

/* The CRI's Attach.  THE HOOK: this is where the pod library's attach to
 * the container's own stdio (the holder's, branch `attach`) is to be
 * served, the way serve_exec serves an exec; until then the client is
 * told plainly (client-go shows "unable to upgrade connection: <body>"). */
static void
serve_attach (struct huskd_cri_streaming *s, struct evhttp_request *req,
              const struct cri_stream_grant *g)
{
  reply_status (req, api_status_new (HTTP_NOTIMPLEMENTED, "NotImplemented",
                                     "attach to container %s: not supported by huskd yet",
                                     g->container_id));
}

static void
serve_port_forward (struct huskd_cri_streaming *s, struct evhttp_request *req,
                    const struct cri_stream_grant *g)
{
  cleanup_error struct husk_error *err = NULL;
  struct pf_target t = {
    .env = s->env, .sandbox_id = g->sandbox_id, .pod_name = g->pod_name, .pod_uid = g->pod_uid,
  };
  if (pf_serve (s->base, req, &t, &err) < 0)
    reply_refused (req, err);
}

/* "/<kind>/<token>" (a trailing slash allowed): the kind, *token set. */
static int
parse_path (const char *path, char *token, size_t size)
{
  static const enum cri_stream_kind kinds[]
      = { CRI_STREAM_EXEC, CRI_STREAM_ATTACH, CRI_STREAM_PORT_FORWARD };
  for (size_t i = 0; path && path[0] == '/' && i < sizeof kinds / sizeof kinds[0]; i++)
    {
      const char *k = cri_stream_kind_path (kinds[i]);
      size_t n = strlen (k), len;
      if (strncmp (path + 1, k, n) != 0 || path[1 + n] != '/')
        continue;
      const char *t = path + 2 + n;
      len = strcspn (t, "/");
      if (len == 0 || len >= size || (t[len] == '/' && t[len + 1] != '\0'))
        return -1;
      snprintf (token, size, "%.*s", (int) len, t);
      return (int) kinds[i];
    }
  return -1;
}

static void
on_request (struct evhttp_request *req, void *arg)
{
  struct huskd_cri_streaming *s = arg;
  cleanup_error struct husk_error *err = NULL;
  struct cri_stream_grant g = { 0 };
  char token[128];
  int kind = parse_path (evhttp_uri_get_path (evhttp_request_get_evhttp_uri (req)), token,
                         sizeof token);
  if (!s->cri)
    return reply_text (req, 503, "Service Unavailable", "the CRI is starting");
  /* kubelet's server answers an unknown or used token as an unknown path */
  if (kind < 0 || cri_stream_redeem (s->cri, kind, token, &g, &err) < 0)
    return reply_text (req, HTTP_NOTFOUND, "Not Found", "404 page not found");
  switch (g.kind)
    {
    case CRI_STREAM_EXEC: serve_exec (s, req, &g); break;
    case CRI_STREAM_ATTACH: serve_attach (s, req, &g); break;
    case CRI_STREAM_PORT_FORWARD: serve_port_forward (s, req, &g); break;
    }
  cri_stream_grant_free (&g);
}

/* HOST:PORT or [V6]:PORT; host is what to bind (no brackets). */
static int
split_address (const char *address, char *host, size_t size, uint16_t *port,
               struct husk_error **err)
{
  const char *colon = strrchr (address, ':');
  const char *h = address;
  size_t len = colon ? (size_t) (colon - address) : 0;
  char *end;
  long p = colon ? strtol (colon + 1, &end, 10) : -1;
  if (len >= 2 && h[0] == '[' && h[len - 1] == ']')
    h++, len -= 2;
  if (!colon || len == 0 || len >= size || colon[1] == '\0' || *end != '\0' || p < 0
      || p > 65535)
    return husk_error_set (err, EINVAL, "--stream-address `%s`: want ADDRESS:PORT", address);
  snprintf (host, size, "%.*s", (int) len, h);
  *port = (uint16_t) p;
  return 0;
}

static int
bound_port (struct evhttp_bound_socket *b, uint16_t *port, struct husk_error **err)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname (evhttp_bound_socket_get_fd (b), (struct sockaddr *) &ss, &len) < 0)
    return husk_error_set (err, errno, "getsockname");
  *port = ntohs (ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
                                          : ((struct sockaddr_in *) &ss)->sin_port);
  return 0;
}

static void
streaming_freep (struct huskd_cri_streaming **p)
{
  huskd_cri_streaming_free (*p);
}

int
huskd_cri_streaming_listen (struct event_base *base, const char *address,
                            struct huskd_cri_streaming **out, const char **url,
                            struct husk_error **err)
{
  __attribute__ ((cleanup (streaming_freep))) struct huskd_cri_streaming *s
      = calloc (1, sizeof *s);
  struct evhttp_bound_socket *b;
  char host[256];
  uint16_t port = 0;
  if (!s || !(s->http = evhttp_new (base)))
    return husk_error_set (err, ENOMEM, "streaming server");
  if (split_address (address, host, sizeof host, &port, err) < 0)
    return -1;
  s->base = base;
  evhttp_set_max_headers_size (s->http, HUSKD_MAX_HEADERS);
  evhttp_set_max_body_size (s->http, HUSKD_MAX_HEADERS);
  evhttp_set_timeout (s->http, HUSKD_IO_TIMEOUT);
  evhttp_set_allowed_methods (s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
  evhttp_set_gencb (s->http, on_request, s);
  if (!(b = evhttp_bind_socket_with_handle (s->http, host, port)))
    return husk_error_set (err, errno, "streaming server: listen on `%s`", address);
  if (bound_port (b, &port, err) < 0)
    return -1;
  if (asprintf (&s->url, strchr (host, ':') ? "http://[%s]:%u" : "http://%s:%u", host, port) < 0)
    {
      s->url = NULL;
      return husk_error_set (err, ENOMEM, "streaming server");
    }
  *url = s->url;
  *out = steal_pointer (&s);
  return 0;
}

void
huskd_cri_streaming_serve (struct huskd_cri_streaming *s, struct cri_server *cri,
                           const struct husk_sandbox_env *env, const char *state_dir)
{
  s->cri = cri;
  s->env = env;
  s->state_dir = state_dir;
}

void
huskd_cri_streaming_free (struct huskd_cri_streaming *s)
{
  if (!s)
    return;
  if (s->http)
    evhttp_free (s->http);
  free (s->url);
  free (s);
}
