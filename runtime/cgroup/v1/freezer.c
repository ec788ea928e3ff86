/* v1 freezer: write the wanted state, then wait for freezer.state to reach
 * it (FREEZING may last while tasks sit in uninterruptible sleep). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "v1.h"

static int
read_state (const char *dir, char state[16], struct husk_error **err)
{
  cleanup_free char *s = NULL;
  if (cg_read_value (dir, "freezer.state", &s, err) < 0)
    return -1;
  s[strcspn (s, "\n")] = '\0';
  snprintf (state, 16, "%s", s);
  return 0;
}

int
cg_v1_freeze (struct husk_cgroup *cg, bool frozen, struct husk_error **err)
{
  const char *dir = husk_cgroup_dir (cg, "freezer");
  const char *want = frozen ? "FROZEN" : "THAWED";
  const struct timespec pause = { 0, 1000 * 1000 };
  char state[16];

  if (dir == NULL)
    return cg_v1_not_mounted ("freezer", frozen ? "pause" : "resume", err);
  for (int i = 0; i < 5000; i++)
    {
      /* Re-writing now and then kicks a freeze that raced with a fork. */
      if (i % 100 == 0 && cg_write (dir, "freezer.state", want, err) < 0)
        return -1;
      if (read_state (dir, state, err) < 0)
        return -1;
      if (strcmp (state, want) == 0)
        return 0;
      nanosleep (&pause, NULL);
    }
  if (frozen)
    {
      cleanup_error struct husk_error *e = NULL;
      cg_write (dir, "freezer.state", "THAWED", &e); /* never leave it half frozen */
    }
  return husk_error_set (err, ETIMEDOUT, "\"%s/freezer.state\" stays \"%s\", not \"%s\"", dir,
                         state, want);
}

int
cg_v1_is_frozen (struct husk_cgroup *cg, bool *frozen, struct husk_error **err)
{
  const char *dir = husk_cgroup_dir (cg, "freezer");
  char state[16];
  if (dir == NULL)
    return cg_v1_not_mounted ("freezer", "frozen state", err);
  if (read_state (dir, state, err) < 0)
    return -1;
  *frozen = strcmp (state, "THAWED") != 0;
  return 0;
}
