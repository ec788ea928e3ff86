#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"

static char *
vfmt (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    abort ();
  return s;
}

static char *
dup_or_null (const char *s)
{
  return s ? strdup (s) : NULL;
}

struct api_status *
api_status_new (int code, const char *reason, const char *fmt, ...)
{
  struct api_status *s = calloc (1, sizeof *s);
  va_list ap;
  if (!s)
    abort ();
  s->code = code;
  s->reason = strdup (reason);
  va_start (ap, fmt);
  s->message = vfmt (fmt, ap);
  va_end (ap);
  return s;
}

void
api_status_free (struct api_status *s)
{
  if (!s)
    return;
  for (size_t i = 0; i < s->n_causes; i++)
    {
      free (s->causes[i].reason);
      free (s->causes[i].message);
      free (s->causes[i].field);
    }
  free (s->causes);
  free (s->reason);
  free (s->message);
  free (s->name);
  free (s->kind);
  free (s);
}

void
api_status_set_details (struct api_status *s, const char *name, const char *kind)
{
  free (s->name);
  free (s->kind);
  s->name = dup_or_null (name);
  s->kind = dup_or_null (kind);
}

void
api_status_add_cause (struct api_status *s, const char *reason, const char *field,
                      const char *message)
{
  s->causes = realloc (s->causes, (s->n_causes + 1) * sizeof *s->causes);
  if (!s->causes)
    abort ();
  s->causes[s->n_causes].reason = dup_or_null (reason);
  s->causes[s->n_causes].field = dup_or_null (field);
  s->causes[s->n_causes].message = dup_or_null (message);
  s->n_causes++;
}

static void
gen_details (yajl_gen g, const struct api_status *s)
{
  jg_key (g, "details");
  yajl_gen_map_open (g);
  if (s->name)
    jg_kv_str (g, "name", s->name);
  if (s->kind)
    jg_kv_str (g, "kind", s->kind);
  if (s->n_causes)
    {
      jg_key (g, "causes");
      yajl_gen_array_open (g);
      for (size_t i = 0; i < s->n_causes; i++)
        {
          yajl_gen_map_open (g);
          if (s->causes[i].reason)
            jg_kv_str (g, "reason", s->causes[i].reason);
          if (s->causes[i].message)
            jg_kv_str (g, "message", s->causes[i].message);
          if (s->causes[i].field)
            jg_kv_str (g, "field", s->causes[i].field);
          yajl_gen_map_close (g);
        }
      yajl_gen_array_close (g);
    }
  yajl_gen_map_close (g);
}

static char *
status_doc (const struct api_status *s, const char *status, size_t *len)
{
  cleanup_gen yajl_gen g = yajl_gen_alloc (NULL);
  yajl_gen_map_open (g);
  jg_kv_str (g, "kind", "Status");
  jg_kv_str (g, "apiVersion", "v1");
  jg_key (g, "metadata");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
  jg_kv_str (g, "status", status);
  if (s)
    {
      jg_kv_str (g, "message", s->message);
      jg_kv_str (g, "reason", s->reason);
      /* every 404 has details, empty when no object is named: clients
       * (kubectl debug) read details.name of a NotFound unchecked */
      if (s->name || s->kind || s->n_causes || s->code == 404)
        gen_details (g, s);
      jg_kv_int (g, "code", s->code);
    }
  else
    jg_kv_int (g, "code", 200);
  yajl_gen_map_close (g);
  return jg_take (g, len);
}

char *
api_status_json (const struct api_status *s, size_t *len)
{
  return status_doc (s, "Failure", len);
}

char *
api_status_success_json (size_t *len)
{
  return status_doc (NULL, "Success", len);
}

struct api_status *
api_not_found (const char *resource, const char *name)
{
  struct api_status *s = api_status_new (404, "NotFound", "%s \"%s\" not found", resource, name);
  api_status_set_details (s, name, resource);
  return s;
}

struct api_status *
api_already_exists (const char *resource, const char *name)
{
  struct api_status *s
      = api_status_new (409, "AlreadyExists", "%s \"%s\" already exists", resource, name);
  api_status_set_details (s, name, resource);
  return s;
}

struct api_status *
api_bad_request (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = vfmt (fmt, ap);
  va_end (ap);
  return api_status_new (400, "BadRequest", "%s", msg);
}

struct api_status *
api_forbidden (const char *resource, const char *name, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *why = vfmt (fmt, ap);
  va_end (ap);
  struct api_status *s
      = api_status_new (403, "Forbidden", "%s \"%s\" is forbidden: %s", resource, name, why);
  api_status_set_details (s, name, resource);
  return s;
}

struct api_status *
api_internal (const char *message)
{
  return api_status_new (500, "InternalError", "Internal error occurred: %s", message);
}

struct api_status *
api_invalid_new (const char *kind, const char *name)
{
  struct api_status *s = api_status_new (422, "Invalid", "%s", "");
  api_status_set_details (s, name, kind);
  return s;
}

void
api_invalid_add (struct api_status *s, const char *reason, const char *field, const char *fmt,
                 ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = vfmt (fmt, ap);
  va_end (ap);
  api_status_add_cause (s, reason, field, msg);
}

/* apimachinery's NewInvalid: one cause reads "f: msg", several read
 * "[f: msg, f: msg]". */
void
api_invalid_finish (struct api_status *s)
{
  size_t size = 0;
  FILE *f;
  free (s->message);
  s->message = NULL;
  f = open_memstream (&s->message, &size);
  if (!f)
    abort ();
  fprintf (f, "%s \"%s\" is invalid: %s", s->kind, s->name ? s->name : "", s->n_causes > 1 ? "[" : "");
  for (size_t i = 0; i < s->n_causes; i++)
    fprintf (f, "%s%s%s%s", i ? ", " : "", s->causes[i].field ? s->causes[i].field : "",
             s->causes[i].field ? ": " : "", s->causes[i].message);
  fprintf (f, "%s", s->n_causes > 1 ? "]" : "");
  fclose (f);
}
