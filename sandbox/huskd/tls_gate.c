/* How the gate sees the headers before libevent's HTTP parser acts on
 * them: an evbuffer callback on the connection's input runs on every
 * addition, before the bufferevent's read callback (evhttp's) runs for it.
 * The callback keeps its own copy of the first request's bytes (evhttp
 * consumes lines as they complete); once the blank line is in, it decides,
 * and a refused connection's input is drained there, so evhttp never
 * reaches the end of the headers and never starts on the body. */
#include "tls_gate.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "huskd.h"
#include "status.h"

enum gate_state { GATE_WAITING, GATE_OPEN, GATE_REFUSED };

struct gate {
  struct huskd_tls_gates *gates;
  struct bufferevent *bev;
  struct evbuffer_cb_entry *in_cb, *out_cb;
  struct event *timer;
  char *head;
  size_t head_len;
  enum gate_state state;
  bool counted;
  struct gate *prev, *next; /* in gates' list while counted */
};

bool
huskd_token_ok (const char *token, const char *auth)
{
  size_t n, len = strlen (token);
  if (!auth)
    return false;
  while (*auth == ' ' || *auth == '\t')
    auth++;
  if (strncasecmp (auth, "bearer ", 7) != 0)
    return false;
  auth += 7;
  n = strcspn (auth, " \t\r\n");
  /* a third word is ignored, as Kubernetes' SplitN(auth, " ", 3) does */
  return len > 0 && n == len && CRYPTO_memcmp (auth, token, n) == 0;
}

bool
huskd_peer_verified (SSL *ssl)
{
  return ssl && SSL_get0_peer_certificate (ssl) && SSL_get_verify_result (ssl) == X509_V_OK;
}

static void
count (struct gate *g)
{
  struct huskd_tls_gates *gates = g->gates;
  g->prev = gates->newest;
  if (gates->newest)
    gates->newest->next = g;
  else
    gates->oldest = g;
  gates->newest = g;
  gates->unauthenticated++;
  g->counted = true;
}

static void
uncount (struct gate *g)
{
  struct huskd_tls_gates *gates = g->gates;
  if (!g->counted)
    return;
  if (g->prev)
    g->prev->next = g->next;
  else
    gates->oldest = g->next;
  if (g->next)
    g->next->prev = g->prev;
  else
    gates->newest = g->prev;
  g->prev = g->next = NULL;
  gates->unauthenticated--;
  g->counted = false;
}

/* Ends the connection: libevent sees end of file and frees it. */
static void
hang_up (struct gate *g)
{
  evutil_socket_t fd = bufferevent_getfd (g->bev);
  if (fd >= 0)
    shutdown (fd, SHUT_RDWR);
}

static void
on_timer (evutil_socket_t fd, short what, void *arg)
{
  struct gate *g = arg;
  if (g->state != GATE_OPEN)
    hang_up (g);
}

static void
open_gate (struct gate *g)
{
  g->state = GATE_OPEN;
  uncount (g);
  evtimer_del (g->timer);
  free (g->head);
  g->head = NULL;
}

/* The 401 is out: close the TLS session and the write side, and give the
 * peer a moment to read it before the connection goes. */
static void
on_output (struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
  struct gate *g = arg;
  const struct timeval linger = { 0, HUSKD_AUTH_LINGER_MS * 1000 };
  SSL *ssl = bufferevent_openssl_get_ssl (g->bev);
  evutil_socket_t fd = bufferevent_getfd (g->bev);
  if (g->state != GATE_REFUSED || evbuffer_get_length (buf) > 0 || info->n_deleted == 0)
    return;
  if (ssl)
    SSL_shutdown (ssl);
  if (fd >= 0)
    shutdown (fd, SHUT_WR);
  evtimer_add (g->timer, &linger);
}

static void
refuse (struct gate *g, struct evbuffer *input)
{
  size_t len;
  struct api_status *s = api_status_new (401, "Unauthorized", "Unauthorized");
  cleanup_free char *body = api_status_json (s, &len);
  api_status_free (s);
  g->state = GATE_REFUSED;
  evbuffer_drain (input, evbuffer_get_length (input));
  evtimer_del (g->timer);
  g->out_cb = evbuffer_add_cb (bufferevent_get_output (g->bev), on_output, g);
  evbuffer_add_printf (bufferevent_get_output (g->bev),
                       "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                       "Cache-Control: no-cache, private\r\nContent-Length: %zu\r\n"
                       "Connection: close\r\n\r\n",
                       len);
  evbuffer_add (bufferevent_get_output (g->bev), body, len);
  bufferevent_enable (g->bev, EV_WRITE);
}

/* The value of the first Authorization header of a complete header block. */
static const char *
find_authorization (char *head, size_t len)
{
  char *line = memchr (head, '\n', len); /* the request line is skipped */
  while (line && *++line && *line != '\r' && *line != '\n')
    {
      char *end = strchr (line, '\n');
      if (end)
        *end = '\0';
      if (strncasecmp (line, "authorization:", 14) == 0)
        return line + 14;
      line = end;
    }
  return NULL;
}

static void
on_input (struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
  struct gate *g = arg;
  struct evbuffer_ptr at;
  size_t total = evbuffer_get_length (buf), n = info->n_added;
  if (g->state == GATE_OPEN || n == 0)
    return;
  if (g->state == GATE_REFUSED)
    {
      evbuffer_drain (buf, total);
      return;
    }
  if (huskd_peer_verified (bufferevent_openssl_get_ssl (g->bev)))
    return open_gate (g);
  if (g->head_len + n > HUSKD_MAX_HEADERS || n > total)
    return refuse (g, buf);
  g->head = realloc (g->head, g->head_len + n + 1);
  if (!g->head || evbuffer_ptr_set (buf, &at, total - n, EVBUFFER_PTR_SET) < 0
      || evbuffer_copyout_from (buf, &at, g->head + g->head_len, n) != (ssize_t) n)
    return refuse (g, buf);
  g->head_len += n;
  g->head[g->head_len] = '\0';
  if (strlen (g->head) != g->head_len)
    return refuse (g, buf); /* a NUL in the headers */
  if (!strstr (g->head, "\r\n\r\n") && !strstr (g->head, "\n\n"))
    return;
  if (huskd_token_ok (g->gates->token, find_authorization (g->head, g->head_len)))
    open_gate (g);
  else
    refuse (g, buf);
}

static void
free_gate (void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
  struct gate *g = ptr;
  if (!g)
    return;
  uncount (g);
  if (g->in_cb)
    evbuffer_remove_cb_entry (bufferevent_get_input (g->bev), g->in_cb);
  if (g->out_cb)
    evbuffer_remove_cb_entry (bufferevent_get_output (g->bev), g->out_cb);
  event_free (g->timer);
  free (g->head);
  free (g);
}

int
huskd_tls_gates_init (struct huskd_tls_gates *gates, const char *token)
{
  gates->token = token;
  gates->unauthenticated = 0;
  gates->ssl_index = SSL_get_ex_new_index (0, NULL, NULL, NULL, free_gate);
  return gates->ssl_index < 0 ? -1 : 0;
}

struct bufferevent *
huskd_tls_gate_bev (struct huskd_tls_gates *gates, struct event_base *base, SSL *ssl)
{
  struct bufferevent *bev = bufferevent_openssl_socket_new (base, -1, ssl,
                                                            BUFFEREVENT_SSL_ACCEPTING,
                                                            BEV_OPT_CLOSE_ON_FREE);
  struct gate *g = bev ? calloc (1, sizeof *g) : NULL;
  struct timeval deadline = { HUSKD_AUTH_DEADLINE, 0 };
  if (!g)
    return bev;
  g->gates = gates;
  g->bev = bev;
  g->timer = evtimer_new (base, on_timer, g);
  if (!g->timer || SSL_set_ex_data (ssl, gates->ssl_index, g) != 1)
    {
      if (g->timer)
        event_free (g->timer);
      free (g);
      bufferevent_free (bev);
      return NULL;
    }
  g->in_cb = evbuffer_add_cb (bufferevent_get_input (bev), on_input, g);
  if (gates->unauthenticated >= HUSKD_MAX_UNAUTHENTICATED)
    {
      struct gate *oldest = gates->oldest;
      uncount (oldest);
      hang_up (oldest);
    }
  count (g);
  evtimer_add (g->timer, &deadline);
  return bev;
}
