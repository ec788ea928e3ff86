/* What a client sends as a Secret or ConfigMap and what the kubelet side
 * reads back from one: the input is a Secret's body (JSON) run through
 * admission, its data through the base64 decoder, and it is also taken as
 * a .dockerconfigjson pull secret looked up for a few registry hosts. */
#include <stdio.h>

#include "base64.h"
#include "configmap.h"
#include "dockercfg.h"
#include "fuzz.h"
#include "jv.h"
#include "status.h"

static void
admit (const char *text)
{
  char why[128];
  yajl_val a = yajl_tree_parse (text, why, sizeof why), b;
  struct api_status *s;
  if (!a || !YAJL_IS_OBJECT (a))
    {
      if (a)
        yajl_tree_free (a);
      return;
    }
  b = jv_copy (a);
  if ((s = api_secret_admit (NULL, a)))
    api_status_free (s);
  if ((s = api_secret_admit (a, b))) /* an update from what was admitted */
    api_status_free (s);
  if ((s = api_configmap_admit (NULL, b)))
    api_status_free (s);
  yajl_tree_free (a);
  yajl_tree_free (b);
}

static void
pull_secret (const uint8_t *data, size_t size)
{
  static const char *const hosts[] = { "docker.io", "registry.test:5000", "a.corp.test", "" };
  char *enc = api_base64_encode (data, size);
  yajl_val s = jv_object ();
  jv_set (s, "type", jv_string ("kubernetes.io/dockerconfigjson"));
  jv_set (jv_obj_at (s, "data"), ".dockerconfigjson", jv_string (enc));
  for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
    {
      struct api_registry_auth a;
      if (api_docker_credentials (&s, 1, hosts[i], &a) == 0)
        api_registry_auth_clear (&a);
    }
  free (enc);
  yajl_tree_free (s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = fuzz_text (data, size), buf[256];
  unsigned char *raw = NULL;
  size_t len, bad;
  if (api_base64_decode (text, &raw, &len, &bad) == 0)
    {
      char *back = api_base64_encode (raw, len);
      free (back);
      free (raw);
    }
  else if (bad > size)
    abort ();
  admit (text);
  pull_secret (data, size);
  api_image_registry (text, buf, sizeof buf);
  free (text);
  return 0;
}
