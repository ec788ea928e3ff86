/* registries.yaml (see registry_config.h).  The document is walked to a
 * fixed depth by the schema, never recursively by the input, so aliases
 * and deep nesting cost nothing; unknown keys are ignored, as k3s does. */
#include "registry_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../../oci/cleanup.h"
#include "../../oci/str_printf.h"
#include "../pod/pod_util.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

static void
strv_free (char **v)
{
  husk_strvfreep (&v);
}

void
husk_registry_config_free (struct husk_registry_config *cfg)
{
  if (cfg == NULL)
    return;
  for (size_t i = 0; i < cfg->n_mirrors; i++)
    {
      free (cfg->mirrors[i].registry);
      strv_free (cfg->mirrors[i].endpoints);
    }
  for (size_t i = 0; i < cfg->n_hosts; i++)
    {
      struct husk_registry_host *h = &cfg->hosts[i];
      free (h->host);
      free (h->username);
      free (h->password);
      free (h->auth);
      free (h->identity_token);
      free (h->ca_file);
    }
  free (cfg->mirrors);
  free (cfg->hosts);
  strv_free (cfg->insecure);
  strv_free (cfg->search);
  free (cfg);
}

static yaml_node_t *
node (yaml_document_t *doc, int id)
{
  return yaml_document_get_node (doc, id);
}

static const char *
scalar (yaml_node_t *n)
{
  return n && n->type == YAML_SCALAR_NODE ? (const char *) n->data.scalar.value : NULL;
}

/* The value of `key` in mapping `m`, NULL when absent or m is no mapping. */
static yaml_node_t *
lookup (yaml_document_t *doc, yaml_node_t *m, const char *key)
{
  if (m == NULL || m->type != YAML_MAPPING_NODE)
    return NULL;
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
    {
      const char *k = scalar (node (doc, p->key));
      if (k && !strcmp (k, key))
        return node (doc, p->value);
    }
  return NULL;
}

static int
dup_scalar (const char *where, yaml_node_t *n, char **out, struct husk_error **err)
{
  if (n == NULL)
    return 0;
  if (scalar (n) == NULL)
    return husk_error_set (err, EINVAL, "%s: not a string", where);
  *out = strdup (scalar (n));
  return *out ? 0 : husk_error_set (err, ENOMEM, "registry config");
}

/* A sequence of strings (or one string) as a NULL-terminated vector. */
static int
string_list (const char *where, yaml_document_t *doc, yaml_node_t *n, char ***out,
             struct husk_error **err)
{
  size_t len = 0;
  if (n == NULL)
    return 0;
  if (scalar (n))
    {
      *out = calloc (2, sizeof **out);
      return *out && ((*out)[0] = strdup (scalar (n))) ? 0
                                                        : husk_error_set (err, ENOMEM, "config");
    }
  if (n->type != YAML_SEQUENCE_NODE)
    return husk_error_set (err, EINVAL, "%s: not a list", where);
  len = n->data.sequence.items.top - n->data.sequence.items.start;
  if ((*out = calloc (len + 1, sizeof **out)) == NULL)
    return husk_error_set (err, ENOMEM, "registry config");
  for (size_t i = 0; i < len; i++)
    {
      const char *s = scalar (node (doc, n->data.sequence.items.start[i]));
      if (s == NULL)
        return husk_error_set (err, EINVAL, "%s[%zu]: not a string", where, i);
      if (((*out)[i] = strdup (s)) == NULL)
        return husk_error_set (err, ENOMEM, "registry config");
    }
  return 0;
}

static size_t
mapping_len (yaml_node_t *m)
{
  return m && m->type == YAML_MAPPING_NODE
             ? (size_t) (m->data.mapping.pairs.top - m->data.mapping.pairs.start)
             : 0;
}

static int
parse_mirrors (yaml_document_t *doc, yaml_node_t *m, struct husk_registry_config *cfg,
               struct husk_error **err)
{
  size_t n = mapping_len (m);
  if (m && m->type != YAML_MAPPING_NODE)
    return husk_error_set (err, EINVAL, "mirrors: not a mapping");
  if (n && (cfg->mirrors = calloc (n, sizeof *cfg->mirrors)) == NULL)
    return husk_error_set (err, ENOMEM, "registry config");
  for (size_t i = 0; i < n; i++)
    {
      yaml_node_pair_t *p = &m->data.mapping.pairs.start[i];
      struct husk_registry_mirror *mi = &cfg->mirrors[cfg->n_mirrors++];
      if (dup_scalar ("mirrors", node (doc, p->key), &mi->registry, err) < 0)
        return -1;
      cleanup_free char *where = str_printf ("mirrors.%s.endpoint", mi->registry);
      if (string_list (where ?: "mirrors", doc, lookup (doc, node (doc, p->value), "endpoint"),
                       &mi->endpoints, err) < 0)
        return -1;
    }
  return 0;
}

static bool
yaml_true (yaml_node_t *n)
{
  const char *s = scalar (n);
  return s && (!strcmp (s, "true") || !strcmp (s, "True") || !strcmp (s, "yes"));
}

static int
parse_host (yaml_document_t *doc, yaml_node_t *key, yaml_node_t *v, struct husk_registry_host *h,
            struct husk_error **err)
{
  yaml_node_t *auth = lookup (doc, v, "auth"), *tls = lookup (doc, v, "tls");
  if (dup_scalar ("configs", key, &h->host, err) < 0)
    return -1;
  if (dup_scalar ("auth.username", lookup (doc, auth, "username"), &h->username, err) < 0
      || dup_scalar ("auth.password", lookup (doc, auth, "password"), &h->password, err) < 0
      || dup_scalar ("auth.auth", lookup (doc, auth, "auth"), &h->auth, err) < 0
      || dup_scalar ("auth.identity_token", lookup (doc, auth, "identity_token"),
                     &h->identity_token, err) < 0
      || dup_scalar ("tls.ca_file", lookup (doc, tls, "ca_file"), &h->ca_file, err) < 0)
    return husk_error_wrap (err, "configs.%s", h->host);
  h->insecure_skip_verify = yaml_true (lookup (doc, tls, "insecure_skip_verify"));
  return 0;
}

static int
parse_configs (yaml_document_t *doc, yaml_node_t *m, struct husk_registry_config *cfg,
               struct husk_error **err)
{
  size_t n = mapping_len (m);
  if (m && m->type != YAML_MAPPING_NODE)
    return husk_error_set (err, EINVAL, "configs: not a mapping");
  if (n && (cfg->hosts = calloc (n, sizeof *cfg->hosts)) == NULL)
    return husk_error_set (err, ENOMEM, "registry config");
  for (size_t i = 0; i < n; i++)
    {
      yaml_node_pair_t *p = &m->data.mapping.pairs.start[i];
      if (parse_host (doc, node (doc, p->key), node (doc, p->value), &cfg->hosts[cfg->n_hosts++],
                      err) < 0)
        return -1;
    }
  return 0;
}

static int
parse_document (yaml_document_t *doc, struct husk_registry_config *cfg, struct husk_error **err)
{
  yaml_node_t *root = yaml_document_get_root_node (doc);
  if (root == NULL || (root->type == YAML_SCALAR_NODE && !*scalar (root)))
    return 0; /* an empty file */
  if (root->type != YAML_MAPPING_NODE)
    return husk_error_set (err, EINVAL, "not a mapping");
  if (parse_mirrors (doc, lookup (doc, root, "mirrors"), cfg, err) < 0
      || parse_configs (doc, lookup (doc, root, "configs"), cfg, err) < 0
      || string_list ("insecure", doc, lookup (doc, root, "insecure"), &cfg->insecure, err) < 0
      || string_list ("unqualified-search-registries", doc,
                      lookup (doc, root, "unqualified-search-registries"), &cfg->search, err) < 0)
    return -1;
  return 0;
}

int
husk_registry_config_parse (const char *name, const char *data, size_t len,
                            struct husk_registry_config **out, struct husk_error **err)
{
  yaml_parser_t parser;
  yaml_document_t doc;
  struct husk_registry_config *cfg;
  int ret;

  if (len > CONFIG_MAX_SIZE)
    return husk_error_set (err, EFBIG, "%s: over %d bytes", name, CONFIG_MAX_SIZE);
  if ((cfg = calloc (1, sizeof *cfg)) == NULL || !yaml_parser_initialize (&parser))
    {
      free (cfg);
      return husk_error_set (err, ENOMEM, "%s", name);
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, len);
  if (!yaml_parser_load (&parser, &doc))
    {
      ret = husk_error_set (err, EINVAL, "%s: line %zu: %s", name, parser.problem_mark.line + 1,
                            parser.problem ? parser.problem : "invalid YAML");
      yaml_parser_delete (&parser);
      husk_registry_config_free (cfg);
      return ret;
    }
  ret = parse_document (&doc, cfg, err);
  yaml_document_delete (&doc);
  yaml_parser_delete (&parser);
  if (ret < 0)
    {
      husk_registry_config_free (cfg);
      return husk_error_wrap (err, "%s", name);
    }
  *out = cfg;
  return 0;
}

int
husk_registry_config_load (const char *path, struct husk_registry_config **out,
                           struct husk_error **err)
{
  cleanup_free char *data = NULL;
  size_t len;
  if (access (path, F_OK) < 0 && errno == ENOENT)
    return husk_registry_config_parse (path, "", 0, out, err);
  if (pod_read_file (path, &data, &len, err) < 0)
    return husk_error_wrap (err, "registry config");
  return husk_registry_config_parse (path, data, len, out, err);
}

/* "http://h:p/x" -> "h:p" */
static char *
url_host (const char *url)
{
  const char *s = strstr (url, "://");
  s = s ? s + 3 : url;
  return strndup (s, strcspn (s, "/"));
}

const struct husk_registry_host *
husk_registry_host_find (const struct husk_registry_config *cfg, const char *host)
{
  for (size_t i = 0; cfg && i < cfg->n_hosts; i++)
    {
      cleanup_free char *h = url_host (cfg->hosts[i].host);
      if (h && !strcmp (h, host))
        return &cfg->hosts[i];
    }
  return NULL;
}

static bool
is_loopback (const char *host)
{
  size_t n = host[0] == '[' ? strcspn (host, "]") + 1 : strcspn (host, ":");
  return (n == 9 && !strncmp (host, "localhost", 9)) || !strncmp (host, "127.", 4)
         || (n == 5 && !strncmp (host, "[::1]", 5));
}

static bool
in_list (char **list, const char *s)
{
  for (size_t i = 0; list && list[i]; i++)
    if (!strcmp (list[i], s))
      return true;
  return false;
}

/* An endpoint as a base URL: a scheme chosen when none was given, no
 * trailing slash, no "/v2" (k3s accepts both). */
static char *
endpoint_url (const struct husk_registry_config *cfg, const char *ep)
{
  cleanup_free char *url = NULL;
  if (strstr (ep, "://"))
    url = strdup (ep);
  else
    url = str_printf ("%s://%s",
                      is_loopback (ep) || in_list (cfg ? cfg->insecure : NULL, ep) ? "http"
                                                                                   : "https",
                      ep);
  if (url == NULL)
    return NULL;
  size_t n = strlen (url);
  while (n > 0 && url[n - 1] == '/')
    url[--n] = '\0';
  if (n > 3 && !strcmp (url + n - 3, "/v2"))
    url[n - 3] = '\0';
  return steal_pointer (&url);
}

static int
push (char ***v, size_t *n, char *s)
{
  char **nv;
  if (s == NULL || (nv = realloc (*v, (*n + 2) * sizeof *nv)) == NULL)
    {
      free (s);
      return -1;
    }
  *v = nv;
  for (size_t i = 0; i < *n; i++)
    if (!strcmp (nv[i], s))
      {
        free (s);
        return 0;
      }
  nv[(*n)++] = s;
  nv[*n] = NULL;
  return 0;
}

char **
husk_registry_endpoints (const struct husk_registry_config *cfg, const char *registry)
{
  char **v = calloc (1, sizeof *v);
  size_t n = 0;
  const struct husk_registry_mirror *any = NULL, *mine = NULL;

  for (size_t i = 0; cfg && i < cfg->n_mirrors; i++)
    {
      if (!strcmp (cfg->mirrors[i].registry, registry))
        mine = &cfg->mirrors[i];
      else if (!strcmp (cfg->mirrors[i].registry, "*"))
        any = &cfg->mirrors[i];
    }
  mine = mine ? mine : any;
  for (size_t i = 0; v && mine && mine->endpoints && mine->endpoints[i]; i++)
    if (push (&v, &n, endpoint_url (cfg, mine->endpoints[i])) < 0)
      return strv_free (v), NULL;
  if (v && push (&v, &n,
                 endpoint_url (cfg, !strcmp (registry, "docker.io") ? "registry-1.docker.io"
                                                                     : registry))
               < 0)
    return strv_free (v), NULL;
  return v;
}
