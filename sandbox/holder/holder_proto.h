/* The pod holder's request protocol, shared by the holder and the sandbox
 * library.  One SOCK_SEQPACKET connection per request on
 * `<pod dir>/holder.sock`:
 *
 *   request:  "create" NUL <container id> NUL <bundle dir> NUL <container dir> NUL
 *   reply:    "ok <init pid>"  or  "err <errno> <message>"
 *
 * The holder forks and runs the runtime's `create`, so the container's init
 * becomes its child (it is the subreaper) and its stdout/stderr are pipes the
 * holder keeps and writes to `<container dir>/container.log`.  The reply
 * comes once the create finished.  When the holder reaps the init, it
 * writes `<container dir>/exit` atomically (HOLDER_EXIT_FILE format):
 *
 *   exit_code=<n>\nsignal=<n>\nfinished_at=<ns since epoch>\n
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

#endif
