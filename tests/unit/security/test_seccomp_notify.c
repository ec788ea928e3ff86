/* SCMP_ACT_NOTIFY end to end: the filter gives a listener fd, a supervisor
 * answers the notified syscall; and the listener fd reaches the agent at
 * listenerPath with the containerProcessState document. */
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "seccomp_child.h"
#include "tap.h"

static char *probe_names[] = { "getppid", NULL };

/* In the filtered process: fork a worker that calls getppid (notified),
 * answer it with 42 from here, report whether the worker saw 42. */
static int
supervise (int listener)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  int status;
  pid_t worker = fork ();

  if (worker < 0)
    return 10;
  if (worker == 0)
    _exit (probe (0, 0) == 42 ? 0 : 1);
  memset (&req, 0, sizeof req);
  if (ioctl (listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return 11;
  resp = (struct seccomp_notif_resp) { .id = req.id, .val = 42 };
  if (ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
    return 12;
  if (waitpid (worker, &status, 0) < 0 || !WIFEXITED (status))
    return 13;
  return WEXITSTATUS (status);
}

static void
test_notify_listener (void)
{
  struct oci_seccomp_syscall rule = { .names = probe_names, .names_len = 1,
                                      .action = OCI_SCMP_ACT_NOTIFY };
  struct oci_seccomp s = { .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = &rule,
                           .syscalls_len = 1, .listener_path = "/unused" };
  struct husk_seccomp_program *prog = NULL;
  struct husk_error *err = NULL;
  int status;
  pid_t pid;

  ok (husk_seccomp_compile (&s, &prog, &err) == 0, "a NOTIFY rule compiles");
  if (prog == NULL)
    return;
  ok (husk_seccomp_program_has_notify (prog), "the program knows it notifies");
  pid = fork ();
  if (pid == 0)
    {
      int listener = -1;
      alarm (10);
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
          || husk_seccomp_install (prog, &listener, &err) < 0)
        _exit (100);
      _exit (listener < 0 ? 101 : supervise (listener));
    }
  waitpid (pid, &status, 0);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "install gives a listener fd; the notified syscall returns the agent's answer (status %#x)",
      status);
  husk_seccomp_program_free (prog);
}

static int
listen_at (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  strcpy (addr.sun_path, path);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 1) < 0)
    return -1;
  return fd;
}

/* Receives the message and its fd on an accepted connection. */
static int
receive_state (int server, char *buf, size_t size, int *fd)
{
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  int conn = accept4 (server, NULL, NULL, SOCK_CLOEXEC);
  ssize_t n;
  struct cmsghdr *cmsg;

  if (conn < 0)
    return -1;
  n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  close (conn);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS)
    return -1;
  memcpy (fd, CMSG_DATA (cmsg), sizeof *fd);
  return 0;
}

static void
test_send_listener (void)
{
  char dir[] = "/tmp/husk-test-notify-XXXXXX", path[128], buf[4096];
  const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\","
                      "\"pid\":4242,\"bundle\":\"/b\",\"annotations\":{\"pid\":\"x\"}}";
  struct oci_seccomp s = { .listener_path = path, .listener_metadata = "meta data" };
  struct husk_error *err = NULL;
  int server, pipefd[2], got = -1;
  struct stat a, b;

  if (!ok (mkdtemp (dir) != NULL, "tmpdir"))
    return;
  snprintf (path, sizeof path, "%s/agent.sock", dir);
  server = listen_at (path);
  ok (server >= 0 && pipe (pipefd) == 0, "an agent listens at listenerPath");
  ok (husk_seccomp_send_listener (&s, state, pipefd[0], &err) == 0, "the fd is sent");
  if (err)
    printf ("#   %s\n", err->message);
  ok (receive_state (server, buf, sizeof buf, &got) == 0, "the agent receives a message with an fd");
  is_str (buf,
          "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":4242,\"metadata\":\"meta data\","
          "\"state\":{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":4242,"
          "\"bundle\":\"/b\",\"annotations\":{\"pid\":\"x\"}}}",
          "the message is the containerProcessState");
  ok (got >= 0 && fstat (got, &a) == 0 && fstat (pipefd[0], &b) == 0 && a.st_ino == b.st_ino,
      "the fd received is the one sent");
  close (got), close (pipefd[0]), close (pipefd[1]);
  husk_error_release (&err);
  /* an exec'd process: its own pid, the state still the container's */
  got = -1;
  ok (pipe (pipefd) == 0 && husk_seccomp_send_listener_pid (&s, state, 777, pipefd[0], &err) == 0,
      "the fd of an exec'd process is sent");
  ok (receive_state (server, buf, sizeof buf, &got) == 0, "the agent receives it");
  ok (strstr (buf, "\"fds\":[\"seccompFd\"],\"pid\":777,") != NULL
          && strstr (buf, "\"status\":\"creating\",\"pid\":4242,") != NULL,
      "its pid is the exec'd process's, the state's the init's: %s", buf);
  if (got >= 0)
    close (got);
  close (pipefd[0]), close (pipefd[1]), close (server);
  husk_error_release (&err);
  s.listener_path = "/nonexistent/agent.sock";
  ok (husk_seccomp_send_listener (&s, state, 0, &err) < 0 && err
          && strcmp (err->message, "seccomp listener: connect \"/nonexistent/agent.sock\": No such file or directory") == 0,
      "a missing agent is a clear error: %s", err ? err->message : "");
  husk_error_release (&err);
  unlink (path);
  rmdir (dir);
}

int
main (void)
{
  test_notify_listener ();
  test_send_listener ();
  return tap_done ();
}
