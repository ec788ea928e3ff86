/* pods/{name}/exec and pods/{name}/attach: the request checked like
 * kube-apiserver and the kubelet check it, the connection upgraded and
 * taken over from evhttp, and the session's life (the same for both: an
 * attach relays the container's own streams instead of a new process's).
 *
 * libevent 2.1's evhttp has no upgrade API.  The handler writes the 101
 * itself into the connection's bufferevent and replaces its callbacks
 * before returning: evhttp never runs on that connection again (its read
 * callback would abort on data in the WRITING state) and never replies to
 * the request.  When the session ends, evhttp_connection_free() frees the
 * request, the bufferevent (and with TLS the SSL) and the socket, the same
 * way evhttp itself would have.  The one thing that still frees it under
 * us is evhttp_free() at huskd's exit, after the loop stopped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "controller_internal.h"
#include "exec_stream.h"
#include "json_doc.h"
#include "jv.h"
#include "request.h"
#include "sandbox/pod/sandbox.h"

void huskd_pod_exec_stream (struct hreq *r, yajl_val pod);
void huskd_pod_attach_stream (struct hreq *r, yajl_val pod);

static char **
command_of (struct hreq *r)
{
  size_t n = 0;
  struct evkeyval *kv;
  TAILQ_FOREACH (kv, &r->query, next)
    n += strcmp (kv->key, "command") == 0;
  char **argv = n ? calloc (n + 1, sizeof *argv) : NULL;
  n = 0;
  TAILQ_FOREACH (kv, &r->query, next)
    if (argv && strcmp (kv->key, "command") == 0)
      argv[n++] = strdup (kv->value);
  return argv;
}

static void
free_strv (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

static void
stream_free (struct exec_stream *s)
{
  exec_proc_free (s->proc);
  if (s->t && s->state)
    s->t->free (s);
  if (s->end_ev)
    event_free (s->end_ev);
  if (s->size_ev)
    event_free (s->size_ev);
  if (s->early_stdin)
    evbuffer_free (s->early_stdin);
  if (s->conn)
    evhttp_connection_free (s->conn);
  free_strv (s->argv);
  free (s->container_id);
  free (s->config_path);
  free (s->runtime);
  free (s->runtime_root);
  free (s->state_dir);
  free (s);
}

static void
on_end (evutil_socket_t fd, short what, void *arg)
{
  stream_free (arg);
}

/* Ends out of the current callback's stack: the transport that called may
 * still hold pointers into the session. */
void
exec_stream_abort (struct exec_stream *s, const char *why)
{
  if (s->bev)
    bufferevent_disable (s->bev, EV_READ | EV_WRITE);
  event_active (s->end_ev, 0, 0);
}

void
exec_stream_write (struct exec_stream *s, const void *buf, size_t len)
{
  bufferevent_write (s->bev, buf, len);
}

char *
exec_stream_header_list (struct evhttp_request *req, const char *name)
{
  struct evkeyvalq *h = evhttp_request_get_input_headers (req);
  struct evbuffer *b = evbuffer_new ();
  struct evkeyval *kv;
  char *out = NULL;
  if (!b)
    return NULL;
  TAILQ_FOREACH (kv, h, next)
    if (strcasecmp (kv->key, name) == 0)
      evbuffer_add_printf (b, "%s%s", evbuffer_get_length (b) ? ", " : "", kv->value);
  if (evbuffer_get_length (b))
    out = strndup ((const char *) evbuffer_pullup (b, -1), evbuffer_get_length (b));
  evbuffer_free (b);
  return out;
}

static size_t
queued (struct exec_stream *s)
{
  return evbuffer_get_length (bufferevent_get_output (s->bev));
}

static size_t
held (struct exec_stream *s)
{
  return s->t->held ? s->t->held (s) : 0;
}

static bool
cb_congested (void *arg)
{
  struct exec_stream *s = arg;
  return queued (s) + held (s) >= EXEC_STREAM_HIGH;
}

static void
on_linger_read (struct bufferevent *bev, void *arg)
{
  struct evbuffer *in = bufferevent_get_input (bev);
  evbuffer_drain (in, evbuffer_get_length (in));
}

static void
on_linger_event (struct bufferevent *bev, short what, void *arg)
{
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
    exec_stream_abort (arg, NULL);
}

/* After the Status, a lingering close as HTTP servers make it: closing a
 * socket with bytes of the client unread (SPDY window updates, stdin it
 * still sends, a resize) sends a RST instead of a FIN, and the client's
 * writes then fail ("broken pipe") and a RST may drop what it received
 * but had not read yet.  So: FIN after all we wrote, then read and drop
 * what still comes until the client closes, at most EXEC_STREAM_LINGER_S. */
static void
linger_then_end (struct exec_stream *s)
{
  struct timeval t = { EXEC_STREAM_LINGER_S, 0 };
  evutil_socket_t fd = bufferevent_getfd (s->bev);
  if (s->lingering)
    return;
  s->lingering = true;
  exec_proc_free (steal_pointer (&s->proc));
  if (fd < 0 || shutdown (fd, SHUT_WR) < 0)
    return exec_stream_abort (s, NULL);
  bufferevent_setcb (s->bev, on_linger_read, NULL, on_linger_event, s);
  bufferevent_set_timeouts (s->bev, &t, NULL);
  bufferevent_enable (s->bev, EV_READ);
  on_linger_read (s->bev, s);
}

/* The session is over once the Status and all output before it left. */
static void
maybe_end (struct exec_stream *s)
{
  if (s->finished && queued (s) == 0 && held (s) == 0)
    linger_then_end (s);
}

static void
cb_output (void *arg, enum stream_channel ch, const uint8_t *buf, size_t len)
{
  struct exec_stream *s = arg;
  if (s->want[ch] && !s->finished)
    s->t->output (s, ch, buf, len);
}

static void
cb_stdin_drained (void *arg)
{
  struct exec_stream *s = arg;
  if (!s->finished)
    bufferevent_enable (s->bev, EV_READ);
}

static void
cb_exited (void *arg, int exit_code)
{
  struct exec_stream *s = arg;
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *json = NULL;
  size_t len = 0;
  /* an attach ends with Success whatever the container's exit, as the
   * kubelet's ServeAttach answers: kubectl reads the exit from the pod */
  if (s->attach)
    exit_code = 0;
  if (stream_exit_status (exit_code, (const char *const *) s->argv, &json, &len, &err) < 0)
    return exec_stream_abort (s, err->message);
  s->t->finish (s, json, len);
  s->finished = true;
  maybe_end (s);
}

static const struct exec_proc_cbs proc_cbs = {
  .output = cb_output,
  .congested = cb_congested,
  .stdin_drained = cb_stdin_drained,
  .exited = cb_exited,
};

static void
on_size_wait (evutil_socket_t fd, short what, void *arg)
{
  struct exec_stream *s = arg;
  s->size_waited = true;
  exec_stream_start_process (s);
}

/* A terminal's first size comes as a resize message right after the
 * upgrade; a command started before it (`stty size`, a full-screen editor)
 * would see 0x0.  So a tty session waits for it, at most a second. */
static bool
wait_for_size (struct exec_stream *s)
{
  struct timeval second = { 1, 0 };
  if (s->attach || !s->want[STREAM_RESIZE] || s->sized || s->size_waited)
    return false; /* an attach's process runs already */
  if (!s->size_ev && !(s->size_ev = evtimer_new (s->base, on_size_wait, s)))
    return false;
  if (!evtimer_pending (s->size_ev, NULL))
    evtimer_add (s->size_ev, &second);
  return true;
}

/* The container's process (its config.json's) running argv on a terminal
 * of the client's size: the runtime sizes the pty before the command runs,
 * where a resize after the console arrives races with it.  NULL when the
 * bundle cannot be read: the command line then, resized as it starts. */
static char *
sized_process (struct exec_stream *s)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *data = NULL;
  cleanup_json yajl_val config = NULL;
  size_t len;
  if (!s->sized || !s->config_path || json_doc_read_file (s->config_path, &data, &len, &err) < 0
      || json_doc_parse (s->config_path, data, len, &config, &err) < 0
      || !YAJL_IS_OBJECT (jv_get (config, "process")))
    return NULL;
  cleanup_jv yajl_val p = jv_copy (jv_get (config, "process"));
  yajl_val args = jv_set (p, "args", jv_array ());
  for (char **a = s->argv; *a; a++)
    jv_push (args, jv_string (*a));
  jv_set (p, "terminal", jv_bool (true));
  yajl_val size = jv_set (p, "consoleSize", jv_object ());
  jv_set (size, "height", jv_int (s->height));
  jv_set (size, "width", jv_int (s->width));
  return jv_dump (p, &len);
}

void
exec_stream_start_process (struct exec_stream *s)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *json = NULL, *process = NULL;
  size_t len = 0;
  struct exec_proc_spec spec = {
    .runtime = s->runtime, .runtime_root = s->runtime_root, .container_id = s->container_id,
    .state_dir = s->state_dir, .argv = s->argv, .tty = s->want[STREAM_RESIZE],
    .stdin_ = s->want[STREAM_STDIN], .attach = s->attach, .env = s->env,
    .stdout_ = s->want[STREAM_STDOUT], .stderr_ = s->want[STREAM_STDERR],
  };
  if (s->proc || s->finished || wait_for_size (s))
    return;
  if (s->attach)
    spec.tty = s->container_tty;
  else if (spec.tty)
    spec.process_json = process = sized_process (s);
  if (exec_proc_start (s->base, &spec, &proc_cbs, s, &s->proc, &err) == 0)
    {
      if (s->sized)
        exec_proc_resize (s->proc, s->width, s->height);
      if (s->early_stdin && evbuffer_get_length (s->early_stdin))
        exec_proc_write_stdin (s->proc, evbuffer_pullup (s->early_stdin, -1),
                               evbuffer_get_length (s->early_stdin));
      if (s->early_close)
        exec_proc_close_stdin (s->proc);
      return;
    }
  if (stream_error_status (err->message, &json, &len, &err) < 0)
    return exec_stream_abort (s, NULL);
  s->t->finish (s, json, len);
  s->finished = true;
}

void
exec_stream_client_data (struct exec_stream *s, enum stream_channel ch, const uint8_t *buf,
                         size_t len)
{
  cleanup_error struct husk_error *err = NULL;
  if (s->finished)
    return;
  if (ch == STREAM_RESIZE && stream_resize_parse (buf, len, &s->width, &s->height, &err) == 0)
    {
      bool waiting = !s->proc && s->size_ev && evtimer_pending (s->size_ev, NULL);
      s->sized = true;
      if (s->proc)
        exec_proc_resize (s->proc, s->width, s->height);
      else if (waiting)
        {
          evtimer_del (s->size_ev);
          exec_stream_start_process (s);
        }
      return;
    }
  if (!s->proc && ch == STREAM_STDIN && len > 0 && s->early_stdin
      && evbuffer_get_length (s->early_stdin) < EXEC_STREAM_HIGH)
    evbuffer_add (s->early_stdin, buf, len);
  if (!s->proc)
    {
      s->early_close |= ch == STREAM_CLOSE || (ch == STREAM_STDIN && len == 0);
      return;
    }
  if (ch == STREAM_STDIN && len > 0)
    exec_proc_write_stdin (s->proc, buf, len);
  else if (ch == STREAM_STDIN || ch == STREAM_CLOSE)
    exec_proc_close_stdin (s->proc);
  if (exec_proc_stdin_queued (s->proc) >= EXEC_STREAM_HIGH)
    bufferevent_disable (s->bev, EV_READ); /* the process reads slower than the client sends */
}

static void
on_read (struct bufferevent *bev, void *arg)
{
  struct exec_stream *s = arg;
  cleanup_error struct husk_error *err = NULL;
  struct evbuffer *in = bufferevent_get_input (bev);
  if (s->broken)
    {
      evbuffer_drain (in, evbuffer_get_length (in));
      return;
    }
  /* after the Status too: a SPDY client's window updates let the rest out */
  if (s->t->input (s, in, &err) < 0)
    {
      /* the transport queued its goodbye (a close frame): send it, then
       * end; the command goes now */
      exec_proc_free (steal_pointer (&s->proc));
      s->finished = s->broken = true;
      bufferevent_disable (bev, EV_READ);
      if (queued (s) == 0)
        exec_stream_abort (s, err->message);
    }
}

static void
on_write (struct bufferevent *bev, void *arg)
{
  struct exec_stream *s = arg;
  if (s->finished)
    maybe_end (s);
  else
    exec_proc_resume (s->proc);
}

/* The client closed or the connection broke: stop everything now. */
static void
on_event (struct bufferevent *bev, short what, void *arg)
{
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
    exec_stream_abort (arg, "client gone");
}

static void
take_over (struct exec_stream *s)
{
  bufferevent_set_timeouts (s->bev, NULL, NULL); /* a shell may idle for hours */
  bufferevent_setwatermark (s->bev, EV_WRITE, EXEC_STREAM_HIGH / 2, 0);
  bufferevent_setcb (s->bev, on_read, on_write, on_event, s);
  bufferevent_enable (s->bev, EV_READ | EV_WRITE);
  s->t->start (s);
  /* frames the client sent right behind its request */
  if (evbuffer_get_length (bufferevent_get_input (s->bev)) > 0)
    on_read (s->bev, s);
}

static const struct exec_transport *
pick_transport (struct evhttp_request *req)
{
  const char *upgrade = evhttp_find_header (evhttp_request_get_input_headers (req), "Upgrade");
  if (upgrade && stream_list_has (upgrade, "websocket"))
    return &exec_transport_websocket;
  if (upgrade && stream_list_has (upgrade, "SPDY/3.1"))
    return &exec_transport_spdy;
  return NULL;
}

static char **
strv_copy (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  char **out = calloc (n + 1, sizeof *out);
  for (size_t i = 0; out && i < n; i++)
    if (!(out[i] = strdup (v[i])))
      {
        free_strv (out);
        return NULL;
      }
  return out;
}

static char *
strdup_or_null (const char *s)
{
  return s ? strdup (s) : NULL;
}

/* What the door decided, copied into the session. */
static int
fill (struct exec_stream *s, const struct exec_stream_target *t, struct husk_error **err)
{
  s->argv = t->attach ? NULL : strv_copy (t->argv);
  s->container_id = strdup_or_null (t->container_id);
  s->runtime = strdup (t->runtime && *t->runtime ? t->runtime : "husk");
  s->runtime_root = strdup (t->runtime_root ?: HUSK_POD_RUNTIME_ROOT_DEFAULT);
  s->config_path = strdup_or_null (t->config_path);
  s->state_dir = strdup_or_null (t->state_dir);
  if ((!t->attach && !s->argv) || !s->container_id || !s->runtime || !s->runtime_root
      || (t->config_path && !s->config_path) || (t->state_dir && !s->state_dir))
    return husk_error_set (err, ENOMEM, "exec");
  s->attach = t->attach;
  s->container_tty = t->container_tty;
  s->env = t->env;
  s->want[STREAM_STDIN] = t->stdin_;
  s->want[STREAM_STDOUT] = t->stdout_;
  s->want[STREAM_STDERR] = t->stderr_ && !t->tty; /* a terminal has one output stream */
  s->want[STREAM_RESIZE] = t->tty;
  s->want[STREAM_ERROR] = true;
  if (!s->want[STREAM_STDIN] && !s->want[STREAM_STDOUT] && !s->want[STREAM_STDERR])
    return husk_error_set (err, EINVAL, "you must specify at least 1 of stdin, stdout, stderr");
  return 0;
}

int
exec_stream_serve (struct event_base *base, struct evhttp_request *req,
                   const struct exec_stream_target *t, struct husk_error **err)
{
  struct exec_stream *s = calloc (1, sizeof *s);
  struct evbuffer *answer = evbuffer_new ();
  int ret = -1;
  if (!s || !answer)
    husk_error_set (err, ENOMEM, "exec");
  else if (!(s->base = base, s->t = pick_transport (req)))
    husk_error_set (err, EPROTO, "Upgrade request required");
  else if (fill (s, t, err) == 0 && s->t->handshake (s, req, answer, err) == 0)
    {
      if (!(s->end_ev = event_new (s->base, -1, 0, on_end, s))
          || !(s->early_stdin = evbuffer_new ()))
        husk_error_set (err, ENOMEM, "exec");
      else
        ret = 0;
    }
  if (ret < 0)
    {
      if (s)
        stream_free (s);
      if (answer)
        evbuffer_free (answer);
      return -1;
    }
  s->conn = evhttp_request_get_connection (req);
  s->bev = evhttp_connection_get_bufferevent (s->conn);
  bufferevent_write_buffer (s->bev, answer);
  evbuffer_free (answer);
  take_over (s);
  return 0;
}

/* What pods/exec and pods/attach take from huskd and the query alike. */
static struct exec_stream_target
target_of (struct hreq *r)
{
  struct huskd_controller *c = r->d->controller;
  return (struct exec_stream_target) {
    .runtime = c->env.husk_binary, /* resolved at start (controller.c) */
    .runtime_root = c->env.runtime_root,
    .state_dir = r->d->opts.state_dir,
    .stdin_ = hreq_query_bool (r, "stdin"),
    .stdout_ = hreq_query_bool (r, "stdout"),
    .stderr_ = hreq_query_bool (r, "stderr"),
    .tty = hreq_query_bool (r, "tty"),
  };
}

/* pods/{name}/exec: kube-apiserver's checks of the request, then the
 * container's current attempt and what to run it with. */
void
huskd_pod_exec_stream (struct hreq *r, yajl_val pod)
{
  cleanup_error struct husk_error *err = NULL;
  const char *name = hreq_query (r, "container");
  yajl_val spec = huskd_pod_container_spec (pod, name);
  struct huskd_controller *c = r->d->controller;
  struct exec_stream_target t = target_of (r);
  char **argv = command_of (r);
  cleanup_free char *container_id = NULL, *config_path = NULL;
  struct api_status *st = NULL;
  if (!argv)
    st = api_bad_request ("you must specify at least 1 command");
  else if (!spec)
    st = api_bad_request ("container %s is not valid for pod %s", name ?: "", r->name);
  else if (!(container_id = huskd_pod_container_id (pod, jv_str (spec, "name"), false)))
    st = api_bad_request ("container %s is not running in pod %s", jv_str (spec, "name"),
                          r->name);
  else
    {
      t.argv = argv;
      t.container_id = container_id;
      t.config_path = config_path = husk_pod_container_config_path (&c->env, container_id);
      if (exec_stream_serve (r->d->base, r->req, &t, &err) < 0)
        st = err->errnum == ENOMEM ? api_internal ("out of memory")
                                   : api_bad_request ("%s", err->message);
    }
  free_strv (argv);
  if (st)
    hreq_reply_status (r, st);
}

static bool
container_running (yajl_val pod, const char *name)
{
  yajl_val list = jv_path (pod, "status", "containerStatuses", NULL);
  for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
    if (!strcmp (jv_str (list->u.array.values[i], "name") ?: "", name))
      return jv_path (list->u.array.values[i], "state", "running", NULL) != NULL;
  return false;
}

/* pods/{name}/attach: the container must run and, for stdin, have asked
 * for it (`stdin: true`); its tty is the container's, as the kubelet
 * takes it. */
void
huskd_pod_attach_stream (struct hreq *r, yajl_val pod)
{
  cleanup_error struct husk_error *err = NULL;
  const char *name = hreq_query (r, "container");
  yajl_val spec = huskd_pod_container_spec (pod, name);
  struct huskd_controller *c = r->d->controller;
  struct exec_stream_target t = target_of (r);
  cleanup_free char *container_id = NULL;
  struct api_status *st = NULL;
  t.attach = true;
  t.env = &c->env;
  if (!spec)
    st = api_bad_request ("container %s is not valid for pod %s", name ?: "", r->name);
  else if (name = jv_str (spec, "name"), !container_running (pod, name)
           || !(container_id = huskd_pod_container_id (pod, name, false)))
    st = api_bad_request ("container %s is not running in pod %s", name, r->name);
  else if (t.stdin_ && !YAJL_IS_TRUE (jv_get (spec, "stdin")))
    st = api_bad_request ("stdin is not enabled for container %s in pod %s: set stdin: true "
                          "in the container's spec",
                          name, r->name);
  else
    {
      t.container_id = container_id;
      t.container_tty = YAJL_IS_TRUE (jv_get (spec, "tty"));
      if (exec_stream_serve (r->d->base, r->req, &t, &err) < 0)
        st = err->errnum == ENOMEM ? api_internal ("out of memory")
                                   : api_bad_request ("%s", err->message);
    }
  if (st)
    hreq_reply_status (r, st);
}
