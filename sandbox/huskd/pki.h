/* The TLS listener's credentials, made once with OpenSSL into
 * <state>/pki/: a CA (EC P-256, 10 years), a server certificate for
 * 127.0.0.1 and localhost, an admin client certificate (CN=husk-admin,
 * O=system:masters, as kubeadm names its admin), and a random bearer
 * token.  Keys are 0600 in a 0700 directory. */
#ifndef HUSK_HUSKD_PKI_H
#define HUSK_HUSKD_PKI_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

struct huskd_pki_paths {
  char dir[4096];
  char ca_crt[4200], ca_key[4200];
  char server_crt[4200], server_key[4200];
  char admin_crt[4200], admin_key[4200];
  char token[4200];
};

void huskd_pki_paths (const char *state_dir, struct huskd_pki_paths *p);
/* Makes whatever is missing; existing files are kept. */
int huskd_pki_ensure (const struct huskd_pki_paths *p, struct husk_error **err);
/* Creates or truncates path, mode 0600 when new: for keys, tokens and the
 * kubeconfig that carries them. */
FILE *huskd_pki_create_private (const char *path, struct husk_error **err);
/* A whole small file (certificate, token) as a malloc'd string. */
int huskd_pki_read (const char *path, char **out, size_t *len, struct husk_error **err);

#endif
