/* The registry HTTP client (OCI distribution spec, on libcurl): GETs of
 * /v2/<repo>/manifests/<ref> and /v2/<repo>/blobs/<digest> against one
 * endpoint, with the auth handshake (anonymous, basic, the bearer token
 * flow) and retries of transfers that failed half way.  Internal to
 * sandbox/image. */
#ifndef HUSK_SANDBOX_IMAGE_REGISTRY_HTTP_H
#define HUSK_SANDBOX_IMAGE_REGISTRY_HTTP_H

#include <gnutls/crypto.h>
#include <stdbool.h>
#include <stdint.h>

#include "registry.h"

struct reg_client {
  void *curl;  /* CURL * */
  char *base;  /* "http://127.0.0.1:5000" */
  char *host;  /* "127.0.0.1:5000" */
  char *repo;  /* "library/busybox" */
  const struct husk_registry_host *host_config;
  const struct husk_registry_auth *auth;
  char *authorization; /* the header value once negotiated */
};

/* Where a body goes: memory (up to `max` bytes) or a file descriptor, the
 * sha256 and length counted on the way. */
struct reg_sink {
  char *buf;
  size_t len, max;
  int fd; /* -1 for memory */
  uint64_t written, expected; /* expected: 0 for unknown */
  gnutls_hash_hd_t hash;
  bool hashing, overflow;
  const char *digest; /* for progress */
  husk_pull_progress_fn progress;
  void *progress_arg;
};

struct reg_reply {
  long status;
  char *content_type;
  char *challenge; /* WWW-Authenticate */
};

int reg_client_open (struct reg_client *c, const char *base, const char *repo,
                     const struct husk_registry_config *cfg,
                     const struct husk_registry_auth *auth, struct husk_error **err);
void reg_client_close (struct reg_client *c);

/* GET base/v2/<repo>/<kind>/<ref> into sink (reset before every retry);
 * 0 only for a 200 answer.  `accept` may be NULL. */
int reg_get (struct reg_client *c, const char *kind, const char *ref, const char *accept,
             struct reg_sink *sink, struct reg_reply *reply, struct husk_error **err);
void reg_reply_clear (struct reg_reply *r);

/* Finishes the sink's hash into "sha256:<hex>" (65 + 7 bytes). */
void reg_sink_digest (struct reg_sink *s, char out[72]);
void reg_sink_clear (struct reg_sink *s);

#endif
