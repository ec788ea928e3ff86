/* The registry auth handshake's two parsers (Docker's token
 * specification): the challenge a 401 carries,
 *
 *   WWW-Authenticate: Bearer realm="https://auth.example/token",
 *                     service="registry.example",scope="repository:x:pull"
 *   WWW-Authenticate: Basic realm="Registry Realm"
 *
 * and the token server's answer, {"token": "...", "access_token": "...",
 * "expires_in": 300}.  Pure functions, fuzzed (tests/fuzz). */
#ifndef HUSK_SANDBOX_IMAGE_REGISTRY_AUTH_H
#define HUSK_SANDBOX_IMAGE_REGISTRY_AUTH_H

#include <stddef.h>

#include "../../oci/error.h"

enum reg_auth_scheme { REG_AUTH_NONE, REG_AUTH_BASIC, REG_AUTH_BEARER };

struct reg_challenge {
  enum reg_auth_scheme scheme;
  char *realm, *service, *scope;
};

int reg_challenge_parse (const char *header, struct reg_challenge *out, struct husk_error **err);
void reg_challenge_clear (struct reg_challenge *c);

/* The token of a token server's JSON answer ("token", else
 * "access_token"); *refresh gets "refresh_token" when present. */
int reg_token_parse (const char *body, size_t len, char **token, char **refresh,
                     struct husk_error **err);

#endif
