/* The gate in front of the TLS listener: what an unauthenticated peer may
 * use.  Until a connection has shown a verified client certificate or a
 * request whose headers carry the bearer token, huskd reads no body from
 * it: a request without valid credentials is answered 401 as soon as its
 * headers are in and the connection is closed (libevent would otherwise
 * read the whole body, however slowly it comes, before anyone looks at the
 * headers).  Such a connection has HUSKD_AUTH_DEADLINE seconds for its
 * handshake and first headers, and at most HUSKD_MAX_UNAUTHENTICATED of
 * them are open at once: one more closes the oldest, so a peer that opens
 * many and says nothing delays a real client by no more than the time
 * that client takes to authenticate. */
#ifndef HUSK_HUSKD_TLS_GATE_H
#define HUSK_HUSKD_TLS_GATE_H

#include <event2/bufferevent.h>
#include <openssl/ssl.h>
#include <stdbool.h>

#define HUSKD_AUTH_DEADLINE 10
#define HUSKD_MAX_UNAUTHENTICATED 64
/* How long a refused peer's late bytes are read and dropped after the 401
 * so that closing does not reset the answer away. */
#define HUSKD_AUTH_LINGER_MS 500

struct gate;

struct huskd_tls_gates {
  int ssl_index;        /* SSL ex data slot of the gate */
  unsigned unauthenticated;
  struct gate *oldest, *newest; /* the connections not yet authenticated */
  const char *token;
};

int huskd_tls_gates_init (struct huskd_tls_gates *g, const char *token);
/* A TLS server bufferevent for one accepted connection, behind a gate. */
struct bufferevent *huskd_tls_gate_bev (struct huskd_tls_gates *g, struct event_base *base,
                                        SSL *ssl);
/* The Authorization header value carries the token: Kubernetes' bearer
 * scheme, the scheme name in any case. */
bool huskd_token_ok (const char *token, const char *authorization);
/* The handshake verified a client certificate against huskd's CA. */
bool huskd_peer_verified (SSL *ssl);

#endif
