/* Registry credentials from a pod's imagePullSecrets, as the kubelet's
 * credentialprovider keyring reads them: kubernetes.io/dockerconfigjson
 * ({"auths": {KEY: {...}}}) and the older kubernetes.io/dockercfg ({KEY:
 * {...}}), where KEY is a registry host, optionally with a scheme, port,
 * path or a leading "*." glob per label, and each entry has username and
 * password, or auth (base64 "user:password"), or an identitytoken. */
#ifndef HUSK_API_DOCKERCFG_H
#define HUSK_API_DOCKERCFG_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

struct api_registry_auth {
  char *username, *password;
  char *identity_token; /* an OAuth2 refresh token, when the entry has one */
};

void api_registry_auth_clear (struct api_registry_auth *a);

/* The credentials for the registry `host` ("registry.test:5000";
 * "docker.io" and "index.docker.io" name the same) from the Secrets, in
 * the pod's order (the first match wins, as the kubelet tries them): 0
 * with *out filled, or -1 when none of them has an entry for it.  Secrets
 * of other types are skipped. */
int api_docker_credentials (yajl_val *secrets, size_t n, const char *host,
                            struct api_registry_auth *out);

/* The registry host of an image reference ("busybox" -> "docker.io",
 * "registry.test:5000/a/b:1" -> "registry.test:5000"), in buf. */
const char *api_image_registry (const char *image, char *buf, size_t size);

#endif
