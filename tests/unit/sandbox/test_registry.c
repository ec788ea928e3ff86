/* The registry code's pure parts: reference normalisation as Kubernetes
 * does it, WWW-Authenticate challenges, token answers, registries.yaml and
 * the endpoints it gives. */
#include <stdlib.h>
#include <string.h>

#include "oci/cleanup.h"
#include "sandbox/image/image_ref.h"
#include "sandbox/image/registry_auth.h"
#include "sandbox/image/registry_config.h"
#include "tap.h"

static void
normalises (const char *in, const char *want)
{
  struct husk_image_ref ref;
  struct husk_error *err = NULL;
  if (!ok (husk_image_ref_parse (in, &ref, &err) == 0, "`%s` parses", in))
    {
      printf ("#   %s\n", err->message);
      husk_error_release (&err);
      return;
    }
  char *s = husk_image_ref_string (&ref);
  is_str (s, want, "`%s` is `%s`", in, want);
  free (s);
  husk_image_ref_clear (&ref);
}

static void
refused (const char *in, const char *why)
{
  struct husk_image_ref ref;
  struct husk_error *err = NULL;
  ok (husk_image_ref_parse (in, &ref, &err) < 0 && strstr (err->message, why),
      "`%s` is refused (%s)", in, why);
  if (err)
    printf ("#   %s\n", err->message);
  husk_error_release (&err);
}

static void
test_refs (void)
{
  static const char d[] = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  char buf[256];
  normalises ("busybox", "docker.io/library/busybox:latest");
  normalises ("busybox:1.36", "docker.io/library/busybox:1.36");
  normalises ("user/app", "docker.io/user/app:latest");
  normalises ("docker.io/busybox", "docker.io/library/busybox:latest");
  normalises ("index.docker.io/library/busybox:1", "docker.io/library/busybox:1");
  normalises ("quay.io/a/b/c:v1.0-rc_1", "quay.io/a/b/c:v1.0-rc_1");
  normalises ("localhost/x", "localhost/x:latest");
  normalises ("localhost:5000/x:tag", "localhost:5000/x:tag");
  normalises ("127.0.0.1:5000/a__b.c-d--e/f", "127.0.0.1:5000/a__b.c-d--e/f:latest");
  normalises ("[::1]:5000/x", "[::1]:5000/x:latest");
  snprintf (buf, sizeof buf, "busybox@%s", d);
  char want[256];
  snprintf (want, sizeof want, "docker.io/library/busybox@%s", d);
  normalises (buf, want);
  snprintf (buf, sizeof buf, "busybox:1.36@%s", d);
  normalises (buf, want);
  refused ("", "empty");
  refused ("Busybox", "invalid repository name");
  refused ("busybox:", "invalid tag");
  refused ("busybox:-x", "invalid tag");
  refused ("a//b", "invalid repository name");
  refused ("a/b/", "invalid repository name");
  refused ("a_-b", "invalid repository name");
  refused ("busybox@sha256:abc", "invalid digest");
  refused ("busybox@md5:d41d8cd98f00b204e9800998ecf8427e", "invalid digest");
  refused ("host:99999999/x", "invalid registry host");
  refused ("-host.io/x", "invalid registry host");
}

static void
test_challenges (void)
{
  struct reg_challenge c;
  struct husk_error *err = NULL;

  ok (reg_challenge_parse ("Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
                           "docker.io\",scope=\"repository:library/busybox:pull\"",
                           &c, &err) == 0,
      "a Bearer challenge parses");
  ok (c.scheme == REG_AUTH_BEARER, "scheme Bearer");
  is_str (c.realm, "https://auth.docker.io/token", "realm");
  is_str (c.service, "registry.docker.io", "service");
  is_str (c.scope, "repository:library/busybox:pull", "scope");
  reg_challenge_clear (&c);
  ok (reg_challenge_parse ("basic realm=\"a \\\"quoted\\\", realm\"", &c, &err) == 0,
      "a basic challenge with an escaped quote and a comma parses");
  ok (c.scheme == REG_AUTH_BASIC, "scheme Basic (case-insensitive)");
  is_str (c.realm, "a \"quoted\", realm", "the realm unescaped");
  reg_challenge_clear (&c);
  ok (reg_challenge_parse ("Bearer realm=http://h/t, service=s ,", &c, &err) == 0,
      "token values and spaces around commas");
  is_str (c.service, "s", "service token");
  reg_challenge_clear (&c);
  ok (reg_challenge_parse ("Bearer service=x", &c, &err) < 0, "Bearer without realm refused");
  husk_error_release (&err);
  ok (reg_challenge_parse ("Bearer realm=\"open", &c, &err) < 0, "unterminated quote refused");
  husk_error_release (&err);
  ok (reg_challenge_parse ("Negotiate abc", &c, &err) < 0, "unknown scheme refused");
  husk_error_release (&err);
}

static void
test_tokens (void)
{
  struct husk_error *err = NULL;
  char *t = NULL, *r = NULL;
  const char *a = "{\"token\":\"T1\",\"expires_in\":300}";
  const char *b = "{\"access_token\":\"T2\",\"refresh_token\":\"R\"}";
  ok (reg_token_parse (a, strlen (a), &t, &r, &err) == 0, "token answer parses");
  is_str (t, "T1", "token");
  free (t);
  ok (reg_token_parse (b, strlen (b), &t, &r, &err) == 0, "access_token answer parses");
  is_str (t, "T2", "access_token");
  is_str (r, "R", "refresh_token");
  free (t);
  free (r);
  ok (reg_token_parse ("{}", 2, &t, &r, &err) < 0, "an answer without a token is refused");
  husk_error_release (&err);
  ok (reg_token_parse ("{\"token\":\"a\\nb\"}", 15, &t, &r, &err) < 0,
      "a token with a newline (header injection) is refused");
  husk_error_release (&err);
}

static void
test_config (void)
{
  static const char yaml[] = "mirrors:\n"
                             "  docker.io:\n"
                             "    endpoint:\n"
                             "      - \"http://127.0.0.1:5000\"\n"
                             "      - mirror.example/v2/\n"
                             "configs:\n"
                             "  \"127.0.0.1:5000\":\n"
                             "    auth: {username: u, password: p}\n"
                             "    tls: {insecure_skip_verify: true}\n"
                             "insecure: [\"lan.example:5000\"]\n"
                             "unqualified-search-registries: [docker.io, quay.io]\n";
  struct husk_registry_config *cfg = NULL;
  struct husk_error *err = NULL;
  char **eps;

  if (!ok (husk_registry_config_parse ("t", yaml, strlen (yaml), &cfg, &err) == 0,
           "registries.yaml parses"))
    {
      printf ("#   %s\n", err->message);
      return;
    }
  eps = husk_registry_endpoints (cfg, "docker.io");
  is_str (eps[0], "http://127.0.0.1:5000", "docker.io: the mirror first");
  is_str (eps[1], "https://mirror.example", "a scheme-less endpoint is https, /v2 dropped");
  is_str (eps[2], "https://registry-1.docker.io", "then docker.io itself");
  ok (eps[3] == NULL, "three endpoints");
  husk_strvfreep (&eps);
  eps = husk_registry_endpoints (cfg, "localhost:5000");
  is_str (eps[0], "http://localhost:5000", "localhost is plain http");
  husk_strvfreep (&eps);
  eps = husk_registry_endpoints (cfg, "127.0.0.2");
  is_str (eps[0], "http://127.0.0.2", "127.0.0.0/8 is plain http");
  husk_strvfreep (&eps);
  eps = husk_registry_endpoints (cfg, "lan.example:5000");
  is_str (eps[0], "http://lan.example:5000", "an insecure registry is plain http");
  husk_strvfreep (&eps);
  eps = husk_registry_endpoints (cfg, "quay.io");
  is_str (eps[0], "https://quay.io", "others are https");
  husk_strvfreep (&eps);
  const struct husk_registry_host *h = husk_registry_host_find (cfg, "127.0.0.1:5000");
  ok (h && !strcmp (h->username, "u") && !strcmp (h->password, "p") && h->insecure_skip_verify,
      "configs: auth and tls");
  is_str (cfg->search[1], "quay.io", "unqualified-search-registries");
  husk_registry_config_free (cfg);
  ok (husk_registry_config_parse ("t", "mirrors: [1]", 12, &cfg, &err) < 0
          && strstr (err->message, "mirrors: not a mapping"),
      "a wrong shape is refused with its key");
  husk_error_release (&err);
  ok (husk_registry_config_parse ("t", "a: [", 4, &cfg, &err) < 0 && strstr (err->message, "line"),
      "bad YAML is refused with its line");
  husk_error_release (&err);
  ok (husk_registry_config_load ("/nonexistent/registries.yaml", &cfg, &err) == 0
          && cfg->n_mirrors == 0,
      "a missing file is an empty configuration");
  husk_registry_config_free (cfg);
}

int
main (void)
{
  test_refs ();
  test_challenges ();
  test_tokens ();
  test_config ();
  return tap_done ();
}
