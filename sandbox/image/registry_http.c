/* The registry HTTP client (see registry_http.h).
 *
 * Auth follows Docker's token specification: a request goes out with
 * whatever Authorization was negotiated before; a 401 names the scheme in
 * WWW-Authenticate.  Basic answers with the configured credentials; Bearer
 * sends them (if any) to the realm with service and scope and uses the
 * token it returns.  One negotiation per request: a second 401 is final.
 *
 * Retries: a transfer that failed on the wire (connection refused, reset,
 * cut short, timed out) or a 5xx/429 answer is retried up to
 * REG_RETRIES times with a growing pause; the body starts again from
 * nothing, so a half-written blob never counts. */
#include "registry_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/str_printf.h"
#include "registry_auth.h"

#define REG_RETRIES 3
#define REG_CONNECT_TIMEOUT 15L
/* A transfer slower than 1 byte/s for this long is dead. */
#define REG_STALL_SECONDS 30L
#define REG_TOKEN_MAX (64 * 1024)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once (void)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
}

void
reg_reply_clear (struct reg_reply *r)
{
  free (r->content_type);
  free (r->challenge);
  memset (r, 0, sizeof *r);
}

void
reg_sink_clear (struct reg_sink *s)
{
  if (s->hashing)
    gnutls_hash_deinit (s->hash, NULL);
  s->hashing = false;
  free (s->buf);
  s->buf = NULL;
  s->len = 0;
}

void
reg_sink_digest (struct reg_sink *s, char out[72])
{
  unsigned char sum[32];
  char *p = stpcpy (out, "sha256:");
  gnutls_hash_deinit (s->hash, sum);
  s->hashing = false;
  for (int i = 0; i < 32; i++)
    p += sprintf (p, "%02x", sum[i]);
}

static int
sink_reset (struct reg_sink *s, struct husk_error **err)
{
  if (s->hashing)
    gnutls_hash_deinit (s->hash, NULL);
  s->hashing = false;
  s->len = 0;
  s->written = 0;
  s->overflow = false;
  if (s->fd >= 0 && (ftruncate (s->fd, 0) < 0 || lseek (s->fd, 0, SEEK_SET) < 0))
    return husk_error_set (err, errno, "truncate download");
  if (gnutls_hash_init (&s->hash, GNUTLS_DIG_SHA256) < 0)
    return husk_error_set (err, ENOMEM, "sha256");
  s->hashing = true;
  return 0;
}

static size_t
on_body (char *data, size_t size, size_t nmemb, void *arg)
{
  struct reg_sink *s = arg;
  size_t n = size * nmemb;
  uint64_t limit = s->expected ? s->expected : s->max;

  if (limit && s->written + n > limit)
    {
      s->overflow = true;
      return 0;
    }
  if (s->fd >= 0)
    {
      for (size_t off = 0; off < n;)
        {
          ssize_t w = write (s->fd, data + off, n - off);
          if (w < 0 && errno == EINTR)
            continue;
          if (w <= 0)
            return 0;
          off += w;
        }
    }
  else
    {
      char *nb = realloc (s->buf, s->len + n + 1);
      if (nb == NULL)
        return 0;
      s->buf = nb;
      memcpy (s->buf + s->len, data, n);
      s->len += n;
      s->buf[s->len] = '\0';
    }
  gnutls_hash (s->hash, data, n);
  s->written += n;
  if (s->progress)
    s->progress (s->progress_arg, s->digest, s->written, s->expected);
  return n;
}

static char *
header_value (const char *line, size_t n, const char *name)
{
  size_t k = strlen (name);
  if (n <= k + 1 || strncasecmp (line, name, k) != 0 || line[k] != ':')
    return NULL;
  line += k + 1;
  n -= k + 1;
  while (n && (*line == ' ' || *line == '\t'))
    line++, n--;
  while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
    n--;
  return strndup (line, n);
}

static size_t
on_header (char *line, size_t size, size_t nmemb, void *arg)
{
  struct reg_reply *r = arg;
  size_t n = size * nmemb;
  char *v;

  if (n > 5 && !strncmp (line, "HTTP/", 5))
    reg_reply_clear (r); /* a new answer (after a redirect) */
  else if ((v = header_value (line, n, "Content-Type")))
    free (r->content_type), r->content_type = v;
  else if ((v = header_value (line, n, "WWW-Authenticate")))
    {
      if (r->challenge == NULL)
        r->challenge = v;
      else
        free (v);
    }
  return n;
}

static const struct husk_registry_auth *
explicit_auth (const struct reg_client *c)
{
  return c->auth && (c->auth->username || c->auth->auth || c->auth->registry_token) ? c->auth
                                                                                     : NULL;
}

/* "user:password" in base64, from the pull's auth or the host's config. */
static char *
basic_credentials (const struct reg_client *c)
{
  const struct husk_registry_auth *a = explicit_auth (c);
  const char *user = a ? a->username : c->host_config ? c->host_config->username : NULL;
  const char *pass = a ? a->password : c->host_config ? c->host_config->password : NULL;
  const char *b64 = a ? a->auth : c->host_config ? c->host_config->auth : NULL;
  gnutls_datum_t in, out = { 0 };
  cleanup_free char *plain = NULL;
  char *ret;

  if (b64 && *b64)
    return strdup (b64);
  if (user == NULL)
    return NULL;
  if ((plain = str_printf ("%s:%s", user, pass ? pass : "")) == NULL)
    return NULL;
  in.data = (unsigned char *) plain;
  in.size = strlen (plain);
  if (gnutls_base64_encode2 (&in, &out) < 0)
    return NULL;
  ret = strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  return ret;
}

static void
apply_tls (struct reg_client *c, CURL *h)
{
  if (c->host_config && c->host_config->insecure_skip_verify)
    {
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  if (c->host_config && c->host_config->ca_file)
    curl_easy_setopt (h, CURLOPT_CAINFO, c->host_config->ca_file);
}

static void
common_options (struct reg_client *c, CURL *h)
{
  curl_easy_reset (h);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, REG_CONNECT_TIMEOUT);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, REG_STALL_SECONDS);
  curl_easy_setopt (h, CURLOPT_USERAGENT, "husk/" HUSK_VERSION);
  apply_tls (c, h);
}

static char *
url_escape (CURL *h, const char *s)
{
  char *e = curl_easy_escape (h, s, 0);
  char *r = e ? strdup (e) : NULL;
  curl_free (e);
  return r;
}

/* The bearer token for this repository from the challenge's realm. */
static int
fetch_token (struct reg_client *c, const struct reg_challenge *ch, struct husk_error **err)
{
  CURL *h = c->curl;
  cleanup_free char *basic = basic_credentials (c);
  cleanup_free char *scope_default = str_printf ("repository:%s:pull", c->repo);
  cleanup_free char *service = ch->service ? url_escape (h, ch->service) : NULL;
  cleanup_free char *scope = url_escape (h, ch->scope ? ch->scope : scope_default ?: "");
  cleanup_free char *url = NULL, *token = NULL, *auth_header = NULL;
  struct reg_sink sink = { .fd = -1, .max = REG_TOKEN_MAX };
  struct curl_slist *headers = NULL;
  long status = 0;
  CURLcode rc;

  if (strncmp (ch->realm, "https://", 8) && strncmp (ch->realm, "http://", 7))
    return husk_error_set (err, EINVAL, "token realm `%s` is not an http(s) URL", ch->realm);
  if (scope == NULL
      || (url = str_printf ("%s%s%s%s%sscope=%s", ch->realm, strchr (ch->realm, '?') ? "&" : "?",
                            service ? "service=" : "", service ? service : "",
                            service ? "&" : "", scope))
             == NULL)
    return husk_error_set (err, ENOMEM, "token request");
  common_options (c, h);
  curl_easy_setopt (h, CURLOPT_URL, url);
  if (basic && (auth_header = str_printf ("Authorization: Basic %s", basic)))
    headers = curl_slist_append (headers, auth_header);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, &sink);
  if (sink_reset (&sink, err) < 0)
    return -1;
  rc = curl_easy_perform (h);
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all (headers);
  if (rc != CURLE_OK)
    {
      reg_sink_clear (&sink);
      return husk_error_set (err, EIO, "token from `%s`: %s", ch->realm, curl_easy_strerror (rc));
    }
  if (status != 200)
    {
      reg_sink_clear (&sink);
      return husk_error_set (err, status == 401 || status == 403 ? EACCES : EIO,
                             "token from `%s`: HTTP %ld%s", ch->realm, status,
                             status == 401 ? " (wrong credentials?)" : "");
    }
  int ret = reg_token_parse (sink.buf ? sink.buf : "", sink.len, &token, NULL, err);
  reg_sink_clear (&sink);
  if (ret < 0)
    return husk_error_wrap (err, "token from `%s`", ch->realm);
  free (c->authorization);
  c->authorization = str_printf ("Bearer %s", token);
  return c->authorization ? 0 : husk_error_set (err, ENOMEM, "token");
}

/* After a 401: what to send next time, from the challenge. */
static int
negotiate (struct reg_client *c, const char *challenge, struct husk_error **err)
{
  struct reg_challenge ch;
  int ret;

  if (challenge == NULL)
    return husk_error_set (err, EACCES, "`%s`: 401 without WWW-Authenticate", c->base);
  if (reg_challenge_parse (challenge, &ch, err) < 0)
    return husk_error_wrap (err, "`%s`", c->base);
  if (ch.scheme == REG_AUTH_BASIC)
    {
      cleanup_free char *basic = basic_credentials (c);
      reg_challenge_clear (&ch);
      if (basic == NULL)
        return husk_error_set (err, EACCES,
                               "`%s` wants basic auth and no credentials are configured for `%s`",
                               c->base, c->host);
      free (c->authorization);
      c->authorization = str_printf ("Basic %s", basic);
      return c->authorization ? 0 : husk_error_set (err, ENOMEM, "auth");
    }
  ret = fetch_token (c, &ch, err);
  reg_challenge_clear (&ch);
  return ret;
}

static bool
transient (CURLcode rc)
{
  switch (rc)
    {
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
    }
}

static void
pause_before_retry (int attempt)
{
  struct timespec ts = { .tv_sec = 0, .tv_nsec = 200000000L << attempt };
  if (ts.tv_nsec >= 1000000000L)
    ts = (struct timespec){ .tv_sec = ts.tv_nsec / 1000000000L, .tv_nsec = ts.tv_nsec % 1000000000L };
  nanosleep (&ts, NULL);
}

static CURLcode
perform (struct reg_client *c, const char *url, const char *accept, struct reg_sink *sink,
         struct reg_reply *reply, long *status)
{
  CURL *h = c->curl;
  struct curl_slist *headers = NULL;
  cleanup_free char *auth = c->authorization ? str_printf ("Authorization: %s", c->authorization)
                                             : NULL;
  cleanup_free char *acc = accept ? str_printf ("Accept: %s", accept) : NULL;
  CURLcode rc;

  common_options (c, h);
  curl_easy_setopt (h, CURLOPT_URL, url);
  if (auth)
    headers = curl_slist_append (headers, auth);
  if (acc)
    headers = curl_slist_append (headers, acc);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, sink);
  curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (h, CURLOPT_HEADERDATA, reply);
  rc = curl_easy_perform (h);
  *status = 0;
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, status);
  curl_slist_free_all (headers);
  return rc;
}

static int
http_error (const char *url, long status, const struct reg_sink *sink, struct husk_error **err)
{
  const char *body = sink->fd < 0 && sink->buf ? sink->buf : "";
  int e = status == 404 ? ENOENT : status == 401 || status == 403 ? EACCES : EIO;
  return husk_error_set (err, e, "GET `%s`: HTTP %ld%s%.200s", url, status, *body ? ": " : "",
                         body);
}

int
reg_get (struct reg_client *c, const char *kind, const char *ref, const char *accept,
         struct reg_sink *sink, struct reg_reply *reply, struct husk_error **err)
{
  cleanup_free char *url = str_printf ("%s/v2/%s/%s/%s", c->base, c->repo, kind, ref);
  bool negotiated = false;
  long status;

  if (url == NULL)
    return husk_error_set (err, ENOMEM, "request");
  for (int attempt = 0;;)
    {
      reg_reply_clear (reply);
      if (sink_reset (sink, err) < 0)
        return -1;
      CURLcode rc = perform (c, url, accept, sink, reply, &status);
      if (rc == CURLE_WRITE_ERROR && sink->overflow)
        return husk_error_set (err, EFBIG, "GET `%s`: more than the %llu bytes expected", url,
                               (unsigned long long) (sink->expected ? sink->expected : sink->max));
      if (rc != CURLE_OK && transient (rc) && attempt < REG_RETRIES)
        {
          pause_before_retry (attempt++);
          continue;
        }
      if (rc != CURLE_OK)
        return husk_error_set (err, rc == CURLE_COULDNT_CONNECT ? ECONNREFUSED : EIO,
                               "GET `%s`: %s (after %d attempts)", url, curl_easy_strerror (rc),
                               attempt + 1);
      if (status == 401 && !negotiated)
        {
          negotiated = true;
          if (negotiate (c, reply->challenge, err) < 0)
            return -1;
          continue;
        }
      if ((status >= 500 || status == 429) && attempt < REG_RETRIES)
        {
          pause_before_retry (attempt++);
          continue;
        }
      if (status != 200)
        return http_error (url, status, sink, err);
      return 0;
    }
}

int
reg_client_open (struct reg_client *c, const char *base, const char *repo,
                 const struct husk_registry_config *cfg,
                 const struct husk_registry_auth *auth, struct husk_error **err)
{
  const char *s = strstr (base, "://");
  memset (c, 0, sizeof *c);
  pthread_once (&curl_once, curl_init_once);
  s = s ? s + 3 : base;
  c->base = strdup (base);
  c->host = strndup (s, strcspn (s, "/"));
  c->repo = strdup (repo);
  c->curl = curl_easy_init ();
  c->auth = auth;
  if (!c->base || !c->host || !c->repo || !c->curl)
    {
      reg_client_close (c);
      return husk_error_set (err, ENOMEM, "registry client");
    }
  c->host_config = husk_registry_host_find (cfg, c->host);
  if (auth && auth->registry_token && *auth->registry_token)
    c->authorization = str_printf ("Bearer %s", auth->registry_token);
  return 0;
}

void
reg_client_close (struct reg_client *c)
{
  if (c->curl)
    curl_easy_cleanup (c->curl);
  free (c->base);
  free (c->host);
  free (c->repo);
  free (c->authorization);
  memset (c, 0, sizeof *c);
}
