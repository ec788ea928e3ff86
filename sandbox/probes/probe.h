/* Network probes made from inside a pod's network namespace without a new
 * process: the calling thread enters the pod's netns only long enough to
 * create the socket (a socket stays in the namespace it was made in), goes
 * back, then connects with a deadline.  As Kubernetes' pkg/probe, each
 * returns success, failure or unknown and a short output for events. */
#ifndef HUSK_PROBES_PROBE_H
#define HUSK_PROBES_PROBE_H

#include <stdbool.h>
#include <stddef.h>

enum husk_probe_result { HUSK_PROBE_SUCCESS, HUSK_PROBE_FAILURE, HUSK_PROBE_UNKNOWN };

/* A socket of `type` (SOCK_STREAM) in the netns at `netns_path` (NULL: the
 * caller's own); -errno on failure.  Only the calling thread switches. */
int husk_probe_socket_in (const char *netns_path, int family, int type);

/* Milliseconds of CLOCK_MONOTONIC, the clock of probe deadlines. */
long long husk_probe_now_ms (void);

/* A TCP socket to host:port (an IPv4 address; NULL or "" is 127.0.0.1)
 * made in the netns at netns_path, connected before `deadline`
 * (husk_probe_now_ms); non-blocking.  -errno on failure. */
int husk_probe_connect (const char *netns_path, const char *host, int port, long long deadline);

/* TCP: the connection is accepted within timeout_ms. *output is malloc'd. */
enum husk_probe_result husk_probe_tcp (const char *netns_path, const char *host, int port,
                                       int timeout_ms, char **output);

/* Once per process, before threads start probing (libcurl's global state). */
int husk_probes_init (void);
void husk_probes_cleanup (void);

/* The host:port of a probe's target, IPv6 in brackets, into buf. */
const char *husk_probe_host_port (const char *host, int port, char *buf, size_t size);

/* HTTP(S) GET: a status in [200, 400) is success (redirects are not
 * followed).  headers: "Name: value" lines, NULL-terminated, or NULL. */
struct husk_http_probe {
  bool https;
  const char *host, *path;
  int port;
  const char *const *headers;
};
enum husk_probe_result husk_probe_http (const char *netns_path, const struct husk_http_probe *p,
                                        int timeout_ms, char **output);

/* gRPC: grpc.health.v1.Health/Check for `service` ("" is the server as a
 * whole) over h2c; success only when the answer is SERVING. */
enum husk_probe_result husk_probe_grpc (const char *netns_path, const char *host, int port,
                                        const char *service, int timeout_ms, char **output);

#endif
