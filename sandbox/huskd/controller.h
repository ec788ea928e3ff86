/* The pod controller: huskd's kubelet.  For every Pod in the store it
 * drives the pod sandbox (sandbox/pod/sandbox.h) towards the spec: sandbox
 * up, init containers in order, containers created and started, postStart
 * hooks, restarts with back-off per restartPolicy, graceful termination
 * with preStop hooks, and it writes what it observes back as the Pod's
 * status (phase, conditions, containerStatuses) and as Events.
 *
 * The sandbox calls block (a stop waits out a grace period), so each pod's
 * sync runs on a small pool of worker threads, one sync per pod at a time;
 * the event loop only schedules syncs (a libevent timer per pod) and
 * applies their results to the store.  The truth is on disk (the holder
 * records exits), so a restarted huskd finds every pod again. */
#ifndef HUSK_HUSKD_CONTROLLER_H
#define HUSK_HUSKD_CONTROLLER_H

#include "huskd.h"

int huskd_controller_new (struct huskd *d, struct huskd_controller **out,
                          struct husk_error **err);
void huskd_controller_free (struct huskd_controller *c);

/* Schedules a sync of one pod now (after create, update or delete). */
void huskd_controller_kick (struct huskd_controller *c, const char *ns, const char *name);
/* Deletes every pod of a namespace, then the namespace itself. */
void huskd_controller_delete_namespace (struct huskd_controller *c, const char *ns);

struct hreq;
/* husk endpoints answered from the controller's knowledge of the sandbox;
 * each sends the answer (possibly later, from a worker's result). */
void huskd_controller_holder (struct huskd_controller *c, struct hreq *r);
void huskd_controller_exec (struct huskd_controller *c, struct hreq *r);
void huskd_controller_probe (struct huskd_controller *c, struct hreq *r);
/* The CRI log file of a container's current (or previous) attempt. */
int huskd_controller_log_path (struct huskd_controller *c, const char *ns, const char *pod,
                               const char *container, bool previous, char **path,
                               struct husk_error **err);

#endif
