/* Kubernetes `Status` objects: every error huskd answers is one.
 *
 * Reasons and codes are Kubernetes' (k8s.io/apimachinery/pkg/api/errors):
 * NotFound 404, AlreadyExists 409, Invalid 422 (with causes naming the
 * field), Forbidden 403, BadRequest 400, UnsupportedMediaType 415,
 * MethodNotAllowed 405, Unauthorized 401, InternalError 500, Conflict 409.
 * kubectl prints `Error from server (<Reason>): <message>`, so messages are
 * spelled as the API server spells them. */
#ifndef HUSK_API_STATUS_H
#define HUSK_API_STATUS_H

#include <stddef.h>

struct api_cause {
  char *reason;  /* FieldValueRequired, FieldValueInvalid, ... */
  char *message; /* "Required value" */
  char *field;   /* "spec.containers[0].image" */
};

struct api_status {
  int code;
  char *reason;
  char *message;
  char *name; /* details.name */
  char *kind; /* details.kind */
  struct api_cause *causes;
  size_t n_causes;
};

struct api_status *api_status_new (int code, const char *reason, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
void api_status_free (struct api_status *s);
void api_status_set_details (struct api_status *s, const char *name, const char *kind);
void api_status_add_cause (struct api_status *s, const char *reason, const char *field,
                           const char *message);
/* The Status object as JSON (malloc'd). */
char *api_status_json (const struct api_status *s, size_t *len);
/* A success Status ("Success", used for deletes of namespaced collections). */
char *api_status_success_json (size_t *len);

/* Kubernetes' common errors. `resource` is the plural ("pods"). */
struct api_status *api_not_found (const char *resource, const char *name);
struct api_status *api_already_exists (const char *resource, const char *name);
struct api_status *api_bad_request (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
struct api_status *api_forbidden (const char *resource, const char *name, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
struct api_status *api_internal (const char *message);

/* Invalid (422): `Kind "name" is invalid: <cause>` or `[<cause>, <cause>]`.
 * Causes are added with api_invalid_add(); api_invalid_finish() writes the
 * message once all are in. */
struct api_status *api_invalid_new (const char *kind, const char *name);
void api_invalid_add (struct api_status *s, const char *reason, const char *field,
                      const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
void api_invalid_finish (struct api_status *s);

static inline void
api_status_freep (struct api_status **s)
{
  if (*s)
    api_status_free (*s);
}
#define cleanup_status __attribute__ ((cleanup (api_status_freep)))

#endif
