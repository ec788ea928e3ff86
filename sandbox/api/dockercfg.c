#include "dockercfg.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "configmap.h"
#include "jv.h"

void
api_registry_auth_clear (struct api_registry_auth *a)
{
  free (a->username);
  free (a->password);
  free (a->identity_token);
  memset (a, 0, sizeof *a);
}

static bool
is_docker_hub (const char *host)
{
  return !strcmp (host, "docker.io") || !strcmp (host, "index.docker.io")
         || !strcmp (host, "registry-1.docker.io");
}

const char *
api_image_registry (const char *image, char *buf, size_t size)
{
  size_t n = strcspn (image, "/");
  /* the first component is a host when it looks like one */
  if (image[n] == '/' && (memchr (image, '.', n) || memchr (image, ':', n)
                          || (n == 9 && !strncmp (image, "localhost", 9))))
    snprintf (buf, size, "%.*s", (int) n, image);
  else
    snprintf (buf, size, "docker.io");
  return buf;
}

/* KEY's host[:port]: without scheme and path, lower case. */
static void
key_host (const char *key, char *buf, size_t size)
{
  const char *p = strstr (key, "://");
  p = p ? p + 3 : key;
  snprintf (buf, size, "%.*s", (int) strcspn (p, "/"), p);
  for (char *c = buf; *c; c++)
    if (*c >= 'A' && *c <= 'Z')
      *c = (char) (*c + 32);
}

static size_t
labels (const char *s)
{
  size_t n = 1;
  for (; *s; s++)
    n += *s == '.';
  return n;
}

/* The keyring's URLsMatch: same port, as many labels, each matching as a
 * glob ("*.example.com" matches "a.example.com", not "a.b.example.com"). */
static bool
host_matches (const char *key, const char *host)
{
  char k[256], h[256];
  const char *kp, *hp;
  key_host (key, k, sizeof k);
  key_host (host, h, sizeof h);
  if (is_docker_hub (k) && is_docker_hub (h))
    return true;
  kp = strchr (k, ':');
  hp = strchr (h, ':');
  if ((kp == NULL) != (hp == NULL) || (kp && strcmp (kp, hp)))
    return false;
  if (kp)
    k[kp - k] = '\0';
  if (hp)
    h[hp - h] = '\0';
  return labels (k) == labels (h) && fnmatch (k, h, FNM_PERIOD) == 0;
}

static char *
dup_str (yajl_val obj, const char *key)
{
  const char *s = jv_str (obj, key);
  return s && *s ? strdup (s) : NULL;
}

/* One entry ({username, password} or {auth}); false when it has nothing. */
static bool
read_entry (yajl_val e, struct api_registry_auth *out)
{
  const char *auth = jv_str (e, "auth");
  out->username = dup_str (e, "username");
  out->password = dup_str (e, "password");
  out->identity_token = dup_str (e, "identitytoken");
  if (auth && *auth && !out->username)
    {
      cleanup_free unsigned char *raw = NULL;
      size_t len, bad;
      char *colon;
      if (api_base64_decode (auth, &raw, &len, &bad) == 0 && strlen ((char *) raw) == len
          && (colon = strchr ((char *) raw, ':')))
        {
          *colon = '\0';
          out->username = strdup ((char *) raw);
          free (out->password);
          out->password = strdup (colon + 1);
        }
    }
  if (out->username || out->password || out->identity_token)
    return true;
  api_registry_auth_clear (out);
  return false;
}

static int
from_auths (yajl_val auths, const char *host, struct api_registry_auth *out)
{
  for (size_t i = 0; YAJL_IS_OBJECT (auths) && i < auths->u.object.len; i++)
    if (host_matches (auths->u.object.keys[i], host) && read_entry (auths->u.object.values[i], out))
      return 0;
  return -1;
}

int
api_docker_credentials (yajl_val *secrets, size_t n, const char *host,
                        struct api_registry_auth *out)
{
  memset (out, 0, sizeof *out);
  for (size_t i = 0; i < n; i++)
    {
      const char *type = jv_str (secrets[i], "type") ?: "";
      bool json = !strcmp (type, "kubernetes.io/dockerconfigjson");
      size_t len;
      char why[128];
      if (!json && strcmp (type, "kubernetes.io/dockercfg"))
        continue;
      cleanup_free unsigned char *raw
          = api_secret_value (secrets[i], json ? ".dockerconfigjson" : ".dockercfg", &len);
      cleanup_jv yajl_val doc = raw && strlen ((char *) raw) == len
                                    ? yajl_tree_parse ((char *) raw, why, sizeof why)
                                    : NULL;
      if (doc && from_auths (json ? jv_get (doc, "auths") : doc, host, out) == 0)
        return 0;
    }
  return -1;
}
