/* Reading request bodies and writing answers.  Every answer is JSON written
 * with yajl_gen; every error is a Status whose HTTP code is its code. */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <string.h>

#include "cleanup.h"
#include "json_doc.h"
#include "openapi.h"
#include "jv.h"
#include "protobuf.h"
#include "request.h"

const char *
hreq_query (struct hreq *r, const char *key)
{
  return evhttp_find_header (&r->query, key);
}

bool
hreq_query_bool (struct hreq *r, const char *key)
{
  const char *v = hreq_query (r, key);
  return v && (strcmp (v, "1") == 0 || strcmp (v, "true") == 0);
}

const char *
hreq_header (struct hreq *r, const char *key)
{
  return evhttp_find_header (evhttp_request_get_input_headers (r->req), key);
}

static const char *
options_kind (enum evhttp_cmd_type method)
{
  switch (method)
    {
    case EVHTTP_REQ_POST:
      return "CreateOptions";
    case EVHTTP_REQ_PUT:
      return "UpdateOptions";
    case EVHTTP_REQ_PATCH:
      return "PatchOptions";
    default:
      return "DeleteOptions";
    }
}

/* Go's %#v of the []string of values, as field.NotSupported prints it. */
static void
print_values (FILE *f, const char *const *values, size_t n)
{
  fputs ("[]string{", f);
  for (size_t i = 0; i < n; i++)
    {
      fputs (i ? ", \"" : "\"", f);
      for (const unsigned char *c = (const unsigned char *) values[i]; *c; c++)
        if (*c == '"' || *c == '\\')
          fprintf (f, "\\%c", *c);
        else if (*c < 0x20)
          fprintf (f, "\\x%02x", *c);
        else
          fputc (*c, f);
      fputc ('"', f);
    }
  fputc ('}', f);
}

#define MAX_DRY_RUN_VALUES 16

/* A DELETE's options come from its body when it has one (kubectl sends a
 * DeleteOptions there), else from the query, as the API server reads them. */
static size_t
dry_run_values (struct hreq *r, yajl_val *body, const char **values)
{
  size_t n = 0, len;
  cleanup_error struct husk_error *err = NULL;
  const char *data = r->method == EVHTTP_REQ_DELETE ? (const char *) hreq_body_raw (r, &len) : NULL;
  struct evkeyval *kv;
  if (data && len > 0 && json_doc_parse ("DeleteOptions", data, len, body, &err) == 0)
    {
      yajl_val list = jv_get (*body, "dryRun");
      for (size_t i = 0; YAJL_IS_ARRAY (list) && i < list->u.array.len && n < MAX_DRY_RUN_VALUES; i++)
        if (YAJL_IS_STRING (list->u.array.values[i]))
          values[n++] = list->u.array.values[i]->u.string;
      return n;
    }
  TAILQ_FOREACH (kv, &r->query, next)
    if (strcmp (kv->key, "dryRun") == 0 && n < MAX_DRY_RUN_VALUES)
      values[n++] = kv->value;
  return n;
}

struct api_status *
hreq_parse_dry_run (struct hreq *r)
{
  cleanup_jv yajl_val body = NULL;
  const char *values[MAX_DRY_RUN_VALUES];
  size_t n = dry_run_values (r, &body, values);
  bool bad = false;
  for (size_t i = 0; i < n; i++)
    bad |= strcmp (values[i], "All") != 0;
  r->dry_run = n > 0 && !bad;
  if (!bad)
    return NULL;
  cleanup_free char *printed = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&printed, &size);
  if (!f)
    abort ();
  print_values (f, values, n);
  fclose (f);
  cleanup_free char *cause = NULL;
  if (asprintf (&cause, "Unsupported value: %s: supported values: \"All\"", printed) < 0)
    abort ();
  struct api_status *s = api_status_new (422, "Invalid", "%s.meta.k8s.io \"\" is invalid: dryRun: %s",
                                         options_kind (r->method), cause);
  api_status_set_details (s, NULL, options_kind (r->method));
  api_status_add_cause (s, "FieldValueNotSupported", "dryRun", cause);
  return s;
}

const unsigned char *
hreq_body_raw (struct hreq *r, size_t *len)
{
  struct evbuffer *in = evhttp_request_get_input_buffer (r->req);
  *len = evbuffer_get_length (in);
  return evbuffer_pullup (in, -1);
}

/* The whole media type (parameters after ';' aside) must be one of these:
 * a prefix such as "application/" or "" names none of them. */
static bool
json_media_type (const char *ct)
{
  static const char *const types[] = {
    "application/json", "application/x-www-form-urlencoded",
    "application/strategic-merge-patch+json", "application/merge-patch+json",
    "application/json-patch+json",
  };
  size_t n;
  if (!ct)
    return true; /* curl -d without -H: accept as kubectl's server does for JSON */
  n = strcspn (ct, ";");
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    if (n == strlen (types[i]) && strncmp (ct, types[i], n) == 0)
      return true;
  return false;
}

struct api_status *
hreq_body_json (struct hreq *r, yajl_val *out)
{
  cleanup_error struct husk_error *err = NULL;
  const char *ct = hreq_header (r, "Content-Type");
  size_t len;
  const unsigned char *data = hreq_body_raw (r, &len);

  if (len > HUSKD_MAX_BODY)
    return api_status_new (413, "RequestEntityTooLarge",
                           "Request entity too large: limit is %u", HUSKD_MAX_BODY);
  /* kubectl's `create namespace|configmap|secret|quota` send protobuf */
  if (ct && strncmp (ct, "application/vnd.kubernetes.protobuf", 35) == 0)
    return api_protobuf_decode (data, len, out);
  if (!json_media_type (ct))
    return api_status_new (415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted media "
                           "types include: application/json, application/yaml, "
                           "application/vnd.kubernetes.protobuf");
  if (len == 0)
    return api_bad_request ("the body of the request is empty");
  if (json_doc_parse ("request body", (const char *) data, len, out, &err) < 0)
    return api_bad_request ("%s", err->message);
  struct api_status *s = huskd_openapi_check_fields (r, *out);
  if (s)
    {
      yajl_tree_free (*out);
      *out = NULL;
    }
  return s;
}

static void
send_buf (struct hreq *r, int code, const char *content_type, const char *body, size_t len)
{
  struct evbuffer *buf = evbuffer_new ();
  evhttp_add_header (evhttp_request_get_output_headers (r->req), "Content-Type", content_type);
  evhttp_add_header (evhttp_request_get_output_headers (r->req), "Cache-Control", "no-cache, private");
  evbuffer_add (buf, body, len);
  if (r->method == EVHTTP_REQ_GET || r->method == EVHTTP_REQ_HEAD)
    {
      evhttp_send_reply (r->req, code, NULL, buf);
      evbuffer_free (buf);
    }
  else /* what a write answers holds once it is on disk */
    huskd_reply_when_written (r->d, r->req, code, buf);
}

void
hreq_reply_json (struct hreq *r, int code, yajl_val obj)
{
  size_t len;
  cleanup_free char *body = jv_dump (obj, &len);
  send_buf (r, code, "application/json", body, len);
}

void
hreq_reply_text (struct hreq *r, int code, const char *content_type, const char *body,
                 size_t len)
{
  send_buf (r, code, content_type, body, len);
}

void
hreq_reply_status (struct hreq *r, struct api_status *s)
{
  size_t len;
  cleanup_free char *body = api_status_json (s, &len);
  send_buf (r, s->code, "application/json", body, len);
  api_status_free (s);
}

/* A streamed answer (watch, logs -f) may be quiet for a long time: the
 * connection's read timeout would end it after HUSKD_IO_TIMEOUT.  Only a
 * client that stops reading what is sent is dropped (write timeout). */
void
hreq_stream_begin (struct hreq *r, const char *content_type)
{
  struct evhttp_connection *conn = evhttp_request_get_connection (r->req);
  struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent (conn) : NULL;
  const struct timeval write_tv = { HUSKD_IO_TIMEOUT, 0 };
  evhttp_add_header (evhttp_request_get_output_headers (r->req), "Content-Type", content_type);
  evhttp_send_reply_start (r->req, 200, "OK");
  if (bev)
    bufferevent_set_timeouts (bev, NULL, &write_tv);
}
