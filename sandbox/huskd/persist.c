/* Answers that wait for their change to be on disk.  The store writes its
 * files behind the event loop (api_store_write_behind); a client told 201
 * or 200 for a create, update or delete must find that change again after
 * a SIGKILL of huskd, as kube-apiserver answers only once etcd committed.
 * So a mutating request's answer is held here, the loop free meanwhile,
 * until the store reports the revision it was made at as written. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>

#include "cleanup.h"
#include "huskd.h"

struct held_reply {
  struct evhttp_request *req; /* libevent frees it when sent, or when its client left */
  int code;
  struct evbuffer *body;
  unsigned long long rev;
  struct held_reply *next;
};

struct huskd_persist {
  struct huskd *d;
  struct event *written;
  struct held_reply *head, **tail;
};

static void
send_held (struct held_reply *h)
{
  evhttp_send_reply (h->req, h->code, NULL, h->body);
  evbuffer_free (h->body);
  free (h);
}

/* The revision on disk; a write that failed is logged: the object stays
 * served from memory and the next change of it is written again. */
static unsigned long long
persisted (struct huskd *d)
{
  cleanup_error struct husk_error *err = NULL;
  unsigned long long rev;
  if (api_store_persisted (d->store, &rev, &err) < 0)
    fprintf (stderr, "huskd: writing the object store: %s\n", err->message);
  return rev;
}

static void
send_written (struct huskd_persist *p, unsigned long long rev)
{
  while (p->head && p->head->rev <= rev)
    {
      struct held_reply *h = p->head;
      p->head = h->next;
      if (!p->head)
        p->tail = &p->head;
      send_held (h);
    }
}

static void
on_written (evutil_socket_t fd, short what, void *arg)
{
  struct huskd_persist *p = arg;
  send_written (p, persisted (p->d));
}

int
huskd_persist_start (struct huskd *d, struct husk_error **err)
{
  struct huskd_persist *p;
  if (api_store_write_behind (d->store, err) < 0)
    return -1;
  p = calloc (1, sizeof *p);
  if (!p)
    return husk_error_set (err, ENOMEM, "persist");
  p->d = d;
  p->tail = &p->head;
  p->written = event_new (d->base, api_store_persist_fd (d->store), EV_READ | EV_PERSIST,
                          on_written, p);
  if (!p->written || event_add (p->written, NULL) < 0)
    {
      if (p->written)
        event_free (p->written);
      free (p);
      return husk_error_set (err, ENOMEM, "watch the store writer");
    }
  d->persist = p;
  return 0;
}

void
huskd_reply_when_written (struct huskd *d, struct evhttp_request *req, int code,
                          struct evbuffer *body)
{
  struct huskd_persist *p = d->persist;
  unsigned long long rev = api_store_revision (d->store), done = p ? persisted (d) : rev;
  struct held_reply *h;
  if (p)
    send_written (p, done); /* the read took the wake-up of those */
  if (done >= rev)
    {
      evhttp_send_reply (req, code, NULL, body);
      evbuffer_free (body);
      return;
    }
  h = calloc (1, sizeof *h);
  if (!h)
    abort ();
  *h = (struct held_reply){ .req = req, .code = code, .body = body, .rev = rev };
  *p->tail = h;
  p->tail = &h->next;
}

void
huskd_persist_stop (struct huskd *d)
{
  struct huskd_persist *p = d->persist;
  if (!p)
    return;
  api_store_flush (d->store);
  persisted (d); /* logs a failure */
  send_written (p, ~0ull);
  event_free (p->written);
  free (p);
  d->persist = NULL;
}
