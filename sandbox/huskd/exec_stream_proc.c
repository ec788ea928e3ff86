/* The process behind a kubectl exec, once running (exec_stream_spawn.c
 * starts it): its output read while the client keeps up, its stdin queued
 * and written as the pipe (or pty) takes it, its exit reported once its
 * output is read. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "exec_stream_proc.h"


static void
close_out (struct exec_proc *p, int i)
{
  if (p->out_ev[i])
    event_free (p->out_ev[i]);
  p->out_ev[i] = NULL;
  if ((i == OUT_PTY || p->attach) && p->in_fd == p->out_fd[i])
    return; /* stdin still writes to the pty (or the attach): closed with it */
  husk_closep (&p->out_fd[i]);
}

static void
on_output (evutil_socket_t fd, short what, void *arg)
{
  struct exec_proc *p = arg;
  uint8_t buf[READ_CHUNK];
  int i = fd == p->out_fd[OUT_STDOUT] ? OUT_STDOUT : fd == p->out_fd[OUT_STDERR] ? OUT_STDERR : OUT_PTY;
  if (p->cbs->congested (p->arg))
    {
      /* the client is slow: leave the bytes in the pipe, the process blocks */
      for (int k = 0; k < N_OUT; k++)
        if (p->out_ev[k])
          event_del (p->out_ev[k]);
      p->paused = true;
      return;
    }
  ssize_t n = read (fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0) /* EOF, or EIO: the pty's last slave closed */
    {
      close_out (p, i);
      exec_proc_check_done (p);
      return;
    }
  /* with a tty husk's own messages join the terminal's stream */
  p->cbs->output (p->arg, i == OUT_STDERR && !p->tty ? STREAM_STDERR : STREAM_STDOUT, buf, n);
}

int
exec_proc_watch_out (struct exec_proc *p, int i, int fd)
{
  p->out_fd[i] = fd;
  p->out_ev[i] = event_new (p->base, fd, EV_READ | EV_PERSIST, on_output, p);
  return p->out_ev[i] && event_add (p->out_ev[i], NULL) == 0 ? 0 : -1;
}

void
exec_proc_resume (struct exec_proc *p)
{
  if (!p || !p->paused)
    return;
  p->paused = false;
  for (int k = 0; k < N_OUT; k++)
    if (p->out_ev[k])
      event_add (p->out_ev[k], NULL);
}

static void
report (struct exec_proc *p)
{
  if (p->reported)
    return;
  p->reported = true;
  if (p->linger_ev)
    event_del (p->linger_ev);
  p->cbs->exited (p->arg, p->exit_code);
}

static void
on_linger (evutil_socket_t fd, short what, void *arg)
{
  struct exec_proc *p = arg;
  struct timeval tv = { LINGER_MS / 1000, (LINGER_MS % 1000) * 1000 };
  /* a slow client is no reason to drop the last output: wait for it */
  if (p->paused)
    evtimer_add (p->linger_ev, &tv);
  else
    report (p);
}

void
exec_proc_check_done (struct exec_proc *p)
{
  bool open = false;
  for (int k = 0; k < N_OUT; k++)
    open |= p->out_ev[k] != NULL;
  if (!p->exited)
    return;
  if (!open)
    return report (p);
  struct timeval tv = { LINGER_MS / 1000, (LINGER_MS % 1000) * 1000 };
  if (!p->linger_ev)
    p->linger_ev = evtimer_new (p->base, on_linger, p);
  if (p->linger_ev && !evtimer_pending (p->linger_ev, NULL))
    evtimer_add (p->linger_ev, &tv);
}

void
exec_proc_on_exit (evutil_socket_t fd, short what, void *arg)
{
  struct exec_proc *p = arg;
  int status;
  if (waitpid (p->pid, &status, WNOHANG) <= 0)
    return;
  p->pid = 0;
  p->exited = true;
  p->exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  event_del (p->pid_ev);
  /* Under load the pidfd can fire before the console socket's events: a
   * short command (`stty size`) has run and husk exec exited while its pty
   * master still waits in the socket, with all the command's output in it.
   * Dropping the console then lost that output (kubectl exec -it printed
   * nothing, status 0): take the master now, its output is read below. */
  exec_proc_console_drain (p);
  exec_proc_check_done (p);
}

void
exec_proc_flush_stdin (struct exec_proc *p)
{
  if (p->attach)
    return exec_proc_attach_flush_stdin (p);
  size_t before = evbuffer_get_length (p->in_buf);
  while (p->in_fd >= 0 && evbuffer_get_length (p->in_buf) > 0)
    {
      int n = evbuffer_write (p->in_buf, p->in_fd);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        break;
      if (n <= 0) /* EPIPE: the process closed its stdin; drop the rest */
        evbuffer_drain (p->in_buf, evbuffer_get_length (p->in_buf));
    }
  if (p->in_fd >= 0 && evbuffer_get_length (p->in_buf) > 0)
    event_add (p->in_ev, NULL);
  else if (p->in_close && !p->tty)
    {
      if (p->in_ev)
        event_free (p->in_ev), p->in_ev = NULL;
      husk_closep (&p->in_fd);
    }
  if (before >= EXEC_STREAM_HIGH && evbuffer_get_length (p->in_buf) < EXEC_STREAM_HIGH)
    p->cbs->stdin_drained (p->arg);
}

void
exec_proc_on_stdin_writable (evutil_socket_t fd, short what, void *arg)
{
  exec_proc_flush_stdin (arg);
}

void
exec_proc_write_stdin (struct exec_proc *p, const uint8_t *buf, size_t len)
{
  if (p->in_close || (p->in_fd < 0 && !p->tty))
    return;
  evbuffer_add (p->in_buf, buf, len);
  if (p->in_fd >= 0 && !event_pending (p->in_ev, EV_WRITE, NULL))
    exec_proc_flush_stdin (p);
}

size_t
exec_proc_stdin_queued (struct exec_proc *p)
{
  return p ? evbuffer_get_length (p->in_buf) : 0;
}

void
exec_proc_close_stdin (struct exec_proc *p)
{
  p->in_close = true;
  if (p->in_fd >= 0 && !event_pending (p->in_ev, EV_WRITE, NULL))
    exec_proc_flush_stdin (p);
}

void
exec_proc_resize (struct exec_proc *p, uint16_t width, uint16_t height)
{
  p->ws = (struct winsize) { .ws_col = width, .ws_row = height };
  p->sized = true;
  if (p->attach)
    exec_proc_attach_resize (p);
  else if (p->tty && p->in_fd >= 0)
    ioctl (p->in_fd, TIOCSWINSZ, &p->ws);
}

void
exec_proc_free (struct exec_proc *p)
{
  if (!p)
    return;
  exec_proc_console_free (p);
  if (p->pid > 0)
    {
      exec_proc_kill_command (p->dir);
      kill (p->pid, SIGKILL);
      waitpid (p->pid, NULL, 0); /* SIGKILLed: returns at once */
    }
  for (int k = 0; k < N_OUT; k++)
    close_out (p, k);
  if (p->in_ev)
    event_free (p->in_ev);
  husk_closep (&p->in_fd);
  if (p->pid_ev)
    event_free (p->pid_ev);
  if (p->linger_ev)
    event_free (p->linger_ev);
  husk_closep (&p->pidfd);
  if (p->in_buf)
    evbuffer_free (p->in_buf);
  exec_proc_remove_dir (p->dir);
  free (p);
}
