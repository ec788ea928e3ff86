/* A container's image before its attempt is created, as the kubelet's
 * image manager does it (pkg/kubelet/images): imagePullPolicy decides
 * whether to pull; a failed pull is ErrImagePull, and the next attempts
 * wait out a back-off (10s doubling to 300s) as ImagePullBackOff.  Runs
 * on the sync's worker thread, so a slow pull blocks only this pod. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "jv.h"
#include "pod_sync.h"
#include "sandbox/image/registry.h"

#define PULL_BACKOFF_INITIAL 10.0
#define PULL_BACKOFF_MAX 300.0

static const char *
store_of (struct pod_sync *s)
{
  return s->env->image_store ? s->env->image_store : HUSK_IMAGE_STORE_DEFAULT;
}

static void
set_waiting (struct container_track *t, const char *reason, const char *message)
{
  if (t == NULL)
    return;
  free (t->waiting_reason);
  free (t->waiting_message);
  t->waiting_reason = reason ? strdup (reason) : NULL;
  t->waiting_message = message ? strdup (message) : NULL;
}

/* The default is api/defaults.c's: Always for :latest or no tag. */
static const char *
pull_policy (yajl_val c)
{
  return jv_str (c, "imagePullPolicy") ?: "IfNotPresent";
}

static double
wall_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool
pull_failed (struct pod_sync *s, struct container_track *t, const char *image, const char *fp,
             const char *why)
{
  char msg[1024];
  snprintf (msg, sizeof msg, "Failed to pull image \"%s\": %s", image, why);
  pod_sync_add_event (s, "Warning", "Failed", fp, "%s", msg);
  pod_sync_add_event (s, "Warning", "Failed", fp, "Error: ErrImagePull");
  set_waiting (t, "ErrImagePull", msg);
  if (t)
    {
      t->pull_backoff = t->pull_backoff == 0 ? PULL_BACKOFF_INITIAL
                        : t->pull_backoff * 2 > PULL_BACKOFF_MAX ? PULL_BACKOFF_MAX
                                                                 : t->pull_backoff * 2;
      t->pull_failed_at = wall_now ();
    }
  /* the next sync shows ImagePullBackOff, the one after the window pulls */
  s->next_delay = 1;
  return false;
}

/* Inside the back-off window after a failed pull: wait. */
static bool
backing_off (struct pod_sync *s, struct container_track *t, const char *image, const char *fp)
{
  double now = wall_now (), until;
  char msg[600];
  if (t == NULL || t->pull_backoff == 0 || now >= (until = t->pull_failed_at + t->pull_backoff))
    return false;
  snprintf (msg, sizeof msg, "Back-off pulling image \"%s\"", image);
  if (!t->waiting_reason || strcmp (t->waiting_reason, "ImagePullBackOff"))
    {
      pod_sync_add_event (s, "Normal", "BackOff", fp, "%s", msg);
      pod_sync_add_event (s, "Warning", "Failed", fp, "Error: ImagePullBackOff");
    }
  set_waiting (t, "ImagePullBackOff", msg);
  s->next_delay = until - now < 1 ? 1 : until - now;
  return true;
}

bool
pod_image_ensure (struct pod_sync *s, yajl_val c, const char *fp)
{
  const char *image = jv_str (c, "image") ?: "";
  const char *policy = pull_policy (c);
  struct container_track *t = pod_sync_track (s, jv_str (c, "name"));
  cleanup_free char *present = NULL;
  cleanup_error struct husk_error *err = NULL;
  struct husk_pull_result res;

  bool may_use_local = !strcmp (policy, "IfNotPresent") || !strcmp (policy, "Never");
  if (image[0] == '/'
      || (may_use_local && (present = husk_image_local_digest (store_of (s), image))))
    {
      pod_sync_add_event (s, "Normal", "Pulled", fp,
                          "Container image \"%s\" already present on machine", image);
      set_waiting (t, NULL, NULL);
      return true;
    }
  if (!strcmp (policy, "Never"))
    {
      char msg[600];
      snprintf (msg, sizeof msg,
                "Container image \"%s\" is not present with pull policy of Never", image);
      if (!t || !t->waiting_reason || strcmp (t->waiting_reason, "ErrImageNeverPull"))
        {
          pod_sync_add_event (s, "Warning", "ErrImageNeverPull", fp, "%s", msg);
          pod_sync_add_event (s, "Warning", "Failed", fp, "Error: ErrImageNeverPull");
        }
      set_waiting (t, "ErrImageNeverPull", msg);
      s->next_delay = 10;
      return false;
    }
  if (backing_off (s, t, image, fp))
    return false;
  pod_sync_add_event (s, "Normal", "Pulling", fp, "Pulling image \"%s\"", image);
  if (husk_image_pull_configured (store_of (s), s->registry_config, image, NULL, &res, &err) < 0)
    return pull_failed (s, t, image, fp, err->message);
  pod_sync_add_event (s, "Normal", "Pulled", fp,
                      "Successfully pulled image \"%s\" in %.3fs (%.3fs including waiting). "
                      "Image size: %llu bytes.",
                      image, res.seconds, res.seconds, (unsigned long long) res.size);
  husk_pull_result_free (&res);
  set_waiting (t, NULL, NULL);
  if (t)
    t->pull_backoff = 0;
  return true;
}

char *
pod_image_id (struct pod_sync *s, const char *image)
{
  struct husk_image_ref ref;
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *digest = NULL, *repo = NULL;

  if (image == NULL || image[0] == '/' || husk_image_ref_parse (image, &ref, &err) < 0)
    return NULL;
  repo = husk_image_ref_repository (&ref);
  digest = ref.digest ? strdup (ref.digest) : husk_image_local_digest (store_of (s), image);
  husk_image_ref_clear (&ref);
  if (repo == NULL || digest == NULL)
    return NULL;
  char *out = NULL;
  return asprintf (&out, "%s@%s", repo, digest) < 0 ? NULL : out;
}
