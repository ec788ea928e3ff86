/* huskctl's HTTP client: the huskd API over its unix socket, through
 * libcurl (CURLOPT_UNIX_SOCKET_PATH).  libevent 2.1's evhttp client can
 * only dial TCP (unix sockets arrive in 2.2), and a hand-written client
 * would be one more HTTP parser to get wrong; curl handles chunked
 * streams, which logs -f and watches need. */
#ifndef HUSK_HUSKCTL_CLIENT_H
#define HUSK_HUSKCTL_CLIENT_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "error.h"

struct hc_response {
  long code;
  char *body;
  size_t len;
};

void hc_response_clear (struct hc_response *r);

/* One request; body may be NULL.  Transport failures set err (with the
 * socket path); HTTP errors are in r->code. */
int hc_request (const char *socket_path, const char *method, const char *path,
                const char *content_type, const char *body, size_t len, const char *accept,
                struct hc_response *r, struct husk_error **err);

/* A streaming GET: each piece of the body goes to on_data as it arrives. */
typedef void (*hc_data_fn) (void *ctx, const char *data, size_t len);
int hc_stream (const char *socket_path, const char *path, hc_data_fn on_data, void *ctx,
               long *code, struct husk_error **err);

/* A JSON body, or NULL when it is not JSON. */
yajl_val hc_json (const struct hc_response *r);
/* Prints "Error from server (Reason): message" (kubectl's words) for a
 * Status body, or the raw body. */
void hc_print_error (const struct hc_response *r);

/* Percent-encodes a query value. */
char *hc_escape (const char *s);

#endif
