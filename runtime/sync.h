/* The parent/child sync protocol of container creation and exec.
 *
 * One SOCK_SEQPACKET|SOCK_CLOEXEC socketpair per child; each message is one
 * packet: a header naming its type, then an optional payload and at most one
 * fd (SCM_RIGHTS).  Each receiver says which types it expects: anything else
 * is a protocol error, and HUSK_SYNC_ERROR becomes the receiver's error, so
 * the child's reason (errno + message) reaches the user.  When the child's
 * end closes (it exec'd: the socket is CLOEXEC, or it died) the receiver sees
 * end-of-file, reported as HUSK_SYNC_EOF when expected.
 *
 * The order of a create (-> parent to child, <- child to parent):
 *   [<- CGROUP_JOINED]                      the child moved itself (cgroup.h)
 *   [<- USERMAP_REQUEST, -> USERMAP_DONE]   two-stage only: new user ns
 *   [<- INIT_PID]                           two-stage only: the init's pid
 *   -> GO (payload: state JSON for hooks)   maps, cgroup, createRuntime done
 *   [<- PTY_MASTER (fd)]                    process.terminal
 *   [<- SECCOMP_LISTENER (fd), -> SECCOMP_DONE]
 *   <- READY                                waiting at the start barrier
 *   [-> START, <- EOF]                      run/exec: no fifo, exec now
 */
#ifndef HUSK_RUNTIME_SYNC_H
#define HUSK_RUNTIME_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "../oci/error.h"

enum husk_sync_type {
  HUSK_SYNC_EOF = 0,
  HUSK_SYNC_USERMAP_REQUEST,
  HUSK_SYNC_USERMAP_DONE,
  HUSK_SYNC_INIT_PID,
  HUSK_SYNC_GO,
  HUSK_SYNC_PTY_MASTER,
  HUSK_SYNC_SECCOMP_LISTENER,
  HUSK_SYNC_SECCOMP_DONE,
  HUSK_SYNC_READY,
  HUSK_SYNC_START,
  HUSK_SYNC_ERROR,
  HUSK_SYNC_CGROUP_JOINED,
  HUSK_SYNC__COUNT
};

#define HUSK_SYNC_BIT(t) (1u << (t))

struct husk_sync_msg {
  enum husk_sync_type type;
  int32_t value; /* a pid, or the errno of an ERROR */
  char *data;    /* malloc'd, NUL terminated; NULL when none */
  size_t len;
  int fd;        /* received fd (CLOEXEC), -1 when none */
};

void husk_sync_msg_clear (struct husk_sync_msg *msg);
#define cleanup_sync_msg __attribute__ ((cleanup (husk_sync_msg_clear)))

const char *husk_sync_type_name (enum husk_sync_type type);

int husk_sync_socketpair (int fds[2], struct husk_error **err);

int husk_sync_send (int fd, enum husk_sync_type type, int32_t value, const void *data,
                    size_t len, int pass_fd, struct husk_error **err);

/* Receives one message whose type is in `expected` (a mask of
 * HUSK_SYNC_BIT()); an ERROR message becomes *err with the child's errno. */
int husk_sync_recv (int fd, unsigned expected, struct husk_sync_msg *msg,
                    struct husk_error **err);

/* Child side: sends `e` (errnum + message); failures are ignored, there is
 * nobody left to tell. */
void husk_sync_send_error (int fd, const struct husk_error *e);

#endif
