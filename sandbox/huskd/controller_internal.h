/* The controller's state, shared by its files (controller.c: scheduling
 * and results; controller_jobs.c: exec/probe/holder requests, namespace
 * removal, orphan sandboxes). */
#ifndef HUSK_HUSKD_CONTROLLER_INTERNAL_H
#define HUSK_HUSKD_CONTROLLER_INTERNAL_H

#include "controller.h"
#include "pod_sync.h"
#include "workers.h"

struct pod_ctl {
  struct huskd_controller *c;
  char *ns, *name;
  char *sandbox_id;
  struct event *timer;
  bool busy, again, deleting;
  long long generation;
  struct husk_sandbox_env env;     /* the controller's */
  struct container_track *tracks; /* lent to the running sync while busy */
  size_t n_tracks;
  struct pod_ctl *next;
};

struct huskd_controller {
  struct huskd *d;
  struct husk_sandbox_env env;
  char *runtime;            /* resolved once: env.husk_binary points here */
  struct huskd_workers *workers;
  void *watch;
  struct pod_ctl *pods;
  struct event *events_gc; /* kube-apiserver's --event-ttl: 1 hour */
  char **cgroup_created;    /* parent dirs absent at start: removed at stop */
  char *volumes_root;       /* <state>/volumes: the pods' projected volumes */
};

/* Removes Terminating namespaces whose pods are all gone. */
void huskd_controller_namespaces_gc (struct huskd_controller *c);
/* Deletes events last seen more than an hour ago. */
void huskd_controller_events_gc (struct huskd_controller *c);
/* Removes sandboxes whose pod is no longer in the store (deleted while
 * huskd was down). */
void huskd_controller_collect_orphans (struct huskd_controller *c);

/* ns_cgroup.c */
/* The directories of the cgroup parent (and of its ancestors) missing in
 * each hierarchy now, shallowest first: huskd made them if they appear. */
char **huskd_cgroup_parent_missing (const char *base);
/* Removes those directories, deepest first, when they are empty. */
void huskd_cgroup_parent_remove (char **missing);

/* The sandbox id of a pod from its annotation, NULL when it has none. */
const char *huskd_pod_sandbox_id (yajl_val pod);

/* The id of a container's latest (or previous) attempt, from the stored
 * status (containerID husk://...). */
char *huskd_pod_container_id (yajl_val pod, const char *container, bool previous);

/* A container (or init container) of the pod's spec by name; the first
 * one when name is NULL. */
yajl_val huskd_pod_container_spec (yajl_val pod, const char *name);

#endif
