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
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../oci/spec_names.h"
#include "cleanup.h"
#include "identity.h"

/* The sets go to the kernel with capget/capset directly, without libcap:
 * its start-up asks the kernel for the number of capabilities (six prctl
 * calls in every start of every husk command), and each of its
 * cap_get_proc/cap_set_proc asks the kernel's ABI version first. */
struct cap_data {
  struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
};

static int
cap_get (struct cap_data *c)
{
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
  return (int) syscall (SYS_capget, &h, c->d);
}

static int
cap_set (const struct cap_data *c)
{
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
  return (int) syscall (SYS_capset, &h, c->d);
}

static uint64_t
cap_field (const struct cap_data *c, size_t offset)
{
  uint32_t lo, hi;
  memcpy (&lo, (const char *) &c->d[0] + offset, sizeof lo);
  memcpy (&hi, (const char *) &c->d[1] + offset, sizeof hi);
  return (uint64_t) hi << 32 | lo;
}

static void
cap_field_set (struct cap_data *c, size_t offset, uint64_t mask)
{
  uint32_t lo = (uint32_t) mask, hi = (uint32_t) (mask >> 32);
  memcpy ((char *) &c->d[0] + offset, &lo, sizeof lo);
  memcpy ((char *) &c->d[1] + offset, &hi, sizeof hi);
}

#define EFFECTIVE offsetof (struct __user_cap_data_struct, effective)
#define PERMITTED offsetof (struct __user_cap_data_struct, permitted)
#define INHERITABLE offsetof (struct __user_cap_data_struct, inheritable)

static const char *
cap_name (int cap)
{
  return cap <= OCI_CAP_LAST ? oci_names_capabilities[cap] : "a capability newer than husk";
}

/* Unknown names were logged as a warning by the parent; they, and a name
 * husk knows but the running kernel does not (a newer capability), are
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

/* Cuts the bounding set to `keep`, and finds the highest capability the
 * running kernel knows (*last_cap) on the way: ours (OCI_CAP_LAST) on a
 * current kernel, more on a newer one (asked above ours: they must go
 * too), fewer on an older one (the first drop it refuses as unknown).  A
 * kept capability above the last drop that worked is asked for. */
static int
drop_bounding (uint64_t keep, int *last_cap, struct husk_error **err)
{
  int last = OCI_CAP_LAST, proven = -1;

  while (last < 63 && prctl (PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
    last++;
  for (int cap = 0; cap <= last; cap++)
    {
      if (keep & (UINT64_C (1) << cap))
        continue;
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
        {
          proven = cap;
          continue;
        }
      if (errno != EINVAL)
        return husk_error_set (err, errno, "drop %s (%d) from the bounding set",
                               cap_name (cap), cap);
      last = cap - 1; /* this one and all above are unknown here */
      break;
    }
  while (last > proven && prctl (PR_CAPBSET_READ, last, 0, 0, 0) < 0)
    last--;
  *last_cap = last;
  return 0;
}

/* In a user namespace whose setgroups file says "deny" (unprivileged
 * mapping), setgroups(2) fails: nothing to drop, as runc treats it.  The
 * file is read only when setgroups was refused (everywhere else it says
 * "allow": three calls fewer). */
static bool
setgroups_denied (void)
{
  char buf[16] = "";
  cleanup_close int fd = open ("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

  if (fd < 0 || read (fd, buf, sizeof buf - 1) < 0)
    return false;
  return strncmp (buf, "deny", 4) == 0;
}

static int
switch_user (const struct oci_user *user, struct husk_error **err)
{
  if (setgroups (user->additional_gids_len, user->additional_gids) < 0)
    {
      int saved = errno;
      if (saved != EPERM || !setgroups_denied ())
        return husk_error_set (err, saved, "setgroups (%zu additionalGids)",
                               user->additional_gids_len);
      if (user->additional_gids_len > 0)
        return husk_error_set (err, EPERM, "process.user.additionalGids: cannot be set: setgroups is denied in this user namespace");
    }
  if (setresgid (user->gid, user->gid, user->gid) < 0)
    return husk_error_set (err, errno, "setresgid %u", user->gid);
  if (setresuid (user->uid, user->uid, user->uid) < 0)
    return husk_error_set (err, errno, "setresuid %u", user->uid);
  return 0;
}

static int
set_process_caps (const struct husk_cap_sets *m, struct husk_error **err)
{
  struct cap_data c = { 0 };

  cap_field_set (&c, EFFECTIVE, m->effective);
  cap_field_set (&c, PERMITTED, m->permitted);
  cap_field_set (&c, INHERITABLE, m->inheritable);
  if (cap_set (&c) < 0)
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
  prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int cap = 0; cap <= last_cap; cap++)
    if (ambient & (UINT64_C (1) << cap))
      prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
}

/* After the switch away from uid 0 the kernel cleared the effective set
 * (KEEPCAPS keeps only the permitted one): raise it back to the permitted
 * set, so that a seccomp filter can still be loaded without no_new_privs
 * (CAP_SYS_ADMIN) after everything else the runtime does. */
static int
permitted_to_effective (struct husk_error **err)
{
  struct cap_data c;

  if (cap_get (&c) < 0)
    return husk_error_set (err, errno, "capget");
  cap_field_set (&c, EFFECTIVE, cap_field (&c, PERMITTED));
  if (cap_set (&c) < 0)
    return husk_error_set (err, errno, "capset (effective = permitted)");
  return 0;
}

int
husk_identity_switch (const struct oci_process *process, struct husk_cap_sets *sets,
                      struct husk_error **err)
{
  /* every set as named first, then cut to what the kernel knows */
  sets->last_cap = 63;
  masks_of (process->capabilities, 63, sets);
  if (drop_bounding (sets->bounding, &sets->last_cap, err) < 0)
    return -1;
  masks_of (process->capabilities, sets->last_cap, sets);
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return husk_error_set (err, errno, "prctl PR_SET_KEEPCAPS 1");
  if (switch_user (&process->user, err) < 0)
    return -1;
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return husk_error_set (err, errno, "prctl PR_SET_KEEPCAPS 0");
  /* runc's default when process.user.umask is absent. */
  umask (process->user.umask.set ? (mode_t) process->user.umask.value : 0022);
  return permitted_to_effective (err);
}

int
husk_identity_set_caps (const struct husk_cap_sets *sets, struct husk_error **err)
{
  if (set_process_caps (sets, err) < 0)
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
