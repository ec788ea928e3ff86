/* The pod holder's request protocol, shared by the holder and the sandbox
 * library.  One SOCK_SEQPACKET connection per request on
 * `<pod dir>/holder.sock`:
 *
 *   request:  "create" NUL <container id> NUL <bundle dir> NUL <container dir> NUL
 *             [<flags> NUL]
 *   reply:    "ok <init pid>"  or  "err <errno> <message>"
 *
 * <flags> are words among "tty", "stdin", "stdin-once" (the container's
 * tty, stdin and stdinOnce); absent, the container has no stdin (/dev/null)
 * and no terminal, as before they existed.  With "tty" the holder gives the
 * runtime a --console-socket and keeps the pty master it receives, as
 * conmon does: the terminal's output goes to the log as stdout, as
 * containerd writes it.  With "stdin" it keeps the write end of the
 * container's stdin (a pipe, or the pty master).
 *
 * The holder forks and runs the runtime's `create`, so the container's init
 * becomes its child (it is the subreaper) and its stdout/stderr are pipes the
 * holder keeps and writes to `<container dir>/container.log`.  The reply
 * comes once the create finished.  When the holder reaps the init, it
 * writes `<container dir>/exit` atomically (HOLDER_EXIT_FILE format):
 *
 *   exit_code=<n>\nsignal=<n>\nfinished_at=<ns since epoch>\n
 *
 * Attaching to a running container's streams (kubectl attach):
 *
 *   request:  "attach" NUL <container id> NUL <streams> NUL
 *   reply:    "ok"  or  "err <errno> <message>"
 *
 * <streams> are words among "stdin", "stdout", "stderr".  After "ok" the
 * connection stays and carries packets whose first byte names what follows
 * (HOLDER_ATTACH_*), as conmon's attach socket does: from the holder the
 * container's output (a tty's as STDOUT) and, once the container exited
 * and its output was sent, EXIT with the exit code in decimal, then the
 * holder closes; from the client STDIN bytes, RESIZE (two native uint16:
 * width, height) and CLOSE_STDIN.  The client closing the connection
 * detaches: the container goes on.  Several attachers each get all output
 * written while they are attached; the holder never blocks on one: output
 * an attacher does not take in time is lost for it (the log has it all).
 */
#ifndef HUSK_SANDBOX_HOLDER_PROTO_H
#define HUSK_SANDBOX_HOLDER_PROTO_H

#define HOLDER_SOCKET "holder.sock"
#define HOLDER_PID_FILE "holder.pid"
#define HOLDER_PID1_FILE "pid1.pid"     /* the pod's PID 1 with shareProcessNamespace */
#define HOLDER_EXIT_FILE "exit"
#define HOLDER_INIT_PID_FILE "init.pid" /* the runtime's --pid-file */
#define HOLDER_LOG_FILE "container.log"
#define HOLDER_RUNTIME_LOG_FILE "runtime.log"
#define HOLDER_MSG_MAX 8192
#define HOLDER_CONSOLE_SOCKET "console.sock" /* in the container dir during create */

enum holder_attach_packet {
  HOLDER_ATTACH_STDIN = 0,
  HOLDER_ATTACH_STDOUT = 1,
  HOLDER_ATTACH_STDERR = 2,
  HOLDER_ATTACH_EXIT = 3,
  HOLDER_ATTACH_RESIZE = 4,
  HOLDER_ATTACH_CLOSE_STDIN = 5,
};
/* The largest packet either side sends: a type byte and 32 KiB of data. */
#define HOLDER_ATTACH_PACKET_MAX (1 + 32 * 1024)

/* Request fields: the verb and up to four more. */
#define HOLDER_REQUEST_FIELDS 5

#endif
