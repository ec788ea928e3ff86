/* Events as the kubelet records them for a pod (Scheduled, Pulled,
 * Created, Started, Killing, Unhealthy, BackOff, FailedCreate...): one
 * Event object per (pod, reason, message), whose count and lastTimestamp
 * grow when it repeats, as the client-go event correlator aggregates.
 * Events expire as kube-apiserver expires them (--event-ttl, default 1 h,
 * counted from lastTimestamp), and at most API_EVENTS_MAX are kept (the
 * oldest go first, a tenth of the cap at a time): a busy huskd's memory
 * does not grow with its past. */
#ifndef HUSK_API_EVENTS_H
#define HUSK_API_EVENTS_H

#include <yajl/yajl_tree.h>

#include "error.h"
#include "store.h"

/* type: "Normal" or "Warning".  field_path: "spec.containers{web}" or NULL. */
int api_event_record (struct api_store *store, yajl_val pod, const char *type,
                      const char *reason, const char *field_path, const char *message,
                      struct husk_error **err);

#define API_EVENTS_TTL_DEFAULT 3600
#define API_EVENTS_MAX 1000

/* Deletes the events last seen more than ttl_seconds ago (none when
 * ttl_seconds <= 0), then the oldest until at most `max` are left.
 * Returns how many went. */
size_t api_events_expire (struct api_store *store, double ttl_seconds, size_t max);

#endif
