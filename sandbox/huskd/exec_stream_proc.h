/* The state of an exec process, shared by exec_stream_proc.c (its I/O) and
 * exec_stream_spawn.c (starting it, the console socket, killing it). */
#ifndef HUSK_HUSKD_EXEC_STREAM_PROC_H
#define HUSK_HUSKD_EXEC_STREAM_PROC_H

#include <sys/ioctl.h>
#include <sys/types.h>

#include "exec_stream.h"

#define READ_CHUNK (32u * 1024)
/* After the process exits, its output may still be held open by a child it
 * left behind: read what comes for this long, then report the exit. */
#define LINGER_MS 2000

/* The private dir's path, short enough for "<dir>/console.sock" to fit in
 * a sockaddr_un. */
#define EXEC_DIR_MAX 92

enum { OUT_STDOUT, OUT_STDERR, OUT_PTY, N_OUT };

struct exec_proc {
  struct event_base *base;
  const struct exec_proc_cbs *cbs;
  void *arg;
  pid_t pid; /* husk exec, 0 once reaped */
  int pidfd;
  struct event *pid_ev, *linger_ev;
  int out_fd[N_OUT];
  struct event *out_ev[N_OUT];
  int in_fd; /* the stdin pipe, or the pty master (then out_fd[OUT_PTY]) */
  struct event *in_ev;
  struct evbuffer *in_buf;
  bool in_close;
  int listen_fd, console_fd; /* the console socket and husk's connection */
  struct event *listen_ev, *console_ev;
  char dir[EXEC_DIR_MAX]; /* private: the console socket and the pid file */
  bool tty, exited, reported, paused, sized;
  bool attach;      /* in_fd and out_fd[OUT_STDOUT] are the holder's attach socket */
  bool close_sent;  /* attach: CLOSE_STDIN is sent (or stdin was never asked) */
  int exit_code;
  struct winsize ws;
};

int exec_proc_watch_out (struct exec_proc *p, int i, int fd);
void exec_proc_check_done (struct exec_proc *p);
void exec_proc_flush_stdin (struct exec_proc *p);
void exec_proc_on_stdin_writable (evutil_socket_t fd, short what, void *arg);
void exec_proc_on_exit (evutil_socket_t fd, short what, void *arg);

/* exec_stream_attach.c */
int exec_proc_attach (struct exec_proc *p, const struct exec_proc_spec *spec,
                      struct husk_error **err);
void exec_proc_attach_flush_stdin (struct exec_proc *p);
void exec_proc_attach_resize (struct exec_proc *p);

/* exec_stream_spawn.c */
void exec_proc_console_free (struct exec_proc *p);
/* The runtime is gone: what it sent on the console socket is all queued
 * now, taken without waiting (the pty master, if it came), then the socket
 * goes. */
void exec_proc_console_drain (struct exec_proc *p);
/* SIGKILLs the command in the container (its pid from the pid file): killing
 * husk exec alone would leave it running. */
void exec_proc_kill_command (const char *dir);
void exec_proc_remove_dir (const char *dir);

#endif
