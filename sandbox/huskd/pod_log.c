/* pods/{name}/log: a container's CRI log rendered as kubectl logs shows
 * it (container, previous, tailLines, sinceSeconds, sinceTime, timestamps,
 * limitBytes); with follow=true a chunked stream that a timer feeds from
 * the file until the container stops or the client leaves. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "controller.h"
#include "crilog.h"
#include "jv.h"
#include "objects.h"
#include "table.h"

void huskd_pod_log (struct hreq *r, yajl_val pod);

struct follow {
  struct huskd *d;
  struct evhttp_request *req;
  char *ns, *pod, *container, *path;
  off_t offset;
  struct event *timer;
  struct api_log_options opts;
};

/* The container to read: ?container=, or the only one. */
static struct api_status *
pick_container (struct hreq *r, yajl_val pod, const char **name)
{
  yajl_val list = jv_path (pod, "spec", "containers", NULL);
  yajl_val init = jv_path (pod, "spec", "initContainers", NULL);
  const char *want = hreq_query (r, "container");
  yajl_val lists[] = { list, init };
  for (size_t l = 0; l < 2; l++)
    for (size_t i = 0; lists[l] && lists[l]->type == yajl_t_array && i < lists[l]->u.array.len; i++)
      {
        const char *n = jv_str (lists[l]->u.array.values[i], "name");
        if (n && ((want && !strcmp (want, n)) || (!want && l == 0 && list->u.array.len == 1)))
          {
            *name = n;
            return NULL;
          }
      }
  if (want)
    return api_bad_request ("container %s is not valid for pod %s", want, r->name);
  return api_bad_request ("a container name must be specified for pod %s", r->name);
}

/* An int64 query parameter as the API server's parameter codec reads it:
 * anything else is a 400 in strconv's words. */
static struct api_status *
int_param (struct hreq *r, const char *key, long long *out, bool *set)
{
  const char *v = hreq_query (r, key);
  char *end;
  *set = v != NULL;
  if (!v)
    return NULL;
  errno = 0;
  *out = strtoll (v, &end, 10);
  if (!*v || *end || errno)
    return api_bad_request ("strconv.ParseInt: parsing \"%s\": %s", v,
                            errno == ERANGE ? "value out of range" : "invalid syntax");
  return NULL;
}

/* ValidatePodLogOptions: 422 PodLogOptions "pod" is invalid. */
static struct api_status *
read_options (struct hreq *r, struct api_log_options *o)
{
  const char *since_time = hreq_query (r, "sinceTime");
  long long tail = -1, since = 0, limit = 0;
  bool has_tail, has_since, has_limit;
  struct api_status *s;
  if ((s = int_param (r, "tailLines", &tail, &has_tail))
      || (s = int_param (r, "sinceSeconds", &since, &has_since))
      || (s = int_param (r, "limitBytes", &limit, &has_limit)))
    return s;
  s = api_invalid_new ("PodLogOptions", r->name);
  if (has_tail && tail < 0)
    api_invalid_add (s, "FieldValueInvalid", "tailLines",
                     "Invalid value: %lld: must be greater than or equal to 0", tail);
  if (has_limit && limit < 1)
    api_invalid_add (s, "FieldValueInvalid", "limitBytes",
                     "Invalid value: %lld: must be greater than 0", limit);
  if (has_since && since < 1)
    api_invalid_add (s, "FieldValueInvalid", "sinceSeconds",
                     "Invalid value: %lld: must be greater than 0", since);
  if (s->n_causes)
    {
      api_invalid_finish (s);
      return s;
    }
  api_status_free (s);
  o->tail_lines = has_tail ? (long) tail : -1;
  o->since = has_since ? api_now () - (double) since
                       : since_time ? api_parse_timestamp (since_time) : 0;
  o->timestamps = hreq_query_bool (r, "timestamps");
  o->limit_bytes = has_limit ? (size_t) limit : 0;
  return NULL;
}

/* Renders the file from offset; returns the new offset. */
static off_t
render_file (const char *path, off_t offset, const struct api_log_options *o, FILE *out)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    return offset;
  if (st.st_size < offset)
    offset = 0; /* rotated: the file started again */
  size_t len = (size_t) (st.st_size - offset);
  cleanup_free char *data = malloc (len + 1);
  ssize_t got = data ? pread (fd, data, len, offset) : -1;
  if (got <= 0)
    return offset;
  return offset + (off_t) api_cri_render (data, (size_t) got, o, out);
}

static bool
container_running (struct huskd *d, const char *ns, const char *pod, const char *container)
{
  yajl_val p = api_store_get (d->store, "pods", ns, pod);
  yajl_val statuses = jv_path (p, "status", "containerStatuses", NULL);
  if (!p)
    return false;
  for (size_t i = 0; statuses && statuses->type == yajl_t_array && i < statuses->u.array.len; i++)
    if (!strcmp (jv_str (statuses->u.array.values[i], "name") ?: "", container))
      return jv_path (statuses->u.array.values[i], "state", "running", NULL) != NULL;
  return p != NULL;
}

static void
follow_free (struct follow *f)
{
  event_free (f->timer);
  free (f->ns);
  free (f->pod);
  free (f->container);
  free (f->path);
  free (f);
}

static void
on_close (struct evhttp_connection *conn, void *arg)
{
  struct follow *f = arg;
  evhttp_send_reply_end (f->req);
  follow_free (f);
}

static void
on_tick (evutil_socket_t fd, short what, void *arg)
{
  struct follow *f = arg;
  cleanup_free char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&text, &len);
  bool running = container_running (f->d, f->ns, f->pod, f->container);
  f->offset = render_file (f->path, f->offset, &f->opts, out);
  fclose (out);
  if (len)
    {
      struct evbuffer *buf = evbuffer_new ();
      evbuffer_add (buf, text, len);
      evhttp_send_reply_chunk (f->req, buf);
      evbuffer_free (buf);
    }
  if (running)
    return;
  evhttp_connection_set_closecb (evhttp_request_get_connection (f->req), NULL, NULL);
  evhttp_send_reply_end (f->req);
  follow_free (f);
}

static void
start_follow (struct hreq *r, const char *container, char *path, off_t offset,
              const struct api_log_options *o)
{
  struct follow *f = calloc (1, sizeof *f);
  struct timeval tv = { 0, 250000 };
  f->d = r->d;
  f->req = r->req;
  f->ns = strdup (r->ns);
  f->pod = strdup (r->name);
  f->container = strdup (container);
  f->path = path;
  f->offset = offset;
  f->opts = *o;
  f->opts.tail_lines = -1; /* the tail was applied to what is already there */
  f->timer = event_new (r->d->base, -1, EV_PERSIST, on_tick, f);
  event_add (f->timer, &tv);
  evhttp_connection_set_closecb (evhttp_request_get_connection (r->req), on_close, f);
}

/* Why there is no log yet, in kubelet's words (validateContainerLogStatus). */
static struct api_status *
no_log (struct hreq *r, yajl_val pod, const char *container, bool previous)
{
  static const char *const lists[] = { "containerStatuses", "initContainerStatuses" };
  const char *reason = NULL;
  if (previous)
    return api_bad_request ("previous terminated container \"%s\" in pod \"%s\" not found",
                            container, r->name);
  for (size_t l = 0; l < 2 && !reason; l++)
    {
      yajl_val st = jv_path (pod, "status", lists[l], NULL);
      for (size_t i = 0; YAJL_IS_ARRAY (st) && i < st->u.array.len; i++)
        if (!strcmp (jv_str (st->u.array.values[i], "name") ?: "", container))
          reason = jv_str (jv_path (st->u.array.values[i], "state", "waiting", NULL), "reason");
    }
  if (reason && (!strcmp (reason, "ErrImagePull") || !strcmp (reason, "ImagePullBackOff")))
    reason = "image can't be pulled";
  return api_bad_request ("container \"%s\" in pod \"%s\" is waiting to start: %s", container,
                          r->name, reason ?: "ContainerCreating");
}

void
huskd_pod_log (struct hreq *r, yajl_val pod)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *path = NULL, *text = NULL;
  const char *container = NULL;
  struct api_log_options o;
  size_t len = 0;
  FILE *out;
  off_t offset;
  struct api_status *s = pick_container (r, pod, &container);

  if (s)
    return hreq_reply_status (r, s);
  if ((s = read_options (r, &o)))
    return hreq_reply_status (r, s);
  if (huskd_controller_log_path (r->d->controller, r->ns, r->name, container,
                                 hreq_query_bool (r, "previous"), &path, &err) < 0)
    return hreq_reply_status (r, no_log (r, pod, container, hreq_query_bool (r, "previous")));
  out = open_memstream (&text, &len);
  offset = render_file (path, 0, &o, out);
  fclose (out);
  if (!hreq_query_bool (r, "follow"))
    return hreq_reply_text (r, 200, "text/plain", text, len);
  hreq_stream_begin (r, "text/plain");
  if (len)
    {
      struct evbuffer *buf = evbuffer_new ();
      evbuffer_add (buf, text, len);
      evhttp_send_reply_chunk (r->req, buf);
      evbuffer_free (buf);
    }
  start_follow (r, container, steal_pointer (&path), offset, &o);
}
