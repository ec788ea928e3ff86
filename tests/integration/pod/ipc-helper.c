/* pod-ipc: SysV message queues and POSIX message queues from the shell,
 * for the pod tests (busybox has no ipcmk/ipcs here).
 *   pod-ipc msgq-create KEY | msgq-exists KEY | mq-create /NAME | mq-exists /NAME
 * Exit 0 on success, 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

int
main (int argc, char **argv)
{
  if (argc != 3)
    return 2;
  if (strcmp (argv[1], "msgq-create") == 0)
    return msgget ((key_t) atoi (argv[2]), IPC_CREAT | 0600) < 0;
  if (strcmp (argv[1], "msgq-exists") == 0)
    return msgget ((key_t) atoi (argv[2]), 0) < 0;
  if (strcmp (argv[1], "mq-create") == 0)
    return mq_open (argv[2], O_CREAT | O_RDWR, 0600, NULL) == (mqd_t) -1;
  if (strcmp (argv[1], "mq-exists") == 0)
    return mq_open (argv[2], O_RDWR) == (mqd_t) -1;
  return 2;
}
