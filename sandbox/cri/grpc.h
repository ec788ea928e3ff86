/* A gRPC server for unary calls over HTTP/2 (nghttp2) on a unix socket,
 * driven by the caller's libevent loop.
 *
 * HTTP/2 is nghttp2's: flow control (windows opened as the handler
 * consumes data, and a large connection window so a 16 MiB message is not
 * a thousand round trips), concurrent streams, HPACK.  gRPC on top is the
 * length-prefixed message (1 byte compressed flag, 4 bytes big-endian
 * length), `grpc-timeout` deadlines and the status in trailers
 * (grpc-status, grpc-message, percent-encoded).  Each call's handler runs
 * on a thread of its own (the pod library blocks: grace periods, execs) and
 * its answer is sent back from the loop; a call past its deadline is
 * answered DEADLINE_EXCEEDED at once and the handler's late answer dropped.
 * A connection closing mid-call is fine: the answer is dropped. */
#ifndef HUSK_CRI_GRPC_H
#define HUSK_CRI_GRPC_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "../../oci/error.h"

/* gRPC status codes (grpc/status.h). */
enum cri_grpc_code {
  GRPC_OK = 0,
  GRPC_CANCELLED = 1,
  GRPC_UNKNOWN = 2,
  GRPC_INVALID_ARGUMENT = 3,
  GRPC_DEADLINE_EXCEEDED = 4,
  GRPC_NOT_FOUND = 5,
  GRPC_ALREADY_EXISTS = 6,
  GRPC_RESOURCE_EXHAUSTED = 8,
  GRPC_FAILED_PRECONDITION = 9,
  GRPC_INTERNAL = 13,
  GRPC_UNIMPLEMENTED = 12,
  GRPC_UNAVAILABLE = 14,
};

/* The biggest message accepted or sent: kubelet's and crictl's limit. */
#define CRI_GRPC_MAX_MESSAGE (16u * 1024 * 1024)

struct cri_grpc_result {
  int status;     /* enum cri_grpc_code */
  char *message;  /* malloc'd, may be NULL */
  uint8_t *body;  /* the response message (packed), malloc'd; only with GRPC_OK */
  size_t len;
};

/* Runs on a thread of its own; fills *out.  `deadline_ns` is CLOCK_MONOTONIC
 * (0: none). */
typedef void (*cri_grpc_handler) (void *arg, const char *path, const uint8_t *msg, size_t len,
                                  int64_t deadline_ns, struct cri_grpc_result *out);

struct cri_grpc_server;

/* Listens on `path` (mode 0600; a stale socket is replaced, a live one is
 * an error). */
int cri_grpc_listen (struct event_base *base, const char *path, cri_grpc_handler handler,
                     void *arg, struct cri_grpc_server **out, struct husk_error **err);
void cri_grpc_server_free (struct cri_grpc_server *s);

/* ---- pure pieces, exposed for the unit tests and the fuzzer ---- */

/* One unary request body: exactly one uncompressed message.  *msg points
 * into `body`.  < 0 with a gRPC code in *code on bad framing. */
int cri_grpc_unframe (const uint8_t *body, size_t len, const uint8_t **msg, size_t *msg_len,
                      int *code, struct husk_error **err);
/* A `grpc-timeout` value ("100m", "5S", "1H") in ns; < 0 when malformed. */
int64_t cri_grpc_timeout_ns (const char *v, size_t len);
/* grpc-message's percent-encoding; malloc'd. */
char *cri_grpc_percent_encode (const char *s);

#endif
