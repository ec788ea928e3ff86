/* The systemd driver's D-Bus calls, through sd-bus of libsystemd (see
 * sd.h).  One connection per handle, made on first use: a CLI command
 * makes at most a few calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sd_api.h"

#include "../../../oci/cleanup.h"
#include "sd.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_PRIVATE "unix:path=/run/systemd/private"
#define SD_SYSTEM_BUS "unix:path=/run/dbus/system_bus_socket"
/* as runc: how long a job may take before we give up */
#define SD_JOB_TIMEOUT_USEC (30ull * 1000 * 1000)

static void
bus_unrefp (sd_bus_message **m)
{
  sd_bus_message_unref (*m);
}
#define cleanup_msg __attribute__ ((cleanup (bus_unrefp)))

static void
bus_error_freep (sd_bus_error *e)
{
  sd_bus_error_free (e);
}
#define cleanup_bus_error __attribute__ ((cleanup (bus_error_freep)))

static int
connect_to (const char *address, sd_bus **out)
{
  sd_bus *bus = NULL;
  int r = sd_bus_new (&bus);
  if (r < 0)
    return r;
  if ((r = sd_bus_set_address (bus, address)) < 0
      || (r = sd_bus_set_bus_client (bus, strcmp (address, SD_PRIVATE) != 0)) < 0
      || (r = sd_bus_start (bus)) < 0)
    {
      sd_bus_unref (bus);
      return r;
    }
  *out = bus;
  return 0;
}

int
cg_sd_connect (struct cg_systemd *sd, struct husk_error **err)
{
  const char *system_bus = getenv ("DBUS_SYSTEM_BUS_ADDRESS");
  int r_private = -ENOENT, r_system;

  if (sd->bus)
    return 0;
  if (cg_sd_load (err) < 0)
    return -1;
  if (system_bus == NULL || *system_bus == '\0')
    system_bus = SD_SYSTEM_BUS;
  /* As root, systemctl talks to systemd directly: no dbus-daemon between,
   * one hop less per call. */
  if (geteuid () == 0 && (r_private = connect_to (SD_PRIVATE, &sd->bus)) == 0)
    return 0;
  if ((r_system = connect_to (system_bus, &sd->bus)) == 0)
    return 0;
  sd->bus = NULL;
  return husk_error_set (err, -r_system,
                         "--systemd-cgroup: no systemd to talk to (is systemd pid 1?): connect "
                         SD_PRIVATE ": %s; connect %s",
                         strerror (-r_private), system_bus);
}

/* "org.freedesktop.systemd1.NoSuchUnit: Unit x.scope not loaded." */
static int
bus_fail (struct husk_error **err, int r, const sd_bus_error *e, const char *what,
          const char *unit)
{
  if (e && sd_bus_error_is_set (e))
    return husk_error_set (err, sd_bus_error_get_errno (e), "systemd: %s %s: %s%s%s", what, unit,
                           e->name, e->message ? ": " : "", e->message ? e->message : "");
  return husk_error_set (err, -r, "systemd: %s %s", what, unit);
}

struct job_wait {
  const char *path; /* the job we wait for */
  char *result;     /* "done", "failed", "canceled", "timeout", "dependency" */
};

static int
on_job_removed (sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
  struct job_wait *w = userdata;
  const char *path = NULL, *unit = NULL, *result = NULL;
  uint32_t id;
  if (sd_bus_message_read (m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->path && strcmp (path, w->path) == 0 && w->result == NULL)
    w->result = strdup (result);
  return 0;
}

static uint64_t
now_usec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* Processes the bus until the JobRemoved of w->path came (the signal may
 * already be queued behind the reply: sd_bus_call keeps such messages). */
static int
wait_job (sd_bus *bus, struct job_wait *w, const char *what, const char *unit,
          struct husk_error **err)
{
  uint64_t deadline = now_usec () + SD_JOB_TIMEOUT_USEC;
  while (w->result == NULL)
    {
      uint64_t now = now_usec ();
      int r = sd_bus_process (bus, NULL);
      if (r < 0)
        return bus_fail (err, r, NULL, what, unit);
      if (r > 0)
        continue;
      if (now >= deadline)
        return husk_error_set (err, ETIMEDOUT, "systemd: %s %s: no answer in %llu s", what, unit,
                               SD_JOB_TIMEOUT_USEC / 1000000);
      r = sd_bus_wait (bus, deadline - now);
      if (r < 0)
        return bus_fail (err, r, NULL, what, unit);
    }
  return 0;
}

static int
subscribe (struct cg_systemd *sd, sd_bus_slot **slot, struct job_wait *w, struct husk_error **err)
{
  int r = sd_bus_match_signal (sd->bus, slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved",
                               on_job_removed, w);
  if (r < 0)
    return bus_fail (err, r, NULL, "subscribe to JobRemoved for", sd->unit.unit);
  /* On the system bus systemd sends job signals to subscribers only (a
   * direct connection gets them all). */
  if (sd_bus_is_bus_client (sd->bus) > 0)
    sd_bus_call_method (sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", NULL, NULL, "");
  return 0;
}

static int
append_start_props (sd_bus_message *m, const struct cg_systemd *sd, enum husk_cgroup_mode mode,
                    pid_t pid, struct husk_error **err)
{
  size_t n = strlen (sd->unit.unit);
  bool is_slice = n > 6 && strcmp (sd->unit.unit + n - 6, ".slice") == 0;
  int r;

  r = sd_bus_message_append (m, "(sv)", "Description", "s", sd->description);
  /* a slice unit hangs under its parent through Wants=, a scope Slice= */
  if (r >= 0 && is_slice)
    r = sd_bus_message_append (m, "(sv)", "Wants", "as", 1, sd->unit.slice);
  else if (r >= 0)
    r = sd_bus_message_append (m, "(sv)", "Slice", "s", sd->unit.slice);
  if (r >= 0 && !is_slice)
    r = sd_bus_message_append (m, "(sv)", "Delegate", "b", 1);
  if (r >= 0 && pid > 0)
    r = sd_bus_message_append (m, "(sv)", "PIDs", "au", 1, (uint32_t) pid);
  /* Always accounting, as runc: the controllers exist from the start, and
   * joining a memory cgroup later has had kernel trouble. */
  if (r >= 0)
    r = sd_bus_message_append (m, "(sv)(sv)(sv)(sv)(sv)", "MemoryAccounting", "b", 1,
                               "CPUAccounting", "b", 1,
                               mode == HUSK_CGROUP_V2 ? "IOAccounting" : "BlockIOAccounting", "b",
                               1, "TasksAccounting", "b", 1, "DefaultDependencies", "b", 0);
  if (r < 0)
    return husk_error_set (err, -r, "systemd: properties of %s", sd->unit.unit);
  return cg_sd_append_resources (m, mode, sd->resources, false, err);
}

/* One StartTransientUnit and its job: 0 done; -1 *err set before the
 * call; -2 *err set, the job failed; 1 the call failed: `e` and *call_r
 * say why. */
static int
start_once (struct cg_systemd *sd, enum husk_cgroup_mode mode, pid_t pid, sd_bus_error *e,
            int *call_r, struct husk_error **err)
{
  cleanup_msg sd_bus_message *m = NULL, *reply = NULL;
  struct job_wait w = { 0 };
  sd_bus_slot *slot = NULL;
  const char *job = NULL;
  int r;

  if (subscribe (sd, &slot, &w, err) < 0)
    return -1;
  r = sd_bus_message_new_method_call (sd->bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
                                      "StartTransientUnit");
  if (r >= 0)
    r = sd_bus_message_append (m, "ss", sd->unit.unit, "replace");
  if (r >= 0)
    r = sd_bus_message_open_container (m, 'a', "(sv)");
  if (r < 0 || append_start_props (m, sd, mode, pid, err) < 0)
    {
      sd_bus_slot_unref (slot);
      return r < 0 ? bus_fail (err, r, NULL, "start", sd->unit.unit) : -1;
    }
  r = sd_bus_message_close_container (m);
  if (r >= 0)
    r = sd_bus_message_append (m, "a(sa(sv))", 0);
  if (r >= 0)
    r = sd_bus_call (sd->bus, m, 0, e, &reply);
  if (r >= 0)
    r = sd_bus_message_read (reply, "o", &job);
  if (r < 0)
    {
      sd_bus_slot_unref (slot);
      *call_r = r; /* the caller reads `e` (UnitExists is retried) */
      return 1;
    }
  w.path = job;
  r = wait_job (sd->bus, &w, "start", sd->unit.unit, err);
  sd_bus_slot_unref (slot);
  if (r < 0)
    return -2;
  if (strcmp (w.result, "done") != 0)
    {
      husk_error_set (err, EIO, "systemd: start %s: job %s (see `journalctl -u %s`)",
                      sd->unit.unit, w.result, sd->unit.unit);
      free (w.result);
      return -2;
    }
  free (w.result);
  return 0;
}

static void
reset_failed (struct cg_systemd *sd)
{
  sd_bus_call_method (sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", NULL, NULL, "s",
                      sd->unit.unit);
}

int
cg_sd_start (struct cg_systemd *sd, enum husk_cgroup_mode mode, pid_t pid,
             struct husk_error **err)
{
  if (cg_sd_connect (sd, err) < 0)
    return -1;
  for (int attempt = 0;; attempt++)
    {
      cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
      int call_r = 0;
      int r = start_once (sd, mode, pid, &e, &call_r, err);
      if (r == 0)
        {
          sd->started = true;
          return 0;
        }
      if (r == -1 || r == -2)
        {
          /* a job that failed leaves a failed unit behind: not ours to keep */
          if (r == -2)
            reset_failed (sd);
          return -1;
        }
      /* A leftover failed unit of the same name: reset it, try once more
       * (runc does the same). */
      if (attempt == 0 && sd_bus_error_has_name (&e, "org.freedesktop.systemd1.UnitExists"))
        {
          reset_failed (sd);
          continue;
        }
      return bus_fail (err, call_r, &e, "StartTransientUnit", sd->unit.unit);
    }
}

int
cg_sd_set (struct cg_systemd *sd, enum husk_cgroup_mode mode, const struct oci_resources *r,
           struct husk_error **err)
{
  cleanup_msg sd_bus_message *m = NULL;
  cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
  int k;

  if (cg_sd_connect (sd, err) < 0)
    return -1;
  k = sd_bus_message_new_method_call (sd->bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
                                      "SetUnitProperties");
  if (k >= 0)
    k = sd_bus_message_append (m, "sb", sd->unit.unit, 1);
  if (k >= 0)
    k = sd_bus_message_open_container (m, 'a', "(sv)");
  if (k < 0)
    return bus_fail (err, k, NULL, "SetUnitProperties", sd->unit.unit);
  if (cg_sd_append_resources (m, mode, r, true, err) < 0)
    return -1;
  k = sd_bus_message_close_container (m);
  if (k >= 0)
    k = sd_bus_call (sd->bus, m, 0, &e, NULL);
  if (k < 0)
    return bus_fail (err, k, &e, "SetUnitProperties", sd->unit.unit);
  return 0;
}

int
cg_sd_stop (struct cg_systemd *sd, struct husk_error **err)
{
  cleanup_msg sd_bus_message *reply = NULL;
  cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
  struct job_wait w = { 0 };
  sd_bus_slot *slot = NULL;
  const char *job = NULL;
  int r;

  if (cg_sd_connect (sd, err) < 0 || subscribe (sd, &slot, &w, err) < 0)
    return -1;
  r = sd_bus_call_method (sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", &e, &reply, "ss",
                          sd->unit.unit, "replace");
  if (r >= 0 && sd_bus_message_read (reply, "o", &job) >= 0)
    {
      w.path = job;
      r = wait_job (sd->bus, &w, "stop", sd->unit.unit, err);
      free (w.result);
    }
  else if (sd_bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit"))
    r = 0; /* gone with its last process: systemd collects empty scopes */
  else
    r = bus_fail (err, r, &e, "StopUnit", sd->unit.unit);
  sd_bus_slot_unref (slot);
  /* a unit that failed stays listed until reset */
  reset_failed (sd);
  return r < 0 ? -1 : 0;
}

void
cg_sd_free (struct cg_systemd *sd)
{
  if (sd == NULL)
    return;
  husk_systemd_unit_clear (&sd->unit);
  free (sd->spec);
  free (sd->description);
  if (sd->bus)
    sd_bus_flush_close_unref (sd->bus);
  free (sd);
}

bool
husk_cgroup_systemd_built (void)
{
  return true;
}
