/* The attach behind a kubectl attach: no process of ours, the container's
 * own streams through its pod holder (husk_pod_container_attach, the same
 * call the CRI's Attach makes).  The session (exec_stream.c) drives it as
 * an exec process: output read while the client keeps up (else the socket
 * is left alone and the holder drops what this attacher cannot take),
 * stdin queued and sent as the socket takes it, the end reported when the
 * holder says the container exited or closes the connection. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "exec_stream_proc.h"
#include "sandbox/pod/sandbox.h"

static void
attach_ended (struct exec_proc *p)
{
  if (p->out_ev[OUT_STDOUT])
    event_free (p->out_ev[OUT_STDOUT]);
  p->out_ev[OUT_STDOUT] = NULL;
  p->exited = true;
  p->exit_code = 0;
  exec_proc_check_done (p);
}

static void
on_attach_packet (evutil_socket_t fd, short what, void *arg)
{
  struct exec_proc *p = arg;
  uint8_t pkt[HUSK_POD_ATTACH_PACKET_MAX];
  if (p->cbs->congested (p->arg))
    {
      event_del (p->out_ev[OUT_STDOUT]);
      p->paused = true;
      return;
    }
  ssize_t n = recv (fd, pkt, sizeof pkt, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0 || pkt[0] == HUSK_POD_ATTACH_EXIT)
    return attach_ended (p);
  if (n > 1 && (pkt[0] == HUSK_POD_ATTACH_STDOUT || pkt[0] == HUSK_POD_ATTACH_STDERR))
    p->cbs->output (p->arg,
                    pkt[0] == HUSK_POD_ATTACH_STDERR && !p->tty ? STREAM_STDERR : STREAM_STDOUT,
                    pkt + 1, (size_t) n - 1);
}

int
exec_proc_attach (struct exec_proc *p, const struct exec_proc_spec *spec,
                  struct husk_error **err)
{
  int fd;
  /* a tty has one output stream: the client's stdout takes it */
  bool out = spec->stdout_ || spec->tty, errs = spec->stderr_ && !spec->tty;
  if (husk_pod_container_attach (spec->env, spec->container_id, spec->stdin_, out, errs, &fd,
                                 err)
      < 0)
    return -1;
  p->attach = true;
  p->close_sent = !spec->stdin_;
  p->in_fd = fd;
  p->in_ev = event_new (p->base, fd, EV_WRITE, exec_proc_on_stdin_writable, p);
  p->out_fd[OUT_STDOUT] = fd;
  p->out_ev[OUT_STDOUT] = event_new (p->base, fd, EV_READ | EV_PERSIST, on_attach_packet, p);
  if (!p->in_ev || !p->out_ev[OUT_STDOUT] || event_add (p->out_ev[OUT_STDOUT], NULL) < 0)
    return husk_error_set (err, ENOMEM, "attach events");
  if (!spec->stdin_)
    p->in_close = true;
  return 0;
}

/* Stdin as STDIN packets, then CLOSE_STDIN once the client's ended. */
void
exec_proc_attach_flush_stdin (struct exec_proc *p)
{
  size_t before = evbuffer_get_length (p->in_buf), len;
  while (p->in_fd >= 0 && (len = evbuffer_get_length (p->in_buf)) > 0)
    {
      if (len > HUSK_POD_ATTACH_PACKET_MAX - 1)
        len = HUSK_POD_ATTACH_PACKET_MAX - 1;
      ssize_t n = husk_pod_attach_send (p->in_fd, HUSK_POD_ATTACH_STDIN,
                                        evbuffer_pullup (p->in_buf, len), len);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        break;
      evbuffer_drain (p->in_buf, n < 0 ? evbuffer_get_length (p->in_buf) : (size_t) n);
    }
  if (p->in_fd >= 0 && evbuffer_get_length (p->in_buf) == 0 && p->in_close && !p->close_sent)
    {
      ssize_t n = husk_pod_attach_send (p->in_fd, HUSK_POD_ATTACH_CLOSE_STDIN, "", 0);
      p->close_sent = n >= 0 || (errno != EAGAIN && errno != EINTR);
    }
  if (p->in_fd >= 0 && (evbuffer_get_length (p->in_buf) > 0 || (p->in_close && !p->close_sent)))
    event_add (p->in_ev, NULL);
  if (before >= EXEC_STREAM_HIGH && evbuffer_get_length (p->in_buf) < EXEC_STREAM_HIGH)
    p->cbs->stdin_drained (p->arg);
}

void
exec_proc_attach_resize (struct exec_proc *p)
{
  if (p->tty && p->in_fd >= 0)
    husk_pod_attach_resize (p->in_fd, p->ws.ws_col, p->ws.ws_row);
}
