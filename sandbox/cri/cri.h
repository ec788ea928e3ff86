/* The CRI v1 server of huskd: runtime.v1.RuntimeService and ImageService
 * over gRPC (grpc.h), a second front door on the pod library
 * (sandbox/pod/sandbox.h) that huskd's core/v1 API drives too.
 *
 * What the pod library does not keep, the CRI's own words for a sandbox
 * or a container (labels, annotations, metadata, the config as given, the
 * log path kubelet asked for), is kept as the request's protobuf message
 * in the CRI state dir, so a restarted huskd answers as before:
 *   <state>/sandboxes/<sandbox id>   PodSandboxConfig
 *   <state>/containers/<container id> ContainerConfig
 * Everything else (state, pids, exit codes, times, logs) is the pod
 * library's, read from the pod directories. */
#ifndef HUSK_CRI_H
#define HUSK_CRI_H

#include <event2/event.h>
#include <stdbool.h>

#include "../../oci/error.h"
#include "../pod/sandbox.h"

struct cri_server;

struct cri_options {
  const char *socket_path;
  const char *state_dir;              /* the CRI's own files */
  const struct husk_sandbox_env *env; /* the pod library's, shared with huskd */
  const char *version;
  const char *registry_config; /* NULL: HUSK_REGISTRY_CONFIG_DEFAULT */
  /* huskd's streaming server ("http://127.0.0.1:PORT"), the base of the
   * URLs Exec, Attach and PortForward answer; NULL: they fail UNIMPLEMENTED */
  const char *stream_url;
};

int cri_server_start (struct event_base *base, const struct cri_options *opts,
                      struct cri_server **out, struct husk_error **err);
void cri_server_free (struct cri_server *s);

/* ---- the streaming server's side of Exec, Attach, PortForward ----
 * (cri_stream.c; the server is huskd's, huskd/cri_streaming.c) */

enum cri_stream_kind { CRI_STREAM_EXEC, CRI_STREAM_ATTACH, CRI_STREAM_PORT_FORWARD };

/* What a token was granted for, checked when it was issued. */
struct cri_stream_grant {
  enum cri_stream_kind kind;
  char *container_id;        /* exec, attach */
  char *sandbox_id;          /* all: the container's, or the port-forward's */
  char *pod_name, *pod_uid;  /* port-forward: for its messages */
  char **cmd;                /* exec: NULL terminated */
  bool tty, stdin_, stdout_, stderr_;
};
void cri_stream_grant_free (struct cri_stream_grant *g);

/* The URL path's first part: "exec", "attach", "portforward". */
const char *cri_stream_kind_path (enum cri_stream_kind kind);

/* Takes the token (single use): ENOENT when unknown, expired or of another
 * kind.  Safe from any thread. */
int cri_stream_redeem (struct cri_server *s, enum cri_stream_kind kind, const char *token,
                       struct cri_stream_grant *out, struct husk_error **err);

/* ---- for the unit tests and the fuzzer ---- */

struct cri_grpc_result;
/* Decodes and answers one call to `path` (the gRPC method) with a server
 * that has no socket. */
void cri_dispatch (struct cri_server *s, const char *path, const uint8_t *msg, size_t len,
                   int64_t deadline_ns, struct cri_grpc_result *out);
/* A server for cri_dispatch alone. */
int cri_server_new_detached (const struct cri_options *opts, struct cri_server **out,
                             struct husk_error **err);

#endif
