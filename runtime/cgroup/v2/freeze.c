/* v2 freezer: cgroup.freeze is the request, "frozen" in cgroup.events the
 * kernel's answer; wait for the answer. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "v2.h"

static int
events_frozen (const char *dir, bool *frozen, struct husk_error **err)
{
  cleanup_free char *events = NULL;
  uint64_t v = 0;
  if (cg_read_value (dir, "cgroup.events", &events, err) < 0)
    return -1;
  cg_keyed_u64 (events, "frozen", &v);
  *frozen = v == 1;
  return 0;
}

int
cg_v2_freeze (struct husk_cgroup *cg, bool frozen, struct husk_error **err)
{
  const struct timespec pause = { 0, 1000 * 1000 };
  bool now = !frozen;
  if (cg_write (cg->dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return -1;
  for (int i = 0; i < 5000; i++)
    {
      if (events_frozen (cg->dir, &now, err) < 0)
        return -1;
      if (now == frozen)
        return 0;
      nanosleep (&pause, NULL);
    }
  if (frozen)
    {
      cleanup_error struct husk_error *e = NULL;
      cg_write (cg->dir, "cgroup.freeze", "0", &e); /* never leave it half frozen */
    }
  return husk_error_set (err, ETIMEDOUT, "\"%s/cgroup.events\" does not report frozen %d",
                         cg->dir, frozen ? 1 : 0);
}

int
cg_v2_is_frozen (struct husk_cgroup *cg, bool *frozen, struct husk_error **err)
{
  uint64_t v = 0;
  /* The request, as runc reads it: a cgroup frozen from above also says
   * frozen in cgroup.events, but it was not paused by us. */
  if (cg_read_u64 (cg->dir, "cgroup.freeze", &v, err) < 0)
    return -1;
  *frozen = v == 1;
  return 0;
}
