/* The httpGet probe through libcurl, on a socket made in the pod's netns
 * (curl's open-socket callback): HTTP and HTTPS (not verified, as kubelet
 * does not verify), the probe's httpHeaders, kubelet's User-Agent, no
 * proxy from huskd's environment.  A status in [200, 400) is success;
 * redirects are not followed (kubelet counts a redirect off the pod as
 * success too). */
#include "probe.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "str_printf.h"

/* Reading the body is capped, as kubelet caps it: a probe endpoint that
 * streams forever must not hold the probe past its deadline or memory. */
#define MAX_BODY (10 * 1024)

struct http_call {
  const char *netns;
  size_t body_read;
};

static void
easy_cleanupp (CURL **c)
{
  if (*c)
    curl_easy_cleanup (*c);
}
#define cleanup_curl __attribute__ ((cleanup (easy_cleanupp)))

static void
slist_freep (struct curl_slist **l)
{
  curl_slist_free_all (*l);
}
#define cleanup_slist __attribute__ ((cleanup (slist_freep)))

int
husk_probes_init (void)
{
  return curl_global_init (CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
husk_probes_cleanup (void)
{
  curl_global_cleanup ();
}

static curl_socket_t
open_in_pod (void *user, curlsocktype purpose, struct curl_sockaddr *addr)
{
  struct http_call *call = user;
  int fd = husk_probe_socket_in (call->netns, addr->family, addr->socktype);
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static size_t
discard_body (char *data, size_t size, size_t n, void *user)
{
  struct http_call *call = user;
  call->body_read += size * n;
  return call->body_read > MAX_BODY ? 0 : size * n;
}

static struct curl_slist *
request_headers (const char *const *extra)
{
  struct curl_slist *list = NULL, *next;
  bool agent = false;
  for (size_t i = 0; extra && extra[i]; i++)
    {
      agent |= strncasecmp (extra[i], "User-Agent:", 11) == 0;
      if (!(next = curl_slist_append (list, extra[i])))
        return curl_slist_free_all (list), NULL;
      list = next;
    }
  if (!agent && (next = curl_slist_append (list, "User-Agent: kube-probe/1.30")))
    list = next;
  return list;
}

static char *
probe_url (const struct husk_http_probe *p)
{
  char where[300];
  const char *path = p->path && *p->path ? p->path : "/";
  return str_printf ("%s://%s%s%s", p->https ? "https" : "http",
                     husk_probe_host_port (p->host, p->port, where, sizeof where),
                     *path == '/' ? "" : "/", path);
}

enum husk_probe_result
husk_probe_http (const char *netns_path, const struct husk_http_probe *p, int timeout_ms,
                 char **output)
{
  struct http_call call = { .netns = netns_path };
  cleanup_free char *url = probe_url (p);
  cleanup_curl CURL *curl = curl_easy_init ();
  cleanup_slist struct curl_slist *headers = request_headers (p->headers);
  char error[CURL_ERROR_SIZE] = "";
  long code = 0;
  CURLcode r;

  *output = NULL;
  if (!url || !curl || !headers)
    return *output = str_printf ("cannot set up the HTTP probe"), HUSK_PROBE_UNKNOWN;
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_OPENSOCKETFUNCTION, open_in_pod);
  curl_easy_setopt (curl, CURLOPT_OPENSOCKETDATA, &call);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &call);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 0L);
  r = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
  if (r != CURLE_OK && !(r == CURLE_WRITE_ERROR && code))
    {
      *output = str_printf ("Get \"%s\": %s", url, *error ? error : curl_easy_strerror (r));
      return HUSK_PROBE_FAILURE;
    }
  if (code >= 200 && code < 400)
    return HUSK_PROBE_SUCCESS;
  *output = str_printf ("HTTP probe failed with statuscode: %ld", code);
  return HUSK_PROBE_FAILURE;
}
