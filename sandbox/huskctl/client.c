#include "client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json_doc.h"
#include "jv.h"

struct buffer {
  char *data;
  size_t len;
  hc_data_fn fn;
  void *ctx;
};

static size_t
on_write (char *ptr, size_t size, size_t nmemb, void *arg)
{
  struct buffer *b = arg;
  size_t n = size * nmemb;
  char *grown;
  if (b->fn)
    {
      b->fn (b->ctx, ptr, n);
      return n;
    }
  grown = realloc (b->data, b->len + n + 1);
  if (!grown)
    return 0;
  b->data = grown;
  memcpy (b->data + b->len, ptr, n);
  b->len += n;
  b->data[b->len] = '\0';
  return n;
}

void
hc_response_clear (struct hc_response *r)
{
  free (r->body);
  memset (r, 0, sizeof *r);
}

static void
curl_cleanupp (CURL **c)
{
  if (*c)
    curl_easy_cleanup (*c);
}

static void
slist_freep (struct curl_slist **l)
{
  if (*l)
    curl_slist_free_all (*l);
}

static int
perform (CURL *c, const char *socket_path, const char *path, struct buffer *b, long *code,
         struct husk_error **err)
{
  char url[4096];
  CURLcode rc;
  snprintf (url, sizeof url, "http://localhost%s", path);
  curl_easy_setopt (c, CURLOPT_UNIX_SOCKET_PATH, socket_path);
  curl_easy_setopt (c, CURLOPT_URL, url);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, b);
  curl_easy_setopt (c, CURLOPT_USERAGENT, "huskctl/" HUSK_VERSION);
  rc = curl_easy_perform (c);
  if (rc != CURLE_OK)
    return husk_error_set (err, 0, "cannot reach huskd at %s: %s", socket_path,
                           curl_easy_strerror (rc));
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, code);
  return 0;
}

int
hc_request (const char *socket_path, const char *method, const char *path,
            const char *content_type, const char *body, size_t len, const char *accept,
            struct hc_response *r, struct husk_error **err)
{
  __attribute__ ((cleanup (curl_cleanupp))) CURL *c = curl_easy_init ();
  __attribute__ ((cleanup (slist_freep))) struct curl_slist *headers = NULL;
  struct buffer b = { 0 };
  char h[256];
  memset (r, 0, sizeof *r);
  if (!c)
    return husk_error_set (err, 0, "curl_easy_init failed");
  curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST, method);
  if (body)
    {
      curl_easy_setopt (c, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (c, CURLOPT_POSTFIELDSIZE, (long) len);
    }
  snprintf (h, sizeof h, "Content-Type: %s", content_type ? content_type : "application/json");
  headers = curl_slist_append (headers, h);
  snprintf (h, sizeof h, "Accept: %s", accept ? accept : "application/json");
  headers = curl_slist_append (headers, h);
  curl_easy_setopt (c, CURLOPT_HTTPHEADER, headers);
  if (perform (c, socket_path, path, &b, &r->code, err) < 0)
    {
      free (b.data);
      return -1;
    }
  r->body = b.data;
  r->len = b.len;
  return 0;
}

int
hc_stream (const char *socket_path, const char *path, hc_data_fn on_data, void *ctx, long *code,
           struct husk_error **err)
{
  __attribute__ ((cleanup (curl_cleanupp))) CURL *c = curl_easy_init ();
  struct buffer b = { .fn = on_data, .ctx = ctx };
  if (!c)
    return husk_error_set (err, 0, "curl_easy_init failed");
  return perform (c, socket_path, path, &b, code, err);
}

yajl_val
hc_json (const struct hc_response *r)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val v = NULL;
  if (!r->body || json_doc_parse ("response", r->body, r->len, &v, &err) < 0)
    return NULL;
  return v;
}

void
hc_print_error (const struct hc_response *r)
{
  cleanup_jv yajl_val v = hc_json (r);
  const char *msg = jv_str (v, "message"), *reason = jv_str (v, "reason");
  if (msg)
    fprintf (stderr, "Error from server (%s): %s\n", reason ? reason : "Unknown", msg);
  else
    fprintf (stderr, "Error from server (HTTP %ld): %.*s\n", r->code, (int) r->len,
             r->body ? r->body : "");
}

char *
hc_escape (const char *s)
{
  char *e = curl_easy_escape (NULL, s, 0);
  char *out = strdup (e ? e : "");
  curl_free (e);
  return out;
}
