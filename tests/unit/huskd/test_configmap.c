/* ConfigMap / Secret admission pieces and the pull-secret keyring:
 * base64 as Go reads it, config keys, and credentials per registry host. */
#include <stdlib.h>

#include "../tap.h"
#include "base64.h"
#include "configmap.h"
#include "dockercfg.h"
#include "jv.h"

static void
test_base64 (void)
{
  static const struct { const char *in, *out; long bad; } cases[] = {
    { "", "", -1 },           { "YQ==", "a", -1 },      { "YWI=", "ab", -1 },
    { "YWJj", "abc", -1 },    { "YWJj\nZA==", "abcd", -1 }, { "not base64!", NULL, 3 },
    { "YQ", NULL, 0 },        { "YQ=", NULL, 0 },       { "YQ==YQ==", NULL, 4 },
    { "=", NULL, 0 },         { "YWJjZA=", NULL, 4 },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      unsigned char *out = NULL;
      size_t len = 0, bad = 0;
      int r = api_base64_decode (cases[i].in, &out, &len, &bad);
      if (cases[i].out)
        {
          ok (r == 0 && len == strlen (cases[i].out) && !memcmp (out, cases[i].out, len),
              "decodes case %zu", i);
          char *enc = api_base64_encode (out, len);
          ok (strchr (cases[i].in, '\n') || !strcmp (enc, cases[i].in), "encodes back case %zu",
              i);
          free (enc);
        }
      else
        {
          ok (r < 0, "refuses \"%s\"", cases[i].in);
          is_int (bad, cases[i].bad, "the illegal byte of \"%s\"", cases[i].in);
        }
      free (out);
    }
}

static void
test_keys (void)
{
  ok (api_config_key_error ("app.properties") == NULL, "a dotted key");
  ok (api_config_key_error ("KEY_name-1") == NULL, "letters, digits, - and _");
  ok (api_config_key_error ("a b") != NULL, "a space");
  ok (api_config_key_error ("..data") != NULL, "..data (the writer's own)");
  ok (api_config_key_error ("..") != NULL, "..");
  ok (api_config_key_error ("a/b") != NULL, "a slash");
  ok (api_config_key_error ("") != NULL, "empty");
}

static yajl_val
secret (const char *type, const char *key, const char *json)
{
  yajl_val s = jv_object ();
  char *enc = api_base64_encode ((const unsigned char *) json, strlen (json));
  jv_set (s, "type", jv_string (type));
  jv_set (jv_obj_at (s, "data"), key, jv_string (enc));
  free (enc);
  return s;
}

static void
test_credentials (void)
{
  yajl_val s[3] = {
    secret ("Opaque", ".dockerconfigjson", "{\"auths\":{\"registry.test:5000\":{\"username\":\"no\"}}}"),
    secret ("kubernetes.io/dockerconfigjson", ".dockerconfigjson",
            "{\"auths\":{\"https://registry.test:5000/v1/\":{\"username\":\"bob\",\"password\":\"pw\"},"
            "\"*.corp.test\":{\"auth\":\"YWxpY2U6c2VjcmV0\"},"
            "\"https://index.docker.io/v1/\":{\"identitytoken\":\"tok\"}}}"),
    secret ("kubernetes.io/dockercfg", ".dockercfg", "{\"old.test\":{\"auth\":\"ZWQ6eA==\"}}"),
  };
  struct api_registry_auth a;
  char host[256];
  ok (api_docker_credentials (s, 3, "registry.test:5000", &a) == 0, "a host with a port");
  is_str (a.username, "bob", "its user (the Opaque secret skipped)");
  is_str (a.password, "pw", "its password");
  api_registry_auth_clear (&a);
  ok (api_docker_credentials (s, 3, "registry.test", &a) < 0, "no port is another registry");
  ok (api_docker_credentials (s, 3, "r.corp.test", &a) == 0, "a glob");
  is_str (a.username, "alice", "auth decoded: user");
  is_str (a.password, "secret", "auth decoded: password");
  api_registry_auth_clear (&a);
  ok (api_docker_credentials (s, 3, "a.b.corp.test", &a) < 0, "a glob matches one label");
  ok (api_docker_credentials (s, 3, api_image_registry ("busybox:1", host, sizeof host), &a) == 0,
      "docker.io is index.docker.io");
  is_str (a.identity_token, "tok", "an identity token");
  api_registry_auth_clear (&a);
  ok (api_docker_credentials (s, 3, "old.test", &a) == 0, "a dockercfg secret");
  is_str (a.username, "ed", "its user");
  api_registry_auth_clear (&a);
  is_str (api_image_registry ("registry.test:5000/a/b:1", host, sizeof host), "registry.test:5000",
          "the registry of a reference");
  is_str (api_image_registry ("localhost/x", host, sizeof host), "localhost", "localhost");
  is_str (api_image_registry ("library/x", host, sizeof host), "docker.io", "a Hub path");
  for (size_t i = 0; i < 3; i++)
    yajl_tree_free (s[i]);
}

int
main (void)
{
  test_base64 ();
  test_keys ();
  test_credentials ();
  return tap_done ();
}
