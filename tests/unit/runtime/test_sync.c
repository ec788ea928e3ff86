/* The sync protocol's wire: payloads, fds, type checks, the child's error
 * and end-of-file, over a real SOCK_SEQPACKET socketpair. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sync.h"
#include "tap.h"

static void
test_payload (int fds[2])
{
  struct husk_sync_msg msg = { .fd = -1 };
  struct husk_error *err = NULL;

  ok (husk_sync_send (fds[0], HUSK_SYNC_GO, 7, "{\"a\":1}", 7, -1, &err) == 0, "send go");
  ok (husk_sync_recv (fds[1], HUSK_SYNC_BIT (HUSK_SYNC_GO), &msg, &err) == 0, "receive go");
  is_int (msg.type, HUSK_SYNC_GO, "type");
  is_int (msg.value, 7, "value");
  is_str (msg.data, "{\"a\":1}", "payload");
  is_int (msg.fd, -1, "no fd");
  husk_sync_msg_clear (&msg);
}

/* Bigger than a SEQPACKET socket's send buffer: one packet could not hold
 * it (a state with large annotations).  A child sends, as in create. */
static void
test_large_payload (int fds[2])
{
  struct husk_sync_msg msg = { .fd = -1 };
  struct husk_error *err = NULL;
  size_t len = 3 << 20;
  char *big = malloc (len + 1);
  int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC), status = -1;
  pid_t pid;

  if (big == NULL)
    return (void) ok (false, "malloc");
  for (size_t i = 0; i < len; i++)
    big[i] = (char) ('a' + i % 26);
  big[len] = '\0';
  pid = fork ();
  if (pid == 0)
    _exit (husk_sync_send (fds[0], HUSK_SYNC_GO, 3, big, len, devnull, &err) == 0 ? 0 : 1);
  ok (husk_sync_recv (fds[1], HUSK_SYNC_BIT (HUSK_SYNC_GO), &msg, &err) == 0,
      "a 3 MiB payload is received");
  is_int (msg.len, len, "whole");
  ok (msg.data && memcmp (msg.data, big, len) == 0 && msg.data[len] == '\0', "intact");
  is_int (msg.value, 3, "value");
  ok (msg.fd >= 0, "with its fd");
  waitpid (pid, &status, 0);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0, "the sender succeeded");
  husk_sync_msg_clear (&msg);
  husk_sync_send (fds[0], HUSK_SYNC_READY, 0, NULL, 0, -1, &err);
  ok (husk_sync_recv (fds[1], HUSK_SYNC_BIT (HUSK_SYNC_READY), &msg, &err) == 0,
      "the next message is its own");
  husk_sync_msg_clear (&msg);
  close (devnull);
  free (big);
}

static void
test_fd (int fds[2])
{
  struct husk_sync_msg msg = { .fd = -1 };
  struct husk_error *err = NULL;
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  ok (husk_sync_send (fds[0], HUSK_SYNC_PTY_MASTER, 0, NULL, 0, fd, &err) == 0, "send fd");
  ok (husk_sync_recv (fds[1], HUSK_SYNC_BIT (HUSK_SYNC_PTY_MASTER), &msg, &err) == 0,
      "receive fd");
  ok (msg.fd >= 0 && msg.fd != fd, "a new descriptor arrived");
  ok (msg.fd >= 0 && (fcntl (msg.fd, F_GETFD) & FD_CLOEXEC), "received fd is CLOEXEC");
  husk_sync_msg_clear (&msg);
  close (fd);
}

static void
test_unexpected (int fds[2])
{
  struct husk_sync_msg msg = { .fd = -1 };
  struct husk_error *err = NULL;

  husk_sync_send (fds[0], HUSK_SYNC_READY, 0, NULL, 0, -1, &err);
  ok (husk_sync_recv (fds[1], HUSK_SYNC_BIT (HUSK_SYNC_GO), &msg, &err) < 0,
      "unexpected type refused");
  ok (err && err->errnum == EPROTO, "as a protocol error");
  ok (err && strstr (err->message, "ready") != NULL, "naming what came: %s",
      err ? err->message : "");
  husk_error_release (&err);
}

static void
test_child_error (int fds[2])
{
  struct husk_sync_msg msg = { .fd = -1 };
  struct husk_error child = { .errnum = ENOENT, .message = "exec: \"/x\": No such file or directory" };
  struct husk_error *err = NULL;

  husk_sync_send_error (fds[0], &child);
  ok (husk_sync_recv (fds[1], HUSK_SYNC_BIT (HUSK_SYNC_READY), &msg, &err) < 0,
      "an error message fails the receive");
  is_str (err ? err->message : NULL, child.message, "with the child's message");
  is_int (err ? err->errnum : 0, ENOENT, "and its errno");
  husk_error_release (&err);
}

static void
test_eof (int fds[2])
{
  struct husk_sync_msg msg = { .fd = -1 };
  struct husk_error *err = NULL;

  close (fds[0]);
  ok (husk_sync_recv (fds[1], HUSK_SYNC_BIT (HUSK_SYNC_EOF), &msg, &err) == 0,
      "end-of-file when expected (the child exec'd)");
  ok (husk_sync_recv (fds[1], HUSK_SYNC_BIT (HUSK_SYNC_READY), &msg, &err) < 0,
      "end-of-file when not expected is an error");
  is_str (err ? err->message : NULL, "child exited unexpectedly", "saying the child exited");
  husk_error_release (&err);
}

int
main (void)
{
  int fds[2];
  struct husk_error *err = NULL;

  if (!ok (husk_sync_socketpair (fds, &err) == 0, "socketpair"))
    return tap_done ();
  test_payload (fds);
  test_large_payload (fds);
  test_fd (fds);
  test_unexpected (fds);
  test_child_error (fds);
  test_eof (fds);
  close (fds[1]);
  return tap_done ();
}
