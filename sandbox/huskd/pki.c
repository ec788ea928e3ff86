#include "pki.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

HUSK_DEFINE_CLEANUP (EVP_PKEY, EVP_PKEY_free)
HUSK_DEFINE_CLEANUP (X509, X509_free)
#define cleanup_pkey __attribute__ ((cleanup (EVP_PKEY_freep)))
#define cleanup_x509 __attribute__ ((cleanup (X509_freep)))

void
huskd_pki_paths (const char *state_dir, struct huskd_pki_paths *p)
{
  snprintf (p->dir, sizeof p->dir, "%s/pki", state_dir);
  snprintf (p->ca_crt, sizeof p->ca_crt, "%s/ca.crt", p->dir);
  snprintf (p->ca_key, sizeof p->ca_key, "%s/ca.key", p->dir);
  snprintf (p->server_crt, sizeof p->server_crt, "%s/server.crt", p->dir);
  snprintf (p->server_key, sizeof p->server_key, "%s/server.key", p->dir);
  snprintf (p->admin_crt, sizeof p->admin_crt, "%s/admin.crt", p->dir);
  snprintf (p->admin_key, sizeof p->admin_key, "%s/admin.key", p->dir);
  snprintf (p->token, sizeof p->token, "%s/token", p->dir);
}

FILE *
huskd_pki_create_private (const char *path, struct husk_error **err)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FILE *f = fd >= 0 ? fdopen (fd, "w") : NULL;
  if (!f)
    {
      husk_error_set (err, errno, "create `%s`", path);
      if (fd >= 0)
        close (fd);
    }
  return f;
}

static int
ssl_error (struct husk_error **err, const char *what)
{
  return husk_error_set (err, 0, "%s: OpenSSL failed", what);
}

static int
add_ext (X509 *cert, X509 *issuer, int nid, const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ext;
  X509V3_set_ctx_nodb (&ctx);
  X509V3_set_ctx (&ctx, issuer, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  if (!ext)
    return -1;
  X509_add_ext (cert, ext, -1);
  X509_EXTENSION_free (ext);
  return 0;
}

/* A certificate for key, signed by (issuer, issuer_key), or self-signed
 * when issuer is NULL. */
static X509 *
make_cert (EVP_PKEY *key, const char *cn, const char *org, X509 *issuer, EVP_PKEY *issuer_key,
           const char *const *exts)
{
  X509 *cert = X509_new ();
  X509_NAME *name = X509_get_subject_name (cert);
  unsigned char serial[16];
  BIGNUM *bn;
  RAND_bytes (serial, sizeof serial);
  serial[0] &= 0x7f;
  bn = BN_bin2bn (serial, sizeof serial, NULL);
  BN_to_ASN1_INTEGER (bn, X509_get_serialNumber (cert));
  BN_free (bn);
  X509_set_version (cert, 2);
  X509_gmtime_adj (X509_getm_notBefore (cert), -3600);
  X509_gmtime_adj (X509_getm_notAfter (cert), 10L * 365 * 24 * 3600);
  X509_set_pubkey (cert, key);
  if (org)
    X509_NAME_add_entry_by_txt (name, "O", MBSTRING_ASC, (const unsigned char *) org, -1, -1, 0);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const unsigned char *) cn, -1, -1, 0);
  X509_set_issuer_name (cert, issuer ? X509_get_subject_name (issuer) : name);
  for (size_t i = 0; exts[i]; i += 2)
    if (add_ext (cert, issuer ? issuer : cert, OBJ_txt2nid (exts[i]), exts[i + 1]) < 0)
      {
        X509_free (cert);
        return NULL;
      }
  if (!X509_sign (cert, issuer_key ? issuer_key : key, EVP_sha256 ()))
    {
      X509_free (cert);
      return NULL;
    }
  return cert;
}

static int
write_pair (const char *crt_path, const char *key_path, X509 *cert, EVP_PKEY *key,
            struct husk_error **err)
{
  cleanup_fclose FILE *k = huskd_pki_create_private (key_path, err);
  cleanup_fclose FILE *c = k ? huskd_pki_create_private (crt_path, err) : NULL;
  if (!c)
    return -1;
  if (!PEM_write_PrivateKey (k, key, NULL, NULL, 0, NULL, NULL) || !PEM_write_X509 (c, cert))
    return ssl_error (err, "write certificate");
  return 0;
}

static int
load_pair (const char *crt_path, const char *key_path, X509 **cert, EVP_PKEY **key,
           struct husk_error **err)
{
  cleanup_fclose FILE *c = fopen (crt_path, "re");
  cleanup_fclose FILE *k = fopen (key_path, "re");
  if (!c || !k)
    return husk_error_set (err, errno, "open `%s`", c ? key_path : crt_path);
  *cert = PEM_read_X509 (c, NULL, NULL, NULL);
  *key = PEM_read_PrivateKey (k, NULL, NULL, NULL);
  if (!*cert || !*key)
    return ssl_error (err, crt_path);
  return 0;
}

static int
make_token (const char *path, struct husk_error **err)
{
  unsigned char raw[24];
  char hex[49];
  cleanup_fclose FILE *f = NULL;
  if (access (path, F_OK) == 0)
    return 0;
  if (RAND_bytes (raw, sizeof raw) != 1)
    return ssl_error (err, "random token");
  for (size_t i = 0; i < sizeof raw; i++)
    snprintf (hex + 2 * i, 3, "%02x", raw[i]);
  if (!(f = huskd_pki_create_private (path, err)))
    return -1;
  fputs (hex, f);
  return 0;
}

static int
issue (const char *crt, const char *key_path, const char *cn, const char *org, X509 *ca,
       EVP_PKEY *ca_key, const char *const *exts, struct husk_error **err)
{
  cleanup_pkey EVP_PKEY *key = NULL;
  cleanup_x509 X509 *cert = NULL;
  if (access (crt, F_OK) == 0)
    return 0;
  key = EVP_EC_gen ("P-256");
  cert = key ? make_cert (key, cn, org, ca, ca_key, exts) : NULL;
  if (!cert)
    return ssl_error (err, cn);
  return write_pair (crt, key_path, cert, key, err);
}

int
huskd_pki_ensure (const struct huskd_pki_paths *p, struct husk_error **err)
{
  static const char *const ca_exts[] = { "basicConstraints", "critical,CA:TRUE", "keyUsage",
                                         "critical,keyCertSign,cRLSign,digitalSignature",
                                         "subjectKeyIdentifier", "hash", NULL };
  static const char *const server_exts[]
      = { "basicConstraints", "critical,CA:FALSE", "keyUsage",
          "critical,digitalSignature,keyEncipherment", "extendedKeyUsage", "serverAuth",
          "subjectAltName", "IP:127.0.0.1,IP:::1,DNS:localhost", NULL };
  static const char *const client_exts[]
      = { "basicConstraints", "critical,CA:FALSE", "keyUsage", "critical,digitalSignature",
          "extendedKeyUsage", "clientAuth", NULL };
  cleanup_pkey EVP_PKEY *ca_key = NULL;
  cleanup_x509 X509 *ca = NULL;

  if (mkdir (p->dir, 0700) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", p->dir);
  if (issue (p->ca_crt, p->ca_key, "husk-ca", NULL, NULL, NULL, ca_exts, err) < 0
      || load_pair (p->ca_crt, p->ca_key, &ca, &ca_key, err) < 0
      || issue (p->server_crt, p->server_key, "huskd", NULL, ca, ca_key, server_exts, err) < 0
      || issue (p->admin_crt, p->admin_key, "husk-admin", "system:masters", ca, ca_key,
                client_exts, err)
             < 0)
    return husk_error_wrap (err, "make TLS credentials in `%s`", p->dir);
  return make_token (p->token, err);
}

int
huskd_pki_read (const char *path, char **out, size_t *len, struct husk_error **err)
{
  cleanup_fclose FILE *f = fopen (path, "re");
  char buf[65536];
  size_t n;
  if (!f)
    return husk_error_set (err, errno, "open `%s`", path);
  n = fread (buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  *out = strdup (buf);
  *len = n;
  return 0;
}
