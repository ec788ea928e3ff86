/* kubectl port-forward: pods/{name}/portforward upgraded to SPDY/3.1 with
 * the portforward.k8s.io stream protocol.  For each local connection the
 * client opens two streams, `streamtype: error` then `streamtype: data`,
 * both with `port` and `requestid` headers; once a request has both, huskd
 * connects to 127.0.0.1:port inside the pod's network namespace and copies
 * bytes both ways on the data stream.  A failure is written as text on the
 * error stream; both streams end with FIN.
 *
 * port_forward.c        the request, the upgrade, the session's life
 * port_forward_spdy.c   the client's frames: streams paired by request id
 * port_forward_pair.c   one forwarded connection: the pod's socket
 *
 * Everything runs on the event loop and never blocks it.  Each direction
 * has a bound (backpressure, as exec): past PF_HIGH bytes queued for the
 * client, the pod sockets are not read; past it queued for a pod socket,
 * the client is not read. */
#ifndef HUSK_HUSKD_PORT_FORWARD_H
#define HUSK_HUSKD_PORT_FORWARD_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spdy_zlib.h"

#define PF_HIGH (256u * 1024)
#define PF_MAX_FRAME (1u << 20)
/* kubelet's streamCreationTimeout: a request's second stream comes by then */
#define PF_STREAMS_TIMEOUT_S 30

struct pf_pair;

struct pf_session {
  struct event_base *base;
  struct evhttp_connection *conn;
  struct bufferevent *bev; /* the client's connection */
  struct event *end_ev;
  struct spdy_zlib z;
  uint32_t last_id;       /* the client's last stream */
  int netns_fd;           /* the pod's network namespace, held for the session */
  char netns_path[48];    /* /proc/self/fd/<netns_fd> */
  char *pod, *uid;        /* for error messages, as kubelet words them */
  struct pf_pair *pairs;
  bool client_paused;     /* a pod socket's queue is over the bound */
  bool ending;
};

struct pf_pair {
  struct pf_session *s;
  struct pf_pair *next;
  char *request_id;
  uint16_t port;
  uint32_t error_id, data_id; /* the client's streams, 0 until opened */
  struct event *timer;        /* the streams' deadline, then the linger */
  struct event *connect_ev;   /* until the pod socket is connected */
  struct bufferevent *pod;    /* the pod socket once connected */
  bool client_fin;            /* the client's data stream ended */
  bool pod_write_shut;        /* ...and was passed on as shutdown(SHUT_WR) */
  bool pod_eof;               /* the pod's end was sent as FIN on data */
  bool data_reset;            /* the client reset the data stream */
  bool error_reset;
};

/* ---- the entry, shared by both doors: pods/{name}/portforward
 * (port_forward.c) and the CRI's /portforward/{token} (cri_streaming.c) ---- */

struct husk_sandbox_env;

struct pf_target {
  const struct husk_sandbox_env *env;
  const char *sandbox_id;
  const char *pod_name, *pod_uid; /* for the messages, as kubelet words them */
};

/* Upgrades `req` to SPDY/3.1 and runs the session in the sandbox's network
 * namespace.  On failure nothing is taken and the caller answers: EPROTO
 * and EINVAL are a 400, EACCES (no protocol in common) a 403. */
int pf_serve (struct event_base *base, struct evhttp_request *req, const struct pf_target *t,
              struct husk_error **err);

/* ---- the session (port_forward.c) ---- */

/* Ends the session out of the current callback's stack. */
void pf_session_abort (struct pf_session *s);
void pf_session_write (struct pf_session *s, const void *buf, size_t len);
size_t pf_session_queued (struct pf_session *s);
/* The client is read again once no pod socket is over the bound. */
void pf_session_maybe_resume_client (struct pf_session *s);

/* ---- the frames (port_forward_spdy.c) ---- */

/* Consumes the client's frames; < 0 ends the session. */
int pf_spdy_input (struct pf_session *s, struct evbuffer *in, struct husk_error **err);
/* DATA on a stream (len 0 with FIN ends it). */
void pf_spdy_data (struct pf_session *s, uint32_t id, bool fin, const void *buf, size_t len);

/* ---- a forwarded connection (port_forward_pair.c) ---- */

struct pf_pair *pf_pair_find (struct pf_session *s, const char *request_id);
struct pf_pair *pf_pair_of_stream (struct pf_session *s, uint32_t id);
struct pf_pair *pf_pair_new (struct pf_session *s, const char *request_id, uint16_t port);
/* Both streams are there: connect to the pod's port. */
void pf_pair_start (struct pf_pair *p);
/* Bytes from the client for the pod; fin: the client's side ended. */
void pf_pair_client_data (struct pf_pair *p, const uint8_t *buf, size_t len, bool fin);
/* The client reset one of the pair's streams. */
void pf_pair_client_reset (struct pf_pair *p, uint32_t id);
/* The pod sockets are read again (the client's queue drained). */
void pf_pair_resume (struct pf_pair *p);
bool pf_pair_congested (struct pf_pair *p);
/* Ends the forwarded connection: `message` (or NULL) on the error stream,
 * FIN on both streams, the pod socket closed, the pair freed. */
void pf_pair_end (struct pf_pair *p, const char *message);
/* Frees without a word to the client (the session is going). */
void pf_pair_free (struct pf_pair *p);

#endif
