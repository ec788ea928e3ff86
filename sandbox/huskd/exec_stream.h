/* kubectl exec: pods/{name}/exec upgraded to a streaming protocol
 * (WebSocket v5/v4.channel.k8s.io or SPDY/3.1 with the v4 stream
 * protocol), relaying a `husk exec` process both ways.
 *
 * exec_stream.c   the request, the connection taken over from evhttp, the
 *                 session's life (ends when the status is flushed or the
 *                 client leaves, whichever comes first)
 * exec_stream_proc.c   the process: pipes or a pty, reaped by pidfd
 * exec_stream_ws.c, exec_stream_spdy.c   the two transports
 *
 * Everything runs on the event loop and never blocks it: sockets, pipes and
 * the pty are non-blocking, and each direction has a bound (backpressure):
 * past EXEC_STREAM_HIGH bytes queued for a client we stop reading the
 * process; past it queued for the process's stdin we stop reading the
 * client. */
#ifndef HUSK_HUSKD_EXEC_STREAM_H
#define HUSK_HUSKD_EXEC_STREAM_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdint.h>

#include "channel.h"

struct husk_sandbox_env;
#include "error.h"

#define EXEC_STREAM_HIGH (256u * 1024)
#define EXEC_STREAM_MAX_FRAME (1u << 20)
#define EXEC_STREAM_LINGER_S 5

/* ---- the process (exec_stream_proc.c), or an attach to the container's
 * own (exec_stream_attach.c): the session drives both the same way ---- */

struct exec_proc;

struct exec_proc_cbs {
  /* bytes the process wrote on stdout/stderr (or the pty) */
  void (*output) (void *arg, enum stream_channel ch, const uint8_t *buf, size_t len);
  /* true while the client's queue is over the bound: stop reading */
  bool (*congested) (void *arg);
  /* stdin's queue went under the bound again */
  void (*stdin_drained) (void *arg);
  /* the process is gone and its output read; called once */
  void (*exited) (void *arg, int exit_code);
};

struct exec_proc_spec {
  const char *runtime;      /* the husk binary (execvp'd when no '/') */
  const char *runtime_root; /* its --root */
  const char *container_id;
  const char *state_dir; /* where its private dir goes (/tmp if too long) */
  char *const *argv;
  bool tty, stdin_;
  /* a tty's whole process (the container's, with argv and consoleSize),
   * run with `exec -p`: the runtime sizes the terminal before the command
   * starts.  NULL: argv on the command line */
  const char *process_json;
  /* attach (exec_stream_attach.c): no process of ours, the container's
   * own streams through its pod holder (husk_pod_container_attach) */
  bool attach, stdout_, stderr_;
  const struct husk_sandbox_env *env;
};

int exec_proc_start (struct event_base *base, const struct exec_proc_spec *spec,
                     const struct exec_proc_cbs *cbs, void *arg, struct exec_proc **out,
                     struct husk_error **err);
void exec_proc_write_stdin (struct exec_proc *p, const uint8_t *buf, size_t len);
size_t exec_proc_stdin_queued (struct exec_proc *p);
void exec_proc_close_stdin (struct exec_proc *p);
void exec_proc_resize (struct exec_proc *p, uint16_t width, uint16_t height);
/* The client's queue went under the bound: read the process again. */
void exec_proc_resume (struct exec_proc *p);
/* Kills what still runs (the command in the container too), frees all. */
void exec_proc_free (struct exec_proc *p);

/* ---- the entry, shared by both doors: pods/{name}/exec (exec_stream.c)
 * and the CRI's /exec/{token} (cri_streaming.c) ---- */

/* What the door checked and decided; copied by exec_stream_serve. */
struct exec_stream_target {
  char *const *argv; /* the command, NULL terminated */
  const char *container_id;
  const char *runtime;      /* NULL or "": husk on PATH */
  const char *runtime_root; /* NULL: HUSK_POD_RUNTIME_ROOT_DEFAULT */
  const char *config_path;  /* the container's config.json (tty sizes), or NULL */
  const char *state_dir;    /* where the process's private dir goes, or NULL */
  bool stdin_, stdout_, stderr_, tty;
  /* An attach relays the running container's own streams (through the
   * pod holder, with `env`) instead of starting `argv`; its terminal is the
   * container's (`container_tty`), whatever `tty` the client asked. */
  bool attach, container_tty;
  const struct husk_sandbox_env *env;
};

/* Upgrades `req` (WebSocket or SPDY/3.1, as the client asks), takes its
 * connection over from evhttp and runs the session.  On failure nothing is
 * taken and the caller answers the request: EPROTO (no upgrade asked) and
 * EINVAL (a bad handshake or target) are the client's fault, a 400. */
int exec_stream_serve (struct event_base *base, struct evhttp_request *req,
                       const struct exec_stream_target *t, struct husk_error **err);

/* ---- the session ---- */

struct exec_stream;

struct exec_transport {
  const char *name;
  /* Checks the upgrade request and writes the 101 answer into `out`;
   * < 0 (with *err) means not this protocol's or malformed: 400. */
  int (*handshake) (struct exec_stream *s, struct evhttp_request *req, struct evbuffer *out,
                    struct husk_error **err);
  /* The connection is ours: start (WebSocket starts the process now, SPDY
   * once the client opened its streams). */
  void (*start) (struct exec_stream *s);
  /* Consumes what the client sent; < 0 ends the session. */
  int (*input) (struct exec_stream *s, struct evbuffer *in, struct husk_error **err);
  /* Sends process output on a channel. */
  void (*output) (struct exec_stream *s, enum stream_channel ch, const uint8_t *buf, size_t len);
  /* Output held back by the transport (flow control; the final Status
   * waits behind it), or NULL. */
  size_t (*held) (struct exec_stream *s);
  /* Sends the final Status on the error channel and closes the streams. */
  void (*finish) (struct exec_stream *s, const char *status, size_t len);
  void (*free) (struct exec_stream *s);
};

struct exec_stream {
  struct event_base *base;
  struct evhttp_connection *conn;
  struct bufferevent *bev;
  const struct exec_transport *t;
  void *state; /* the transport's */
  struct exec_proc *proc;
  struct event *end_ev;
  /* what the client asked for */
  bool want[STREAM_N_CHANNELS];
  char **argv;
  char *container_id, *runtime, *runtime_root, *state_dir;
  char *config_path; /* the container's config.json (tty sessions) */
  bool attach;       /* pods/attach: the container's own streams */
  bool container_tty; /* attach: the container has a terminal */
  const struct husk_sandbox_env *env;
  bool finished; /* the status is given: end once all is flushed */
  bool lingering; /* all flushed, half-closed: waiting for the client's close */
  bool broken;   /* the client broke the protocol: its input is dropped */
  /* with a tty, the process waits (a moment) for the client's size */
  struct event *size_ev;
  bool sized, size_waited;
  uint16_t width, height;
  struct evbuffer *early_stdin; /* sent before the process started */
  bool early_close;
};

extern const struct exec_transport exec_transport_websocket;
extern const struct exec_transport exec_transport_spdy;

/* For the transports: */
void exec_stream_start_process (struct exec_stream *s);
/* Stdin bytes, a resize message, or stdin's end (len 0, ch STREAM_CLOSE). */
void exec_stream_client_data (struct exec_stream *s, enum stream_channel ch, const uint8_t *buf,
                              size_t len);
/* Ends the session at once (the client is gone or broke the protocol). */
void exec_stream_abort (struct exec_stream *s, const char *why);
void exec_stream_write (struct exec_stream *s, const void *buf, size_t len);
/* Every value of a request header, joined with ", " (a client may send
 * the header several times); malloc'd, NULL when absent. */
char *exec_stream_header_list (struct evhttp_request *req, const char *name);

/* ---- SPDY/3.1 pieces shared with port-forward (exec_stream_spdy.c) ---- */

struct spdy_frame;
struct spdy_zlib;
/* Calls fn for each whole frame in `in` (each is drained after fn), up to
 * what is there; < 0 when a frame is malformed or fn fails. */
int exec_spdy_each_frame (struct evbuffer *in, uint32_t max_length,
                          int (*fn) (void *arg, const struct spdy_frame *f,
                                     struct husk_error **err),
                          void *arg, struct husk_error **err);
/* A SYN_REPLY with no headers, accepting the client's stream. */
int exec_spdy_syn_reply (struct spdy_zlib *z, struct evbuffer *out, uint32_t id,
                         struct husk_error **err);
/* A DATA frame (len may be 0, to send a FIN). */
void exec_spdy_data (struct evbuffer *out, uint32_t id, uint8_t flags, const void *buf,
                     size_t len);
/* WINDOW_UPDATEs for n bytes taken from a stream (and the connection). */
void exec_spdy_reopen_window (struct evbuffer *out, uint32_t id, size_t n);

#endif
