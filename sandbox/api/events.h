/* Events as the kubelet records them for a pod (Scheduled, Pulled,
 * Created, Started, Killing, Unhealthy, BackOff, FailedCreate...): one
 * Event object per (pod, reason, message), whose count and lastTimestamp
 * grow when it repeats, as the client-go event correlator aggregates. */
#ifndef HUSK_API_EVENTS_H
#define HUSK_API_EVENTS_H

#include <yajl/yajl_tree.h>

#include "error.h"
#include "store.h"

/* type: "Normal" or "Warning".  field_path: "spec.containers{web}" or NULL. */
int api_event_record (struct api_store *store, yajl_val pod, const char *type,
                      const char *reason, const char *field_path, const char *message,
                      struct husk_error **err);

#endif
