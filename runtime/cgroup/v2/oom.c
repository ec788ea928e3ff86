/* v2 OOM events: memory.events changes (inotify IN_MODIFY) whenever one of
 * its counters moves; oom_kill is the one that means a task was killed. */
#include <errno.h>
#include <sys/inotify.h>

#include "v2.h"

int
cg_v2_oom_fd (struct husk_cgroup *cg, int *fd, struct husk_error **err)
{
  cleanup_free char *path = cg_join (cg->dir, "memory.events");
  cleanup_close int ifd = -1;
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "oom notification");
  ifd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (ifd < 0)
    return husk_error_set (err, errno, "inotify_init1");
  if (inotify_add_watch (ifd, path, IN_MODIFY) < 0)
    return husk_error_set (err, errno, "inotify_add_watch \"%s\"", path);
  *fd = steal_fd (&ifd);
  return 0;
}

int
cg_v2_oom_count (struct husk_cgroup *cg, uint64_t *count, struct husk_error **err)
{
  cleanup_free char *events = NULL;
  if (cg_read (cg->dir, "memory.events", &events, err) < 0)
    return -1;
  *count = 0;
  cg_keyed_u64 (events, "oom_kill", count);
  return 0;
}
