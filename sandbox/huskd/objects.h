/* What every resource shares: list (with label and field selectors, as a
 * List or a Table), get, watch, delete, and the kind/apiVersion stamping. */
#ifndef HUSK_HUSKD_OBJECTS_H
#define HUSK_HUSKD_OBJECTS_H

#include "request.h"

struct resource_kind {
  const char *resource;  /* "pods" */
  const char *kind;      /* "Pod" */
  bool namespaced;
  yajl_val (*table) (yajl_val *objs, size_t n, const char *rv, double now);
  /* Fills what the server computes (a quota's status) before the first
   * store, so the create answer and every later read agree; optional. */
  void (*before_create) (struct huskd *d, const char *ns, yajl_val obj);
  /* The field selector keys beyond metadata.name and metadata.namespace
   * (NULL terminated), and whether an unknown key is said the way the
   * resources with their own field conversion say it ("field label not
   * supported") or the generic way. */
  const char *const *fields;
  /* Kind-specific admission of a create (old NULL) or an update; may
   * change obj (a Secret's stringData); optional (configmaps.c). */
  struct api_status *(*admit) (struct huskd *d, const char *ns, yajl_val old, yajl_val obj);
};

extern const struct resource_kind huskd_kind_pods, huskd_kind_namespaces, huskd_kind_events,
    huskd_kind_quotas, huskd_kind_limitranges, huskd_kind_configmaps, huskd_kind_secrets;

/* GET on a collection: list or, with ?watch, a watch stream. */
void huskd_list (struct hreq *r, const struct resource_kind *k);
void huskd_get (struct hreq *r, const struct resource_kind *k);
/* k's Table of objs, their rows' object as includeObject says. */
yajl_val huskd_table (const struct resource_kind *k, yajl_val *objs, size_t n, const char *rv,
                     const char *include);
/* The update changes nothing (its resourceVersion, if any, is old's): the
 * API server then writes nothing and answers the object as it is, so
 * kubectl says "patched (no change)" and the resourceVersion stays. */
bool huskd_unchanged (yajl_val old, yajl_val updated);
/* Answers an object (a Table of it when asked). */
void huskd_reply_object (struct hreq *r, const struct resource_kind *k, int code, yajl_val obj);

/* Sets kind and apiVersion "v1" on an object read from a client. */
void huskd_stamp_kind (yajl_val obj, const char *kind);

/* The namespace must exist (404 `namespaces "x" not found` otherwise). */
struct api_status *huskd_namespace_must_exist (struct huskd *d, const char *ns);

/* Plain create/delete for resources without admission logic (events,
 * quotas, limit ranges): the body is stored as given after name checks. */
void huskd_create_plain (struct hreq *r, const struct resource_kind *k);
void huskd_delete_plain (struct hreq *r, const struct resource_kind *k);
/* PATCH (JSON, merge or strategic merge) and PUT of an object whose
 * metadata (labels, annotations) and spec a client may change: identity
 * and status stay the server's (update_plain.c). */
void huskd_update_plain (struct hreq *r, const struct resource_kind *k);

/* Dispatches GET/POST/DELETE on a plain resource. */
void huskd_handle_plain (struct hreq *r, const struct resource_kind *k);

void huskd_method_not_allowed (struct hreq *r);

#endif
