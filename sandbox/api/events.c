#include "events.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "jv.h"
#include "table.h"

static bool
same_event (yajl_val e, const char *uid, const char *reason, const char *message)
{
  const char *u = jv_str (jv_get (e, "involvedObject"), "uid");
  const char *r = jv_str (e, "reason"), *m = jv_str (e, "message");
  return u && r && m && !strcmp (u, uid) && !strcmp (r, reason) && !strcmp (m, message);
}

/* The event of the same (pod uid, reason, message), if one is kept.  Event
 * names start with the pod's name ("<pod>.<hex time>", as kube names
 * them), so only that pod's events are looked at, not all of them. */
static yajl_val
find_same (struct api_store *store, const char *ns, const char *pod, const char *uid,
           const char *reason, const char *message)
{
  char prefix[320];
  size_t n;
  snprintf (prefix, sizeof prefix, "%s.", pod);
  cleanup_free yajl_val *events = api_store_list_prefix (store, "events", ns, prefix, &n);
  for (size_t i = 0; i < n; i++)
    if (same_event (events[i], uid, reason, message))
      return events[i];
  return NULL;
}

static yajl_val
new_event (yajl_val pod, const char *type, const char *reason, const char *field_path,
           const char *message, const char *now)
{
  yajl_val meta = jv_get (pod, "metadata");
  yajl_val e = jv_object (), m = jv_obj_at (e, "metadata"), io, src;
  struct timespec ts;
  char name[320];
  clock_gettime (CLOCK_REALTIME, &ts);
  snprintf (name, sizeof name, "%s.%llx", jv_str (meta, "name"),
            (unsigned long long) ts.tv_sec * 1000000000ull + (unsigned long long) ts.tv_nsec);
  jv_set (e, "kind", jv_string ("Event"));
  jv_set (e, "apiVersion", jv_string ("v1"));
  jv_set (m, "name", jv_string (name));
  jv_set (m, "namespace", jv_string (jv_str (meta, "namespace")));
  io = jv_obj_at (e, "involvedObject");
  jv_set (io, "kind", jv_string ("Pod"));
  jv_set (io, "namespace", jv_string (jv_str (meta, "namespace")));
  jv_set (io, "name", jv_string (jv_str (meta, "name")));
  jv_set (io, "uid", jv_string (jv_str (meta, "uid")));
  jv_set (io, "apiVersion", jv_string ("v1"));
  if (field_path)
    jv_set (io, "fieldPath", jv_string (field_path));
  jv_set (e, "reason", jv_string (reason));
  jv_set (e, "message", jv_string (message));
  src = jv_obj_at (e, "source");
  jv_set (src, "component", jv_string (strcmp (reason, "Scheduled") ? "kubelet"
                                                                     : "default-scheduler"));
  jv_set (e, "firstTimestamp", jv_string (now));
  jv_set (e, "lastTimestamp", jv_string (now));
  jv_set (e, "count", jv_int (1));
  jv_set (e, "type", jv_string (type));
  jv_set (e, "reportingComponent", jv_string ("huskd"));
  return e;
}

struct aged {
  double last;
  yajl_val event;
};

static int
oldest_first (const void *a, const void *b)
{
  const struct aged *x = a, *y = b;
  return x->last < y->last ? -1 : x->last > y->last;
}

static void
delete_event (struct api_store *store, yajl_val event)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val meta = jv_get (event, "metadata");
  cleanup_free char *ns = strdup (jv_str (meta, "namespace") ?: "");
  cleanup_free char *name = strdup (jv_str (meta, "name") ?: "");
  if (ns && name)
    api_store_delete (store, "events", ns, name, &err);
}

size_t
api_events_expire (struct api_store *store, double ttl_seconds, size_t max, size_t max_bytes)
{
  size_t n, kept, removed = 0;
  double now = api_now ();
  cleanup_free yajl_val *events = api_store_list (store, "events", NULL, &n);
  cleanup_free struct aged *aged = calloc (n + 1, sizeof *aged);

  if (aged == NULL)
    return 0;
  for (size_t i = 0; i < n; i++)
    aged[i] = (struct aged) { api_parse_timestamp (jv_str (events[i], "lastTimestamp")), events[i] };
  qsort (aged, n, sizeof *aged, oldest_first);
  kept = n;
  for (size_t i = 0; i < n; i++)
    if ((ttl_seconds > 0 && now - aged[i].last > ttl_seconds) || kept > max
        || api_store_bytes (store, "events") > max_bytes)
      {
        delete_event (store, aged[i].event); /* frees it: the array holds no other reference */
        kept--;
        removed++;
      }
  return removed;
}

int
api_event_record (struct api_store *store, yajl_val pod, const char *type, const char *reason,
                  const char *field_path, const char *message, struct husk_error **err)
{
  yajl_val meta = jv_get (pod, "metadata");
  const char *ns = jv_str (meta, "namespace"), *uid = jv_str (meta, "uid");
  yajl_val same = uid ? find_same (store, ns, jv_str (meta, "name") ?: "", uid, reason, message)
                      : NULL,
           e;
  char now[32];
  long long count = 1;

  api_timestamp (now, api_now ());
  if (same)
    {
      e = jv_copy (same);
      jv_int_of (e, "count", &count);
      jv_set (e, "count", jv_int (count + 1));
      jv_set (e, "lastTimestamp", jv_string (now));
    }
  else
    {
      /* the new one makes room for itself: at the cap the oldest go, a
       * tenth at once, so a busy huskd sorts its events once per hundred
       * new ones and not for each */
      if (api_store_count (store, "events", NULL) >= API_EVENTS_MAX
          || api_store_bytes (store, "events") >= API_EVENTS_MAX_BYTES)
        api_events_expire (store, 0, API_EVENTS_MAX - API_EVENTS_MAX / 10,
                           API_EVENTS_MAX_BYTES - API_EVENTS_MAX_BYTES / 10);
      e = new_event (pod, type, reason, field_path, message, now);
    }
  return api_store_put (store, "events", e, false, NULL, err);
}
