/* Splits an API path into namespace / resource / name / subresource and
 * hands the request to the resource's handler.  Paths are decoded once
 * here; a "." or ".." segment, an empty segment or a NUL byte is refused
 * before any handler sees it, so no handler can be led outside the tree. */
#include <sys/queue.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "request.h"

#define MAX_SEGMENTS 10

struct route {
  const char *resource;
  void (*handle) (struct hreq *r);
};

static const struct route routes[] = {
  { "pods", huskd_handle_pods },
  { "namespaces", huskd_handle_namespaces },
  { "events", huskd_handle_events },
  { "resourcequotas", huskd_handle_quotas },
  { "limitranges", huskd_handle_limitranges },
  { "nodes", huskd_handle_nodes },
  { "services", huskd_handle_services },
  { "configmaps", huskd_handle_configmaps },
  { "secrets", huskd_handle_secrets },
};

static size_t
split (char *path, char **seg, bool *bad)
{
  size_t n = 0;
  char *save = NULL;
  size_t len = strlen (path);
  *bad = false;
  if (len > 1 && path[len - 1] == '/')
    path[len - 1] = '\0'; /* kubectl never sends one; curl users do */
  if (strstr (path, "//"))
    *bad = true;
  for (char *s = strtok_r (path, "/", &save); s; s = strtok_r (NULL, "/", &save))
    {
      if (n == MAX_SEGMENTS || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
        {
          *bad = true;
          return n;
        }
      seg[n++] = s;
    }
  return n;
}

static void
free_route (struct hreq *r)
{
  free (r->ns);
  free (r->resource);
  free (r->name);
  free (r->sub);
  evhttp_clear_headers (&r->query);
}

static const struct route *
find_route (const char *resource)
{
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
    if (strcmp (routes[i].resource, resource) == 0)
      return &routes[i];
  return NULL;
}

/* seg after the "v1": [resource] | namespaces/{ns} [/sub] |
 * namespaces/{ns}/{resource}[/{name}[/{sub}]] */
static bool
fill_resource (struct hreq *r, char **seg, size_t n)
{
  if (n == 0)
    return false;
  if (strcmp (seg[0], "namespaces") == 0 && n >= 3)
    {
      r->ns = strdup (seg[1]);
      r->resource = strdup (seg[2]);
      r->name = n > 3 ? strdup (seg[3]) : NULL;
      r->sub = n > 4 ? strdup (seg[4]) : NULL;
      return n <= 5;
    }
  r->resource = strdup (seg[0]);
  r->name = n > 1 ? strdup (seg[1]) : NULL;
  r->sub = n > 2 ? strdup (seg[2]) : NULL;
  return n <= 3;
}

static void
not_found (struct hreq *r)
{
  hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find the "
                                                         "requested resource"));
}

/* A write the API server takes {Create,Update,Patch,Delete}Options for;
 * exec and port-forward are connections, not writes. */
static bool
mutating (const struct hreq *r)
{
  if (r->method != EVHTTP_REQ_POST && r->method != EVHTTP_REQ_PUT
      && r->method != EVHTTP_REQ_PATCH && r->method != EVHTTP_REQ_DELETE)
    return false;
  return !r->sub || (strcmp (r->sub, "exec") != 0 && strcmp (r->sub, "portforward") != 0
                     && strcmp (r->sub, "attach") != 0);
}

static void
dispatch (struct hreq *r, char **seg, size_t n)
{
  const struct route *route;
  if (n == 0 || (n <= 2 && strcmp (seg[0], "api") == 0) || (n == 1 && strcmp (seg[0], "apis") == 0)
      || (n == 1 && (!strcmp (seg[0], "version") || !strcmp (seg[0], "healthz")
                     || !strcmp (seg[0], "livez") || !strcmp (seg[0], "readyz"))))
    {
      r->resource = strdup (n ? seg[n - 1] : "");
      huskd_handle_discovery (r);
      return;
    }
  if (n >= 2 && strcmp (seg[0], "openapi") == 0)
    return huskd_handle_openapi (r, r->path + strlen ("/openapi/"));
  if (n >= 3 && strcmp (seg[0], "husk") == 0 && strcmp (seg[1], "v1") == 0)
    {
      r->husk = true;
      if (fill_resource (r, seg + 2, n - 2))
        huskd_handle_husk (r);
      else
        not_found (r);
      return;
    }
  if (n >= 2 && strcmp (seg[0], "apis") == 0)
    return huskd_handle_apis (r, seg + 1, n - 1);
  if (n < 3 || strcmp (seg[0], "api") != 0 || strcmp (seg[1], "v1") != 0
      || !fill_resource (r, seg + 2, n - 2) || !(route = find_route (r->resource)))
    {
      not_found (r);
      return;
    }
  if (mutating (r))
    {
      struct api_status *s = hreq_parse_dry_run (r);
      if (s)
        return hreq_reply_status (r, s);
    }
  route->handle (r);
}

static bool
wants_table (struct evhttp_request *req)
{
  const char *accept = evhttp_find_header (evhttp_request_get_input_headers (req), "Accept");
  return accept && strstr (accept, "as=Table");
}

void
huskd_route (struct evhttp_request *req, void *arg)
{
  struct hreq r = { .d = arg, .req = req, .method = evhttp_request_get_command (req) };
  const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri (req);
  const char *raw = uri ? evhttp_uri_get_path (uri) : NULL;
  size_t decoded_len = 0;
  cleanup_free char *path = raw ? evhttp_uridecode (raw, 0, &decoded_len) : NULL;
  cleanup_free char *copy = NULL;
  char *seg[MAX_SEGMENTS];
  bool bad;
  size_t n;

  TAILQ_INIT (&r.query);
  if (uri && evhttp_uri_get_query (uri)
      && evhttp_parse_query_str (evhttp_uri_get_query (uri), &r.query) < 0)
    {
      hreq_reply_status (&r, api_bad_request ("malformed query string"));
      return;
    }
  r.want_table = wants_table (req);
  if (!path || strlen (path) != decoded_len)
    {
      hreq_reply_status (&r, api_bad_request ("malformed request path"));
      free_route (&r);
      return;
    }
  r.path = path;
  copy = strdup (path);
  n = split (copy, seg, &bad);
  if (bad)
    hreq_reply_status (&r, api_bad_request ("invalid request path \"%s\"", path));
  else
    dispatch (&r, seg, n);
  free_route (&r);
}
