/* The pod holder (husk-pod-holder): one small process per pod that owns the
 * pod's namespaces and is the parent of every container's init.  See
 * holder_proto.h for its socket protocol.  Only libc: it is linked
 * statically so it stays well under 1 MB of RSS. */
#ifndef HUSK_SANDBOX_HOLDER_H
#define HUSK_SANDBOX_HOLDER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cri_log.h"

struct holder_options {
  const char *pod_dir;
  const char *runtime;      /* the runtime CLI */
  const char *runtime_root; /* its --root, may be NULL */
  const char *hostname;
  bool host_network;        /* share the host's net, ipc, uts */
  bool host_ipc;            /* with host_network false: share the host's ipc only */
  bool share_pid;           /* a pod PID namespace with its own PID 1 */
  bool detach;              /* fork, the parent exits: the launcher's child is gone */
  uint64_t log_max_bytes;
  int ready_fd;             /* "ok" or an error message is written here */
};

/* A container whose init is (or will be, once its create finishes) our
 * child. */
struct holder_container {
  struct holder_container *next;
  char id[256];
  char dir[4096];
  pid_t create_pid;  /* the runtime create process, 0 once reaped */
  int client_fd;     /* who asked, answered when create is reaped */
  pid_t init_pid;    /* 0 until known, -1 once reaped */
  int out_fd, err_fd; /* pipe read ends, -1 at EOF */
  struct cri_log_file log;
  struct cri_log_stream out, err;
};

struct holder {
  struct holder_options opt;
  int epoll_fd;
  int signal_fd;
  int listen_fd;
  pid_t pid1;       /* 0 without share_pid */
  struct holder_container *containers;
};

/* Setup steps (holder_setup.c), each a plain function. */
int holder_enter_namespaces (const struct holder_options *opt, char *msg, size_t msg_len);
int holder_loopback_up (void);
pid_t holder_spawn_pid1 (void);
int holder_listen (const char *pod_dir);
int holder_write_file_atomic (const char *dir, const char *name, const char *data);

/* The event loop (holder_loop.c): returns when asked to stop. */
int holder_run (struct holder *h);

/* holder_request.c: splits "create" NUL id NUL bundle NUL dir NUL (msg[n]
 * is a NUL) into field[0..3], pointers into msg; -1 when malformed or a
 * field does not fit a holder_container. */
int holder_request_parse (const char *msg, size_t n, const char *field[4]);

#endif
