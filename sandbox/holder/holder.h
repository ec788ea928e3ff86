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
#include "holder_proto.h"

struct holder_options {
  const char *pod_dir;
  const char *runtime;      /* the runtime CLI */
  const char *runtime_root; /* its --root, may be NULL */
  const char *hostname;
  bool systemd_cgroup;      /* --cgroup-driver systemd: create gets --systemd-cgroup */
  bool host_network;        /* share the host's net, ipc, uts */
  bool host_ipc;            /* with host_network false: share the host's ipc only */
  bool share_pid;           /* a pod PID namespace with its own PID 1 */
  bool detach;              /* fork, the parent exits: the launcher's child is gone */
  uint64_t log_max_bytes;
  int ready_fd;             /* "ok" or an error message is written here */
};

/* A client attached to a container's streams (holder_attach.c). */
struct holder_attach {
  struct holder_attach *next;
  int fd;
  bool stdin_, out, err;
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
  bool tty, open_stdin, stdin_once;
  int console_fd;     /* listening for the runtime's pty master during create */
  int console_dir;    /* the container dir, the socket's path during create */
  int tty_fd;         /* the pty master's output, -1 at EOF */
  int in_fd;          /* stdin's write end (the pipe, or a dup of the master) */
  char *in_pending;   /* stdin bytes the container did not take yet */
  size_t in_pending_len;
  struct cri_log_stream tty_out;
  struct holder_attach *attachers;
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
void holder_watch (struct holder *h, int fd, uint32_t events);
/* Sends a reply line and closes the client (*fd = -1). */
void holder_reply (int *fd, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* holder_tty.c: the console socket the runtime sends the pty master to. */
int holder_console_listen (struct holder *h, struct holder_container *c, char *path,
                           size_t path_len);
/* Takes the master if the runtime connected, then closes the socket (the
 * create is over, or its one connection came). */
void holder_console_ready (struct holder *h, struct holder_container *c);
/* The container's stdin: a pipe whose read end goes to the runtime. */
int holder_stdin_pipe (struct holder_container *c, int *child_end);

/* holder_attach.c */
void holder_attach_request (struct holder *h, int fd, const char *id, const char *streams);
struct holder_container *holder_find_container (struct holder *h, const char *id);
/* Output of the container to every attacher that wants it. */
void holder_attach_output (struct holder_container *c, int packet, const char *buf, size_t n);
/* The container is gone: EXIT to each attacher, then they are closed. */
void holder_attach_exit (struct holder *h, struct holder_container *c, int exit_code);
/* An attacher's socket or the container's stdin is ready; false if fd is
 * neither. */
bool holder_attach_ready (struct holder *h, int fd, uint32_t events);
void holder_attach_free_all (struct holder_container *c);
/* Closes the container's stdin (h NULL: the attachers are left as they are). */
void holder_stdin_close (struct holder *h, struct holder_container *c);

/* holder_request.c: splits "create" NUL id NUL bundle NUL dir NUL [flags
 * NUL] or "attach" NUL id NUL streams NUL (msg[n] is a NUL) into field[],
 * pointers into msg (a field not given points at msg[n], ""); -1 when
 * malformed or a field does not fit a holder_container. */
int holder_request_parse (const char *msg, size_t n, const char *field[HOLDER_REQUEST_FIELDS]);
/* Whether the word is in a space-separated list. */
bool holder_word_in (const char *list, const char *word);

#endif
