/* Events as the kubelet records them for a pod (Scheduled, Pulled,
 * Created, Started, Killing, Unhealthy, BackOff, FailedCreate...): one
 * Event object per (pod, reason, message), whose count and lastTimestamp
 * grow when it repeats, as the client-go event correlator aggregates.
 * Events expire as kube-apiserver expires them (--event-ttl, default 1 h,
 * counted from lastTimestamp), and at most API_EVENTS_MAX, of at most
 * API_EVENTS_MAX_BYTES of JSON, are kept (the oldest go first, a tenth of
 * the cap at a time): a busy huskd's memory does not grow with its past.
 * kube-apiserver keeps events in etcd, huskd in memory, as yajl trees of
 * about six times their JSON: 1,000 events were 3.8 MB of huskd's heap
 * (malloc_stats, 2026-12-07), hence the cap in bytes.  64 KiB is about
 * 95 events (the lives of some 20 pods) and 0.45 MB of heap: huskd's RSS
 * was 1.2 MB over fresh after 1,500 pod cycles (issue 12's bound: 2 MB). */
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
#define API_EVENTS_MAX_BYTES (64 * 1024)

/* Deletes the events last seen more than ttl_seconds ago (none when
 * ttl_seconds <= 0), then the oldest until at most `max` of at most
 * max_bytes of JSON are left.  Returns how many went. */
size_t api_events_expire (struct api_store *store, double ttl_seconds, size_t max,
                          size_t max_bytes);

#endif
