/* Becoming process.user with exactly process.capabilities, in the order
 * runc uses (libcontainer/init_linux.go finalizeNamespace):
 *   bounding set → KEEPCAPS → setgroups/setresgid/setresuid → no KEEPCAPS →
 *   effective/permitted/inheritable → ambient → umask.
 * The bounding set is cut first, while CAP_SETPCAP is surely held; the
 * KEEPCAPS flag keeps the permitted set across the switch away from uid 0
 * (the kernel clears it otherwise) so the wanted sets can be set after. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "identity.h"

/* Unknown names were logged as a warning by the parent; they, and a name
 * libcap knows but the running kernel does not (a newer capability), are
 * left out, as runc does. */
static uint64_t
mask_of (char *const *names, size_t len, int last_cap)
{
  uint64_t mask = 0;
  for (size_t i = 0; i < len; i++)
    {
      int cap = husk_cap_from_name (names[i]);
      if (cap >= 0 && cap <= last_cap && cap < 64)
        mask |= UINT64_C (1) << cap;
    }
  return mask;
}

static void
masks_of (const struct oci_capabilities *caps, int last_cap, struct husk_cap_sets *m)
{
  int keep = m->last_cap;

  memset (m, 0, sizeof *m);
  m->last_cap = keep;
  if (caps == NULL)
    return;
  m->bounding = mask_of (caps->bounding, caps->bounding_len, last_cap);
  m->effective = mask_of (caps->effective, caps->effective_len, last_cap);
  m->permitted = mask_of (caps->permitted, caps->permitted_len, last_cap);
  m->inheritable = mask_of (caps->inheritable, caps->inheritable_len, last_cap);
  m->ambient = mask_of (caps->ambient, caps->ambient_len, last_cap);
}

static int
drop_bounding (uint64_t keep, int last_cap, struct husk_error **err)
{
  for (int cap = 0; cap <= last_cap; cap++)
    {
      if (keep & (UINT64_C (1) << cap))
        continue;
      if (cap_drop_bound ((cap_value_t) cap) < 0 && errno != EINVAL)
        return husk_error_set (err, errno, "drop %s from the bounding set",
                               cap_to_name ((cap_value_t) cap));
    }
  return 0;
}

/* In a user namespace whose setgroups file says "deny" (unprivileged
 * mapping), setgroups(2) fails: nothing to drop, as runc treats it. */
static bool
setgroups_allowed (void)
{
  char buf[16] = "";
  cleanup_close int fd = open ("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return true;
  if (read (fd, buf, sizeof buf - 1) < 0)
    return true;
  return strncmp (buf, "deny", 4) != 0;
}

static int
switch_user (const struct oci_user *user, struct husk_error **err)
{
  if (setgroups_allowed ())
    {
      if (setgroups (user->additional_gids_len, user->additional_gids) < 0)
        return husk_error_set (err, errno, "setgroups (%zu additionalGids)",
                               user->additional_gids_len);
    }
  else if (user->additional_gids_len > 0)
    return husk_error_set (err, EPERM, "process.user.additionalGids: cannot be set: setgroups is denied in this user namespace");
  if (setresgid (user->gid, user->gid, user->gid) < 0)
    return husk_error_set (err, errno, "setresgid %u", user->gid);
  if (setresuid (user->uid, user->uid, user->uid) < 0)
    return husk_error_set (err, errno, "setresuid %u", user->uid);
  return 0;
}

static void
cap_freep (cap_t *c)
{
  if (*c)
    cap_free (*c);
}

static int
flags_from_mask (cap_t c, cap_flag_t flag, uint64_t mask, int last_cap)
{
  for (int cap = 0; cap <= last_cap; cap++)
    if (mask & (UINT64_C (1) << cap))
      {
        cap_value_t v = cap;
        if (cap_set_flag (c, flag, 1, &v, CAP_SET) < 0)
          return -1;
      }
  return 0;
}

static int
set_process_caps (const struct husk_cap_sets *m, int last_cap, struct husk_error **err)
{
  __attribute__ ((cleanup (cap_freep))) cap_t c = cap_init ();

  if (c == NULL)
    return husk_error_set (err, errno, "cap_init");
  if (flags_from_mask (c, CAP_EFFECTIVE, m->effective, last_cap) < 0
      || flags_from_mask (c, CAP_PERMITTED, m->permitted, last_cap) < 0
      || flags_from_mask (c, CAP_INHERITABLE, m->inheritable, last_cap) < 0)
    return husk_error_set (err, errno, "cap_set_flag");
  if (cap_set_proc (c) < 0)
    return husk_error_set (err, errno, "capset (effective %#llx, permitted %#llx, inheritable %#llx)%s",
                           (unsigned long long) m->effective, (unsigned long long) m->permitted,
                           (unsigned long long) m->inheritable,
                           errno == EPERM ? ": effective must be a subset of permitted" : "");
  return 0;
}

/* An ambient capability must also be permitted and inheritable; the kernel
 * refuses one that is not, and runc goes on with a warning: so do we,
 * without asking the kernel what it would refuse (`ambient` is already cut
 * to the permitted and inheritable sets just set). */
static void
raise_ambient (uint64_t ambient, int last_cap)
{
  /* one CLEAR_ALL: libcap's cap_reset_ambient() first asks IS_SET of
   * every capability, a prctl each */
  prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int cap = 0; cap <= last_cap; cap++)
    if (ambient & (UINT64_C (1) << cap))
      cap_set_ambient ((cap_value_t) cap, CAP_SET);
}

/* After the switch away from uid 0 the kernel cleared the effective set
 * (KEEPCAPS keeps only the permitted one): raise it back to the permitted
 * set, so that a seccomp filter can still be loaded without no_new_privs
 * (CAP_SYS_ADMIN) after everything else the runtime does. */
static int
permitted_to_effective (int last_cap, struct husk_error **err)
{
  __attribute__ ((cleanup (cap_freep))) cap_t c = cap_get_proc ();

  if (c == NULL)
    return husk_error_set (err, errno, "cap_get_proc");
  for (int cap = 0; cap <= last_cap; cap++)
    {
      cap_value_t v = cap;
      cap_flag_value_t on = CAP_CLEAR;
      if (cap_get_flag (c, v, CAP_PERMITTED, &on) == 0 && on == CAP_SET)
        cap_set_flag (c, CAP_EFFECTIVE, 1, &v, CAP_SET);
    }
  if (cap_set_proc (c) < 0)
    return husk_error_set (err, errno, "capset (effective = permitted)");
  return 0;
}

int
husk_identity_switch (const struct oci_process *process, struct husk_cap_sets *sets,
                      struct husk_error **err)
{
  sets->last_cap = (int) cap_max_bits () - 1;
  masks_of (process->capabilities, sets->last_cap, sets);
  if (drop_bounding (sets->bounding, sets->last_cap, err) < 0)
    return -1;
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return husk_error_set (err, errno, "prctl PR_SET_KEEPCAPS 1");
  if (switch_user (&process->user, err) < 0)
    return -1;
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return husk_error_set (err, errno, "prctl PR_SET_KEEPCAPS 0");
  /* runc's default when process.user.umask is absent. */
  umask (process->user.umask.set ? (mode_t) process->user.umask.value : 0022);
  return permitted_to_effective (sets->last_cap, err);
}

int
husk_identity_set_caps (const struct husk_cap_sets *sets, struct husk_error **err)
{
  if (set_process_caps (sets, sets->last_cap, err) < 0)
    return -1;
  raise_ambient (sets->ambient & sets->permitted & sets->inheritable, sets->last_cap);
  return 0;
}

int
husk_identity_apply (const struct oci_process *process, struct husk_error **err)
{
  struct husk_cap_sets sets;

  if (husk_identity_switch (process, &sets, err) < 0)
    return -1;
  return husk_identity_set_caps (&sets, err);
}
