/* One sync of one pod, run on a worker thread: what the kubelet's syncPod
 * does, over the pod sandbox library.  The input is a copy of the Pod and
 * the per-container memory the controller keeps (back-off, probe
 * counters); the output is the Pod's new status and the events to record.
 * Nothing here touches the store or the event loop. */
#ifndef HUSK_HUSKD_POD_SYNC_H
#define HUSK_HUSKD_POD_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "probe.h"
#include "sandbox/pod/sandbox.h"

struct sync_event {
  char *type, *reason, *field_path, *message;
};

enum probe_kind { PROBE_LIVENESS, PROBE_READINESS, PROBE_STARTUP, PROBE_KINDS };

struct probe_track {
  double last_run;
  int successes, failures;
  bool ok; /* the current result after thresholds */
};

/* What the controller remembers per container between syncs. */
struct container_track {
  char *name;
  double backoff;      /* seconds; 0: the next restart is immediate */
  unsigned attempt;    /* of the attempt the probe state belongs to */
  bool backoff_announced;
  char *image;         /* the image the running attempt was started for */
  char *config_error;  /* why its env could not be made (CreateContainerConfigError) */
  /* image pulls: kubelet's back-off, and why the container waits */
  double pull_backoff, pull_failed_at;
  char *waiting_reason, *waiting_message;
  struct probe_track probes[PROBE_KINDS];
};

struct pod_sync {
  const struct husk_sandbox_env *env;
  yajl_val pod;           /* a copy, owned */
  char *sandbox_id;       /* in and out */
  bool deleting;
  bool stopped;           /* huskctl stop: containers stopped, no restarts */
  bool deadline_exceeded; /* activeDeadlineSeconds passed: stopped, Failed */
  long long grace;
  const char *registry_config; /* NULL: HUSK_REGISTRY_CONFIG_DEFAULT */
  struct container_track *tracks; /* owned by the controller, lent for the sync */
  yajl_val refs;                  /* the ConfigMaps and Secrets it names, owned */
  const char *volumes_root;       /* huskd's dir of projected volumes */
  size_t n_tracks;
  /* results */
  yajl_val status;
  char *pod_ip;
  struct sync_event *events;
  size_t n_events;
  bool gone;              /* sandbox removed: delete the object */
  /* hands the events so far to the event loop now (NULL: at the end) */
  void (*post_events) (struct pod_sync *s);
  double next_delay;      /* seconds until the next sync */
};

void pod_sync_run (struct pod_sync *s);
void pod_sync_add_event (struct pod_sync *s, const char *type, const char *reason,
                         const char *field_path, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));
/* Before a call that blocks (a stop waits out the grace period): the
 * events so far are recorded now, as kubelet records Killing when the
 * kill starts. */
void pod_sync_flush_events (struct pod_sync *s);
struct container_track *pod_sync_track (struct pod_sync *s, const char *name);
void pod_sync_clear (struct pod_sync *s);

/* What was observed of one spec container: its latest attempt and the one
 * before (for lastState). */
struct observed {
  bool has_latest, has_prev;
  struct husk_pod_container_status latest, prev;
};

/* pod_image.c: the container's image per its imagePullPolicy, pulled
 * with kubelet's events and back-off; false when the container must wait
 * (the reason is in its track). */
bool pod_image_ensure (struct pod_sync *s, yajl_val c, const char *field_path);
/* "docker.io/library/busybox@sha256:..." for status.imageID ("" when
 * unknown); malloc'd. */
char *pod_image_id (struct pod_sync *s, const char *image);

/* pod_status.c: the Pod status from the observations. */
yajl_val pod_status_build (struct pod_sync *s, struct observed *init, size_t n_init,
                           struct observed *regular, size_t n, bool initialized,
                           bool init_failed);
void pod_format_time (long long ns, char buf[40]);

/* pod_probes.c: runs the due probes of a running container; returns false
 * when liveness (or startup) failed for good and the container must be
 * restarted. */
bool pod_probes_run (struct pod_sync *s, yajl_val container, const struct observed *o,
                     const char *netns);

/* One run of one probe's handler, thresholds aside (for POST .../probe). */
enum husk_probe_result pod_probe_once (struct pod_sync *s, yajl_val c, yajl_val probe,
                                       const char *id, const char *netns, char **output);

#endif
