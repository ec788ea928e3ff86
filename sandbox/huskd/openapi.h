/* The OpenAPI documents huskd serves (openapi.c), built once from the
 * definitions embedded at build time (openapi/definitions.json). */
#ifndef HUSK_HUSKD_OPENAPI_H
#define HUSK_HUSKD_OPENAPI_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

/* openapi_pb.c: the OpenAPI v2 document `doc` (JSON) as gnostic's
 * openapi_v2.Document protobuf message, malloc'd into *out. */
size_t huskd_openapi_v2_protobuf (yajl_val doc, unsigned char **out);

struct hreq;
struct api_status;
/* Builds the documents on a thread of their own, so that huskd's first
 * write (whose fields are checked against them) does not wait ~60 ms for
 * them and its memory holds them from the start: they are ~2 MB that
 * stay, not growth.  A request that needs them first waits for the build. */
void huskd_openapi_build_in_background (void);
/* The embedded definitions ({name: schema}); NULL if they do not parse. */
yajl_val huskd_openapi_definitions (void);
/* openapi_fields.c: ?fieldValidation= on a written object's fields;
 * a Status to answer with, or NULL to go on. */
struct api_status *huskd_openapi_check_fields (struct hreq *r, yajl_val body);

#endif
