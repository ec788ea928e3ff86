#include "tls.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "pki.h"
#include "request.h"
#include "tls_gate.h"

struct huskd_tls {
  SSL_CTX *ctx;
  char *token;
  struct huskd_tls_gates gates;
};

static struct bufferevent *
make_bev (struct event_base *base, void *arg)
{
  struct huskd_tls *t = arg;
  SSL *ssl = SSL_new (t->ctx);
  return ssl ? huskd_tls_gate_bev (&t->gates, base, ssl) : NULL;
}

/* A client certificate the handshake verified against our CA, or the
 * bearer token.  The gate (tls_gate.c) let only connections that showed
 * one of them this far; each request is still checked, since a token is
 * per request. */
static bool
authenticated (struct huskd_tls *t, struct evhttp_request *req)
{
  struct evhttp_connection *conn = evhttp_request_get_connection (req);
  struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent (conn) : NULL;
  const char *auth = evhttp_find_header (evhttp_request_get_input_headers (req), "Authorization");
  return huskd_peer_verified (bev ? bufferevent_openssl_get_ssl (bev) : NULL)
         || huskd_token_ok (t->token, auth);
}

static void
route_tls (struct evhttp_request *req, void *arg)
{
  struct huskd *d = arg;
  if (authenticated (d->tls, req))
    return huskd_route (req, d);
  struct hreq r = { .d = d, .req = req };
  struct api_status *s = api_status_new (401, "Unauthorized", "Unauthorized");
  evhttp_add_header (evhttp_request_get_output_headers (req), "Connection", "close");
  hreq_reply_status (&r, s);
}

static int
make_ctx (struct huskd_tls *t, const struct huskd_pki_paths *p, struct husk_error **err)
{
  t->ctx = SSL_CTX_new (TLS_server_method ());
  if (!t->ctx || !SSL_CTX_set_min_proto_version (t->ctx, TLS1_2_VERSION)
      || SSL_CTX_use_certificate_chain_file (t->ctx, p->server_crt) != 1
      || SSL_CTX_use_PrivateKey_file (t->ctx, p->server_key, SSL_FILETYPE_PEM) != 1
      || SSL_CTX_load_verify_locations (t->ctx, p->ca_crt, NULL) != 1)
    return husk_error_set (err, 0, "TLS setup with `%s`: %s", p->dir,
                           ERR_reason_error_string (ERR_get_error ()) ?: "OpenSSL error");
  /* ask for a client certificate but let token clients in without one */
  SSL_CTX_set_verify (t->ctx, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_client_CA_list (t->ctx, SSL_load_client_CA_file (p->ca_crt));
  return 0;
}

static char *
base64_file (const char *path)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *data = NULL;
  size_t len;
  char *out;
  if (huskd_pki_read (path, &data, &len, &err) < 0)
    return strdup ("");
  out = calloc (4 * ((len + 2) / 3) + 1, 1);
  EVP_EncodeBlock ((unsigned char *) out, (const unsigned char *) data, (int) len);
  return out;
}

/* YAML, not JSON: kubectl reads either, and this is the form people expect
 * to see in a kubeconfig. */
static int
write_kubeconfig (struct huskd *d, const struct huskd_pki_paths *p, struct husk_error **err)
{
  char path[4096];
  cleanup_free char *ca = base64_file (p->ca_crt), *crt = base64_file (p->admin_crt);
  cleanup_free char *key = base64_file (p->admin_key);
  cleanup_fclose FILE *f = NULL;
  snprintf (path, sizeof path, "%s/kubeconfig", d->opts.state_dir);
  if (!(f = huskd_pki_create_private (path, err)))
    return -1;
  fprintf (f,
           "apiVersion: v1\nkind: Config\nclusters:\n- name: husk\n  cluster:\n"
           "    server: https://%s\n    certificate-authority-data: %s\n"
           "users:\n- name: husk-admin\n  user:\n    client-certificate-data: %s\n"
           "    client-key-data: %s\n"
           "contexts:\n- name: husk\n  context:\n    cluster: husk\n    user: husk-admin\n"
           "    namespace: default\ncurrent-context: husk\n",
           d->opts.listen, ca, crt, key);
  fchmod (fileno (f), 0600); /* an older file keeps its mode through O_TRUNC */
  if (fflush (f) != 0 || ferror (f))
    return husk_error_set (err, errno, "write `%s`", path);
  return 0;
}

static int
bind_listen (struct huskd *d, struct husk_error **err)
{
  char host[256];
  const char *colon = strrchr (d->opts.listen, ':');
  long port;
  if (!colon || colon == d->opts.listen || (size_t) (colon - d->opts.listen) >= sizeof host
      || (port = strtol (colon + 1, NULL, 10)) <= 0 || port > 65535)
    return husk_error_set (err, EINVAL, "--listen `%s`: want ADDRESS:PORT", d->opts.listen);
  snprintf (host, sizeof host, "%.*s", (int) (colon - d->opts.listen), d->opts.listen);
  d->http_tls = evhttp_new (d->base);
  huskd_http_configure (d, d->http_tls, true);
  evhttp_set_bevcb (d->http_tls, make_bev, d->tls);
  evhttp_set_gencb (d->http_tls, route_tls, d);
  if (!evhttp_bind_socket_with_handle (d->http_tls, host, (ev_uint16_t) port))
    return husk_error_set (err, errno, "listen on `%s`", d->opts.listen);
  return 0;
}

int
huskd_tls_start (struct huskd *d, struct husk_error **err)
{
  struct huskd_pki_paths p;
  size_t len;
  huskd_pki_paths (d->opts.state_dir, &p);
  d->tls = calloc (1, sizeof *d->tls);
  if (!d->tls)
    return husk_error_set (err, ENOMEM, "TLS listener");
  if (huskd_pki_ensure (&p, err) < 0 || huskd_pki_read (p.token, &d->tls->token, &len, err) < 0
      || make_ctx (d->tls, &p, err) < 0 || write_kubeconfig (d, &p, err) < 0)
    return -1;
  if (huskd_tls_gates_init (&d->tls->gates, d->tls->token) < 0)
    return husk_error_set (err, 0, "TLS listener: no SSL ex data slot");
  return bind_listen (d, err);
}

void
huskd_tls_free (struct huskd *d)
{
  if (d->http_tls)
    evhttp_free (d->http_tls);
  if (d->tls)
    {
      SSL_CTX_free (d->tls->ctx);
      free (d->tls->token);
      free (d->tls);
    }
}
