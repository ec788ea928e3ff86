/* The CRI's streaming server: where the URLs that Exec, Attach and
 * PortForward answer (sandbox/cri/cri_stream.c) lead, as kubelet's and
 * containerd's streaming server (plain HTTP on --stream-address, loopback
 * by default: the single-use token in the path is the only credential).
 *
 *   /exec/{token}         remotecommand over SPDY/3.1 or WebSocket
 *                         (exec_stream_serve, the session of pods/exec)
 *   /portforward/{token}  portforward.k8s.io over SPDY/3.1 (pf_serve, the
 *                         session of pods/portforward)
 *   /attach/{token}       serve_attach(), the hook for the pod library's
 *                         attach; refused with a 501 until there is one */
#ifndef HUSK_HUSKD_CRI_STREAMING_H
#define HUSK_HUSKD_CRI_STREAMING_H

#include <event2/event.h>

#include "error.h"

struct cri_server;
struct husk_sandbox_env;
struct huskd_cri_streaming;

/* --stream-address's default: containerd's stream_server_address and a
 * port the kernel picks (its stream_server_port "0"). */
#define HUSKD_STREAM_ADDRESS_DEFAULT "127.0.0.1:0"

/* Binds `address` (HOST:PORT, [V6]:PORT; port 0: any free one); *url is
 * the base URL to give the CRI ("http://127.0.0.1:41231"), owned by *out. */
int huskd_cri_streaming_listen (struct event_base *base, const char *address,
                                struct huskd_cri_streaming **out, const char **url,
                                struct husk_error **err);
/* Requests are served from now on (503 before): tokens redeemed from
 * `cri`, sessions run with `env`; `state_dir` for the exec processes'
 * private dirs. */
void huskd_cri_streaming_serve (struct huskd_cri_streaming *s, struct cri_server *cri,
                                const struct husk_sandbox_env *env, const char *state_dir);
void huskd_cri_streaming_free (struct huskd_cri_streaming *s);

#endif
