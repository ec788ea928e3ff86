#include "watch.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json_doc.h"
#include "jv.h"

struct watch {
  struct huskd *d;
  struct evhttp_request *req;
  const struct resource_kind *kind;
  char *ns;
  bool table;
  char *include; /* includeObject of a Table watch */
  struct api_selector labels, fields;
  void *handle;
  struct event *timeout;
};

static void
watch_free (struct watch *w)
{
  if (w->handle)
    api_store_unwatch (w->d->store, w->handle);
  if (w->timeout)
    event_free (w->timeout);
  api_selector_free (&w->labels);
  api_selector_free (&w->fields);
  free (w->ns);
  free (w->include);
  free (w);
}

static bool
matches (struct watch *w, yajl_val obj)
{
  const char *ns = jv_str (jv_get (obj, "metadata"), "namespace");
  if (w->ns && w->kind->namespaced && (!ns || strcmp (ns, w->ns) != 0))
    return false;
  return api_selector_match_labels (&w->labels, jv_path (obj, "metadata", "labels", NULL))
         && api_selector_match_fields (&w->fields, obj);
}

static void
send_event (struct watch *w, const char *type, yajl_val obj)
{
  cleanup_gen yajl_gen g = yajl_gen_alloc (NULL);
  struct evbuffer *buf = evbuffer_new ();
  size_t len;
  char rv[32];

  yajl_gen_map_open (g);
  jg_kv_str (g, "type", type);
  jg_key (g, "object");
  if (w->table)
    {
      snprintf (rv, sizeof rv, "%llu", api_store_revision (w->d->store));
      cleanup_jv yajl_val t = huskd_table (w->kind, &obj, 1, rv, w->include);
      jv_gen (g, t);
    }
  else
    jv_gen (g, obj);
  yajl_gen_map_close (g);
  cleanup_free char *text = jg_take (g, &len);
  evbuffer_add (buf, text, len);
  evbuffer_add (buf, "\n", 1);
  evhttp_send_reply_chunk (w->req, buf);
  evbuffer_free (buf);
}

static void
on_change (void *ctx, enum api_event_type type, const char *resource, yajl_val obj)
{
  struct watch *w = ctx;
  static const char *names[] = { "ADDED", "MODIFIED", "DELETED" };
  if (strcmp (resource, w->kind->resource) == 0 && matches (w, obj))
    send_event (w, names[type], obj);
}

/* The client went away: libevent detached the request from the connection,
 * so ending the reply frees it. */
static void
on_close (struct evhttp_connection *conn, void *arg)
{
  struct watch *w = arg;
  evhttp_send_reply_end (w->req);
  watch_free (w);
}

static void
on_timeout (evutil_socket_t fd, short what, void *arg)
{
  struct watch *w = arg;
  struct evhttp_connection *conn = evhttp_request_get_connection (w->req);
  if (conn)
    evhttp_connection_set_closecb (conn, NULL, NULL);
  evhttp_send_reply_end (w->req);
  watch_free (w);
}

static void
send_initial (struct watch *w)
{
  size_t n;
  cleanup_free yajl_val *objs
      = api_store_list (w->d->store, w->kind->resource, w->kind->namespaced ? w->ns : NULL, &n);
  for (size_t i = 0; i < n; i++)
    if (matches (w, objs[i]))
      send_event (w, "ADDED", objs[i]);
}

/* An ERROR event carrying the Status, then the end of the stream. */
static void
send_error_and_end (struct watch *w, struct api_status *st)
{
  size_t len;
  cleanup_free char *status = api_status_json (st, &len);
  cleanup_jv yajl_val obj = NULL;
  cleanup_error struct husk_error *err = NULL;
  struct evhttp_connection *conn = evhttp_request_get_connection (w->req);
  api_status_free (st);
  if (json_doc_parse ("status", status, len, &obj, &err) == 0)
    send_event (w, "ERROR", obj);
  if (conn)
    evhttp_connection_set_closecb (conn, NULL, NULL);
  evhttp_send_reply_end (w->req);
  watch_free (w);
}

static bool
replay (struct watch *w, const char *rv)
{
  char *end;
  unsigned long long since = strtoull (rv, &end, 10), oldest;
  if (*end || api_store_replay (w->d->store, since, on_change, w, &oldest) < 0)
    {
      w->table = false; /* the Status as it is, not a Table row */
      send_error_and_end (w, api_status_new (410, "Expired", "too old resource version: %s (%llu)",
                                             rv, *end ? api_store_revision (w->d->store) : oldest));
      return false;
    }
  return true;
}

void
huskd_watch_start (struct hreq *r, const struct resource_kind *k, struct api_selector *labels,
                   struct api_selector *fields)
{
  struct watch *w = calloc (1, sizeof *w);
  const char *rv = hreq_query (r, "resourceVersion");
  const char *secs = hreq_query (r, "timeoutSeconds");
  long timeout = secs ? strtol (secs, NULL, 10) : 1800;
  struct timeval tv = { .tv_sec = timeout > 0 ? timeout : 1800 };

  w->d = r->d;
  w->req = r->req;
  w->kind = k;
  w->ns = r->ns ? strdup (r->ns) : NULL;
  w->table = r->want_table;
  w->include = hreq_query (r, "includeObject") ? strdup (hreq_query (r, "includeObject")) : NULL;
  w->labels = *labels;
  w->fields = *fields;
  hreq_stream_begin (r, "application/json");
  evhttp_connection_set_closecb (evhttp_request_get_connection (r->req), on_close, w);
  /* Without a resourceVersion (or "0") a watch starts with the current
   * objects as ADDED, as the API server's does; from a given version it
   * first replays every change since, or ends with 410 Expired when the
   * window no longer holds them all (the client then lists again). */
  if (!rv || strcmp (rv, "0") == 0 || !*rv)
    send_initial (w);
  else if (!replay (w, rv))
    return;
  w->handle = api_store_watch (r->d->store, on_change, w);
  w->timeout = evtimer_new (r->d->base, on_timeout, w);
  evtimer_add (w->timeout, &tv);
}
