/* Image references as Kubernetes (and Docker) normalise them:
 *
 *   busybox                  docker.io/library/busybox:latest
 *   user/app:1.0             docker.io/user/app:1.0
 *   quay.io/a/b@sha256:...   quay.io/a/b@sha256:...
 *   localhost:5000/x         localhost:5000/x:latest
 *
 * The first component is a registry host when it holds a '.' or a ':' or
 * is "localhost" (distribution/reference's rule); otherwise the name is
 * docker.io's, and a one-component name is under library/.  Components
 * are lower case [a-z0-9] separated by '.', '_', '__' or dashes; a tag is
 * [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; a digest is sha256:<64 hex>. */
#ifndef HUSK_SANDBOX_IMAGE_REF_H
#define HUSK_SANDBOX_IMAGE_REF_H

#include <stdbool.h>

#include "../../oci/error.h"

#define HUSK_DOCKER_HUB "docker.io"

struct husk_image_ref {
  char *domain;  /* "docker.io", "127.0.0.1:5000" */
  char *path;    /* "library/busybox" */
  char *tag;     /* "latest" when neither a tag nor a digest was given */
  char *digest;  /* "sha256:<hex>" or NULL */
  bool qualified; /* the reference named its registry */
};

/* Parses and normalises `s`; *out is freed with husk_image_ref_clear. */
int husk_image_ref_parse (const char *s, struct husk_image_ref *out, struct husk_error **err);
void husk_image_ref_clear (struct husk_image_ref *ref);

/* "docker.io/library/busybox" */
char *husk_image_ref_repository (const struct husk_image_ref *ref);
/* "docker.io/library/busybox:latest", or "...@sha256:..." when pulled by
 * digest (the tag is then only a label and left out, as Kubernetes does). */
char *husk_image_ref_string (const struct husk_image_ref *ref);

/* True when `s` is a valid sha256 digest ("sha256:" and 64 lower hex). */
bool husk_digest_valid (const char *s);

#endif
