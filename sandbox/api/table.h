/* meta.k8s.io/v1 Table answers for `kubectl get` (Accept: ...;as=Table):
 * the columns kubectl prints, computed on the server as kube-apiserver's
 * printers do (pkg/printers/internalversion/printers.go printPod). */
#ifndef HUSK_API_TABLE_H
#define HUSK_API_TABLE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

/* The STATUS column of a pod ("Running", "Init:1/2", "CrashLoopBackOff",
 * "Terminating", "Completed", "Init:Error"...); buf 64 bytes. */
void api_pod_status_reason (yajl_val pod, char buf[64]);
/* "2/2" and the restart count. */
void api_pod_ready (yajl_val pod, int *ready, int *total, long long *restarts);
/* Kubernetes' HumanDuration: "5s", "3m20s", "5h", "12d". buf 32 bytes. */
void api_human_duration (double seconds, char buf[32]);

/* A Table of pods / namespaces / events / generic objects. */
yajl_val api_table_pods (yajl_val *pods, size_t n, const char *rv, double now);
yajl_val api_table_namespaces (yajl_val *objs, size_t n, const char *rv, double now);
yajl_val api_table_events (yajl_val *objs, size_t n, const char *rv, double now);
yajl_val api_table_quotas (yajl_val *objs, size_t n, const char *rv, double now);
yajl_val api_table_nodes (yajl_val *objs, size_t n, const char *rv, double now);
yajl_val api_table_services (const char *rv); /* no rows */
yajl_val api_table_generic (yajl_val *objs, size_t n, const char *rv, double now);
/* NAME DATA AGE and NAME TYPE DATA AGE. */
yajl_val api_table_configmaps (yajl_val *objs, size_t n, const char *rv, double now);
yajl_val api_table_secrets (yajl_val *objs, size_t n, const char *rv, double now);

/* The rows' `object` as the request's includeObject asks (kube-apiserver's
 * IncludeObjectPolicy): "Object" the whole object (with kind/apiVersion:
 * `kubectl get --sort-by=.status.x` sorts on it), "None" no object, else
 * (Metadata, the default) the PartialObjectMetadata the builders put.
 * objs are the n objects the table was built from, in row order. */
void api_table_include_objects (yajl_val table, yajl_val *objs, size_t n, const char *kind,
                                const char *include);

/* The seconds since the epoch of an RFC 3339 timestamp, 0 when unparsable. */
double api_parse_timestamp (const char *ts);

#endif
