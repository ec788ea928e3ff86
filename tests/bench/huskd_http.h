/* A blocking HTTP/1.1 client for huskd's unix socket, for the benchmark
 * clients (huskd-load, huskd-latency, huskd-churn): one keep-alive
 * connection, Content-Length and chunked answers, and a raw read of a
 * watch stream.  Plain sockets, no event loop: what the clients measure is
 * huskd's answer time, not a client library's. */
#pragma once

#include <stddef.h>

struct huskd_conn {
  const char *sock_path;
  int fd; /* -1 until the first request, and after a broken one */
  char *buf; /* the last answer (headers then body), NUL-terminated */
  size_t buf_len, buf_cap;
};

/* One request; the answer's body is left in conn->buf (*answer points at
 * it, "" on errors).  Returns the HTTP status, -1 when the connection
 * broke (it is reopened by the next request). */
int huskd_request (struct huskd_conn *c, const char *method, const char *path, const char *body,
                   const char **answer);

/* Opens a watch (GET path) on a connection of its own: 0, or -1 when
 * huskd could not be reached. */
int huskd_watch_open (struct huskd_conn *c, const char *path);

/* Reads the watch stream until `needle` appears in what came since the
 * last call, or `timeout` seconds pass: 0 when it appeared, -1 if not.
 * Events are matched as raw bytes: huskd writes each one as one chunk. */
int huskd_watch_until (struct huskd_conn *c, const char *needle, double timeout);

void huskd_conn_close (struct huskd_conn *c);
