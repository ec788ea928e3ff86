/* The registry configuration huskd reads (huskd --registry-config, default
 * /etc/husk/registries.yaml): k3s's and RKE2's registries.yaml, which
 * users of small Kubernetes distributions know, parsed with libyaml.
 * (containers' registries.conf is TOML, and Debian has no C TOML library;
 * containerd's hosts.toml likewise.)  docs/images.md has the details.
 *
 *   mirrors:
 *     docker.io:
 *       endpoint: ["http://127.0.0.1:5000", "https://mirror.example"]
 *   configs:
 *     "registry.example:5000":
 *       auth: {username: u, password: p}   # or auth: base64, identity_token
 *       tls: {insecure_skip_verify: true, ca_file: /path/ca.pem}
 *   # husk's additions, in the same file:
 *   insecure: ["registry.lan:5000"]          # plain http
 *   unqualified-search-registries: [docker.io]
 *
 * An endpoint without a scheme is https; hosts on 127.0.0.0/8, ::1 and
 * localhost are plain http without configuration, as Docker does. */
#ifndef HUSK_SANDBOX_IMAGE_REGISTRY_CONFIG_H
#define HUSK_SANDBOX_IMAGE_REGISTRY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "../../oci/error.h"

struct husk_registry_mirror {
  char *registry;   /* "docker.io", or "*" for every registry */
  char **endpoints; /* NULL terminated URLs */
};

struct husk_registry_host {
  char *host; /* "127.0.0.1:5000", as in the endpoint URL */
  char *username, *password, *auth, *identity_token;
  bool insecure_skip_verify;
  char *ca_file;
};

struct husk_registry_config {
  struct husk_registry_mirror *mirrors;
  size_t n_mirrors;
  struct husk_registry_host *hosts;
  size_t n_hosts;
  char **insecure; /* NULL terminated */
  char **search;   /* NULL terminated; NULL means docker.io only */
};

/* Parses a registries.yaml document (`name` for messages). */
int husk_registry_config_parse (const char *name, const char *data, size_t len,
                                struct husk_registry_config **out, struct husk_error **err);
/* Reads `path`; a missing file is an empty configuration. */
int husk_registry_config_load (const char *path, struct husk_registry_config **out,
                               struct husk_error **err);
void husk_registry_config_free (struct husk_registry_config *cfg);

/* The endpoints to try for `registry` (the domain of a reference), mirrors
 * first and then the registry itself, as base URLs without a trailing
 * slash ("http://127.0.0.1:5000"); docker.io itself is
 * https://registry-1.docker.io.  NULL terminated, malloc'd. */
char **husk_registry_endpoints (const struct husk_registry_config *cfg, const char *registry);

/* The settings for an endpoint's host ("host:port"), NULL when none. */
const struct husk_registry_host *husk_registry_host_find (const struct husk_registry_config *cfg,
                                                          const char *host);

#endif
