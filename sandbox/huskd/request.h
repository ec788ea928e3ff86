/* One API request as the handlers see it: the route split into its parts,
 * the query, and helpers to answer with JSON or a Status. */
#ifndef HUSK_HUSKD_REQUEST_H
#define HUSK_HUSKD_REQUEST_H

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "huskd.h"
#include "status.h"

struct hreq {
  struct huskd *d;
  struct evhttp_request *req;
  enum evhttp_cmd_type method;
  const char *path;     /* decoded path */
  char *ns;             /* /namespaces/{ns}/..., NULL otherwise */
  char *resource;       /* "pods", "namespaces", "events", ... */
  char *name;           /* object name or NULL */
  char *sub;            /* "log", "exec", "status", ... or NULL */
  bool husk;            /* under the husk prefix */
  struct evkeyvalq query;
  bool want_table;      /* Accept: ...;as=Table */
  bool dry_run;         /* ?dryRun=All: admit and answer, change nothing */
};

const char *hreq_query (struct hreq *r, const char *key);
bool hreq_query_bool (struct hreq *r, const char *key);
const char *hreq_header (struct hreq *r, const char *key);
/* Reads ?dryRun into r->dry_run.  Only "All" is a dry-run value; any other
 * is the 422 kube-apiserver answers for its {Create,Update,Patch,Delete}
 * Options: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported
 * value: []string{"x"}: supported values: "All"`. */
struct api_status *hreq_parse_dry_run (struct hreq *r);

/* Reads the body as JSON, or as the protobuf kubectl sends for the kinds
 * api_protobuf_decode knows.  On failure returns a Status to send. */
struct api_status *hreq_body_json (struct hreq *r, yajl_val *out);
/* The raw body (not NUL terminated), for the protobuf reader. */
const unsigned char *hreq_body_raw (struct hreq *r, size_t *len);

void hreq_reply_json (struct hreq *r, int code, yajl_val obj);
void hreq_reply_text (struct hreq *r, int code, const char *content_type, const char *body,
                      size_t len);
/* Starts a chunked 200 answer that may stay open and quiet for long. */
void hreq_stream_begin (struct hreq *r, const char *content_type);
/* Sends and frees the status. */
void hreq_reply_status (struct hreq *r, struct api_status *s);

/* Handlers by resource. */
void huskd_handle_discovery (struct hreq *r);
void huskd_handle_pods (struct hreq *r);
void huskd_handle_namespaces (struct hreq *r);
void huskd_handle_events (struct hreq *r);
void huskd_handle_quotas (struct hreq *r);
/* node.c: the machine's Node, and no Services (read-only). */
void huskd_handle_nodes (struct hreq *r);
void huskd_handle_services (struct hreq *r);
/* auth.c: /apis/{group}/{version}[/{resource}]: the auth reviews. */
void huskd_handle_apis (struct hreq *r, char **seg, size_t n);
void huskd_apis_groups (yajl_val list); /* the APIGroupList's groups */
void huskd_handle_limitranges (struct hreq *r);
void huskd_handle_configmaps (struct hreq *r);
void huskd_handle_secrets (struct hreq *r);
void huskd_handle_husk (struct hreq *r);
void huskd_handle_openapi (struct hreq *r, const char *what);

/* pods.c, pod_delete.c, pod_log.c, pod_exec.c */
void huskd_delete_pod (struct hreq *r, yajl_val old);
void huskd_handle_pod_subresource (struct hreq *r);
void huskd_quota_refresh (struct huskd *d, const char *ns);
/* Sets a new quota's status (hard, used) from the namespace's pods. */
void huskd_quota_fill (struct huskd *d, const char *ns, yajl_val quota);
/* configmaps.c: status.used of the object counts (configmaps, secrets). */
void huskd_quota_count_objects (struct huskd *d, const char *ns, yajl_val quota);

/* Routes one request (router.c). */
void huskd_route (struct evhttp_request *req, void *arg);

#endif
