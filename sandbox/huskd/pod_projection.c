#include "pod_projection.h"

#include <errno.h>
#include <ifaddrs.h>
#include <math.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "atomic_writer.h"
#include "base64.h"
#include "cleanup.h"
#include "configmap.h"
#include "dockercfg.h"
#include "jv.h"
#include "quantity.h"
#include "sandbox/pod/pod_util.h"

#define DEFAULT_MODE 0644

static size_t
alen (yajl_val v)
{
  return YAJL_IS_ARRAY (v) ? v->u.array.len : 0;
}

static yajl_val
at (yajl_val v, size_t i)
{
  return v->u.array.values[i];
}

static bool
is_true (yajl_val v)
{
  return v && YAJL_IS_TRUE (v);
}

/* ---- which objects a pod names (event loop) ---- */

typedef void (*ref_fn) (void *ctx, const char *resource, const char *name);

static void
each_projection_ref (yajl_val vol, ref_fn fn, void *ctx)
{
  yajl_val sources = jv_path (vol, "projected", "sources", NULL);
  if (jv_str (jv_get (vol, "configMap"), "name"))
    fn (ctx, "configmaps", jv_str (jv_get (vol, "configMap"), "name"));
  if (jv_str (jv_get (vol, "secret"), "secretName"))
    fn (ctx, "secrets", jv_str (jv_get (vol, "secret"), "secretName"));
  for (size_t i = 0; i < alen (sources); i++)
    {
      if (jv_str (jv_get (at (sources, i), "configMap"), "name"))
        fn (ctx, "configmaps", jv_str (jv_get (at (sources, i), "configMap"), "name"));
      if (jv_str (jv_get (at (sources, i), "secret"), "name"))
        fn (ctx, "secrets", jv_str (jv_get (at (sources, i), "secret"), "name"));
    }
}

static void
each_container_ref (yajl_val c, ref_fn fn, void *ctx)
{
  yajl_val env = jv_get (c, "env"), from = jv_get (c, "envFrom");
  for (size_t i = 0; i < alen (env); i++)
    {
      yajl_val vf = jv_get (at (env, i), "valueFrom");
      if (jv_str (jv_get (vf, "configMapKeyRef"), "name"))
        fn (ctx, "configmaps", jv_str (jv_get (vf, "configMapKeyRef"), "name"));
      if (jv_str (jv_get (vf, "secretKeyRef"), "name"))
        fn (ctx, "secrets", jv_str (jv_get (vf, "secretKeyRef"), "name"));
    }
  for (size_t i = 0; i < alen (from); i++)
    {
      if (jv_str (jv_get (at (from, i), "configMapRef"), "name"))
        fn (ctx, "configmaps", jv_str (jv_get (at (from, i), "configMapRef"), "name"));
      if (jv_str (jv_get (at (from, i), "secretRef"), "name"))
        fn (ctx, "secrets", jv_str (jv_get (at (from, i), "secretRef"), "name"));
    }
}

static void
each_ref (yajl_val pod, ref_fn fn, void *ctx)
{
  static const char *const lists[] = { "initContainers", "containers" };
  yajl_val vols = jv_path (pod, "spec", "volumes", NULL);
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val cs = jv_path (pod, "spec", lists[l], NULL);
      for (size_t i = 0; i < alen (cs); i++)
        each_container_ref (at (cs, i), fn, ctx);
    }
  yajl_val pull = jv_path (pod, "spec", "imagePullSecrets", NULL);
  for (size_t i = 0; i < alen (vols); i++)
    each_projection_ref (at (vols, i), fn, ctx);
  for (size_t i = 0; i < alen (pull); i++)
    if (jv_str (at (pull, i), "name"))
      fn (ctx, "secrets", jv_str (at (pull, i), "name"));
}

struct refs_ctx {
  struct api_store *store;
  const char *ns;
  yajl_val out;
};

static void
add_ref (void *ctx, const char *resource, const char *name)
{
  struct refs_ctx *r = ctx;
  yajl_val obj = api_store_get (r->store, resource, r->ns, name);
  if (obj)
    jv_set (jv_obj_at (r->out, resource), name, jv_copy (obj));
}

yajl_val
huskd_pod_refs (struct api_store *store, yajl_val pod)
{
  struct refs_ctx r = { store, jv_str (jv_get (pod, "metadata"), "namespace"), jv_object () };
  each_ref (pod, add_ref, &r);
  return r.out;
}

struct uses_ctx {
  const char *resource, *name;
  bool found;
};

static void
check_use (void *ctx, const char *resource, const char *name)
{
  struct uses_ctx *u = ctx;
  if (!strcmp (u->resource, resource) && !strcmp (u->name, name))
    u->found = true;
}

bool
huskd_pod_uses (yajl_val pod, const char *resource, const char *name)
{
  struct uses_ctx u = { resource, name, false };
  each_ref (pod, check_use, &u);
  return u.found;
}

/* The pod's imagePullSecrets in its order, from get(name). */
static int
pull_credentials (yajl_val pod, yajl_val (*get) (void *ctx, const char *name), void *ctx,
                  const char *image, struct api_registry_auth *out)
{
  yajl_val pull = jv_path (pod, "spec", "imagePullSecrets", NULL);
  cleanup_free yajl_val *secrets = calloc (alen (pull) + 1, sizeof *secrets);
  size_t n = 0;
  char host[256];
  for (size_t i = 0; i < alen (pull); i++)
    if ((secrets[n] = get (ctx, jv_str (at (pull, i), "name") ?: "")))
      n++;
  return api_docker_credentials (secrets, n, api_image_registry (image, host, sizeof host), out);
}

static yajl_val
stored_secret (void *ctx, const char *name)
{
  struct refs_ctx *r = ctx;
  return api_store_get (r->store, "secrets", r->ns, name);
}

int
huskd_pod_pull_credentials (struct api_store *store, yajl_val pod, const char *image,
                            struct api_registry_auth *out)
{
  struct refs_ctx r = { store, jv_str (jv_get (pod, "metadata"), "namespace"), NULL };
  return pull_credentials (pod, stored_secret, &r, image, out);
}

static yajl_val
synced_secret (void *ctx, const char *name)
{
  return jv_get (jv_get (((struct pod_sync *) ctx)->refs, "secrets"), name);
}

int
pod_sync_pull_credentials (struct pod_sync *s, const char *image, struct api_registry_auth *out)
{
  return pull_credentials (s->pod, synced_secret, s, image, out);
}

/* ---- values ---- */

static char *
xstrdup (const char *s)
{
  char *d = strdup (s ? s : "");
  if (!d)
    abort ();
  return d;
}

static char *
fmt (const char *f, ...) __attribute__ ((format (printf, 1, 2)));
static char *
fmt (const char *f, ...)
{
  va_list ap;
  char *out;
  va_start (ap, f);
  if (vasprintf (&out, f, ap) < 0)
    abort ();
  va_end (ap);
  return out;
}

static yajl_val
ref_obj (struct pod_sync *s, const char *resource, const char *name)
{
  return jv_get (jv_get (s->refs, resource), name);
}

static const char *
pod_ns (struct pod_sync *s)
{
  return jv_str (jv_get (s->pod, "metadata"), "namespace") ?: "default";
}

static char *
node_name (struct pod_sync *s)
{
  char host[256] = "";
  const char *n = jv_str (jv_get (s->pod, "spec"), "nodeName");
  if (n && *n)
    return xstrdup (n);
  gethostname (host, sizeof host - 1);
  return xstrdup (host);
}

/* The node's address as the kubelet reports it: the first IPv4 address
 * that is not loopback. */
static char *
host_ip (struct pod_sync *s)
{
  const char *known = jv_str (jv_get (s->pod, "status"), "hostIP");
  struct ifaddrs *ifs = NULL;
  char buf[INET_ADDRSTRLEN] = "127.0.0.1";
  if (known && *known)
    return xstrdup (known);
  if (getifaddrs (&ifs) == 0)
    {
      for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && strcmp (i->ifa_name, "lo"))
          {
            inet_ntop (AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, buf, sizeof buf);
            break;
          }
      freeifaddrs (ifs);
    }
  return xstrdup (buf);
}

/* `metadata.labels` for a downwardAPI file: sorted key="value" lines. */
static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static char *
format_map (yajl_val map)
{
  size_t n = YAJL_IS_OBJECT (map) ? map->u.object.len : 0, len = 0;
  cleanup_free char **lines = calloc (n + 1, sizeof *lines);
  char *out = NULL;
  FILE *f = open_memstream (&out, &len);
  for (size_t i = 0; i < n; i++)
    lines[i] = fmt ("%s=\"%s\"", map->u.object.keys[i],
                    YAJL_GET_STRING (map->u.object.values[i]) ?: "");
  qsort (lines, n, sizeof *lines, cmp_str);
  for (size_t i = 0; i < n; i++)
    {
      fprintf (f, "%s%s", i ? "\n" : "", lines[i]);
      free (lines[i]);
    }
  fclose (f);
  return out;
}

/* metadata.labels['key'] -> key */
static bool
subscript (const char *path, const char *prefix, char *key, size_t size)
{
  size_t n = strlen (prefix), len = strlen (path);
  if (strncmp (path, prefix, n) || path[n] != '[' || len < n + 4 || path[len - 1] != ']'
      || path[n + 1] != '\'' || path[len - 2] != '\'')
    return false;
  snprintf (key, size, "%.*s", (int) (len - n - 4), path + n + 2);
  return true;
}

static char *
field_value (struct pod_sync *s, const char *path, bool whole_maps, char **why)
{
  yajl_val meta = jv_get (s->pod, "metadata");
  char key[320];
  if (!strcmp (path, "metadata.name") || !strcmp (path, "metadata.namespace")
      || !strcmp (path, "metadata.uid"))
    return xstrdup (jv_str (meta, path + strlen ("metadata.")));
  if (whole_maps && (!strcmp (path, "metadata.labels") || !strcmp (path, "metadata.annotations")))
    return format_map (jv_get (meta, path + strlen ("metadata.")));
  if (subscript (path, "metadata.labels", key, sizeof key))
    return xstrdup (jv_str (jv_get (meta, "labels"), key));
  if (subscript (path, "metadata.annotations", key, sizeof key))
    return xstrdup (jv_str (jv_get (meta, "annotations"), key));
  if (!strcmp (path, "spec.nodeName"))
    return node_name (s);
  if (!strcmp (path, "spec.serviceAccountName"))
    return xstrdup (jv_str (jv_get (s->pod, "spec"), "serviceAccountName")
                        ?: jv_str (jv_get (s->pod, "spec"), "serviceAccount") ?: "default");
  if (!strcmp (path, "status.podIP") || !strcmp (path, "status.podIPs"))
    return xstrdup (s->pod_ip);
  if (!strcmp (path, "status.hostIP") || !strcmp (path, "status.hostIPs"))
    return host_ip (s);
  *why = fmt ("unsupported fieldPath: %s", path);
  return NULL;
}

static yajl_val
find_container (struct pod_sync *s, const char *name)
{
  static const char *const lists[] = { "containers", "initContainers" };
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val cs = jv_path (s->pod, "spec", lists[l], NULL);
      for (size_t i = 0; i < alen (cs); i++)
        if (!strcmp (jv_str (at (cs, i), "name") ?: "", name))
          return at (cs, i);
    }
  return NULL;
}

/* The node's allocatable cpu (millicores) or memory (milli-bytes): what a
 * resourceFieldRef reads when the container sets no limit. */
static long long
node_allocatable (bool cpu)
{
  struct sysinfo si;
  if (cpu)
    return sysconf (_SC_NPROCESSORS_ONLN) * 1000LL;
  if (sysinfo (&si) < 0)
    return 0;
  return (long long) si.totalram * si.mem_unit * 1000LL;
}

static char *
resource_value (struct pod_sync *s, yajl_val c, yajl_val ref, char **why)
{
  const char *cname = jv_str (ref, "containerName"), *res = jv_str (ref, "resource") ?: "";
  const char *div_text = jv_str (ref, "divisor");
  yajl_val target = cname && *cname ? find_container (s, cname) : c;
  long long value = -1, divisor = 1000;
  bool cpu = strstr (res, "cpu") != NULL;
  const char *lim, *req;
  if (!target)
    {
      *why = fmt ("container %s not found", cname ? cname : "");
      return NULL;
    }
  if (div_text && (!api_quantity_parse (div_text, &divisor) || divisor <= 0))
    divisor = 1000;
  lim = jv_str (jv_path (target, "resources", "limits", NULL), cpu ? "cpu" : "memory");
  req = jv_str (jv_path (target, "resources", "requests", NULL), cpu ? "cpu" : "memory");
  if (!strcmp (res, "limits.cpu") || !strcmp (res, "limits.memory"))
    {
      if (!lim || !api_quantity_parse (lim, &value))
        value = node_allocatable (cpu);
    }
  else if (!strcmp (res, "requests.cpu") || !strcmp (res, "requests.memory"))
    {
      if (!(req && api_quantity_parse (req, &value)) && !(lim && api_quantity_parse (lim, &value)))
        value = 0;
    }
  else
    {
      *why = fmt ("unsupported container resource : %s", res);
      return NULL;
    }
  return fmt ("%lld", (long long) ceil ((double) value / (double) divisor));
}

/* ---- env ---- */

static bool
env_name_ok (const char *n)
{
  return *n && !strchr ("0123456789", *n)
         && strspn (n, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                == strlen (n);
}

static void
set_env (yajl_val env, const char *name, const char *value)
{
  yajl_val e;
  for (size_t i = 0; i < alen (env); i++)
    if (!strcmp (jv_str (at (env, i), "name") ?: "", name))
      {
        jv_set (at (env, i), "value", jv_string (value));
        return;
      }
  e = jv_object ();
  jv_set (e, "name", jv_string (name));
  jv_set (e, "value", jv_string (value));
  jv_push (env, e);
}

static char *
secret_text (yajl_val secret, const char *key)
{
  size_t len;
  char *v = (char *) api_secret_value (secret, key, &len);
  return v ? v : xstrdup ("");
}

static char *
key_ref_value (struct pod_sync *s, yajl_val ref, bool secret, bool *skip, char **why)
{
  const char *name = jv_str (ref, "name") ?: "", *key = jv_str (ref, "key") ?: "";
  yajl_val obj = ref_obj (s, secret ? "secrets" : "configmaps", name);
  bool optional = is_true (jv_get (ref, "optional"));
  *skip = false;
  if (!obj || !(secret ? jv_get (jv_get (obj, "data"), key) : jv_get (jv_get (obj, "data"), key)))
    {
      if (optional)
        {
          *skip = true;
          return NULL;
        }
      *why = !obj ? fmt ("%s \"%s\" not found", secret ? "secret" : "configmap", name)
                  : fmt ("couldn't find key %s in %s %s/%s", key, secret ? "Secret" : "ConfigMap",
                         pod_ns (s), name);
      return NULL;
    }
  return secret ? secret_text (obj, key) : xstrdup (jv_str (jv_get (obj, "data"), key));
}

static int
add_env_from (struct pod_sync *s, yajl_val env, yajl_val src, char **why)
{
  yajl_val ref = jv_get (src, "configMapRef");
  bool secret = ref == NULL;
  const char *prefix = jv_str (src, "prefix") ?: "", *name;
  yajl_val obj, data;
  if (secret)
    ref = jv_get (src, "secretRef");
  if (!ref)
    return 0;
  name = jv_str (ref, "name") ?: "";
  obj = ref_obj (s, secret ? "secrets" : "configmaps", name);
  if (!obj)
    {
      if (is_true (jv_get (ref, "optional")))
        return 0;
      *why = fmt ("%s \"%s\" not found", secret ? "secret" : "configmap", name);
      return -1;
    }
  data = jv_get (obj, "data");
  for (size_t i = 0; YAJL_IS_OBJECT (data) && i < data->u.object.len; i++)
    {
      cleanup_free char *full = fmt ("%s%s", prefix, data->u.object.keys[i]);
      cleanup_free char *value = secret ? secret_text (obj, data->u.object.keys[i])
                                        : xstrdup (YAJL_GET_STRING (data->u.object.values[i]));
      if (env_name_ok (full))
        set_env (env, full, value);
    }
  return 0;
}

static char *
env_value (struct pod_sync *s, yajl_val c, yajl_val vf, bool *skip, char **why)
{
  *skip = false;
  if (jv_get (vf, "configMapKeyRef"))
    return key_ref_value (s, jv_get (vf, "configMapKeyRef"), false, skip, why);
  if (jv_get (vf, "secretKeyRef"))
    return key_ref_value (s, jv_get (vf, "secretKeyRef"), true, skip, why);
  if (jv_get (vf, "fieldRef"))
    return field_value (s, jv_str (jv_get (vf, "fieldRef"), "fieldPath") ?: "", false, why);
  if (jv_get (vf, "resourceFieldRef"))
    return resource_value (s, c, jv_get (vf, "resourceFieldRef"), why);
  *skip = true;
  return NULL;
}

yajl_val
pod_projection_env (struct pod_sync *s, yajl_val c, char **why)
{
  cleanup_jv yajl_val env = jv_array ();
  yajl_val from = jv_get (c, "envFrom"), list = jv_get (c, "env");
  *why = NULL;
  for (size_t i = 0; i < alen (from); i++)
    if (add_env_from (s, env, at (from, i), why) < 0)
      return NULL;
  for (size_t i = 0; i < alen (list); i++)
    {
      yajl_val e = at (list, i), vf = jv_get (e, "valueFrom");
      const char *name = jv_str (e, "name") ?: "";
      cleanup_free char *value = NULL;
      bool skip = false;
      if (!vf)
        value = xstrdup (jv_str (e, "value"));
      else if (!(value = env_value (s, c, vf, &skip, why)) && !skip)
        return NULL;
      if (value)
        set_env (env, name, value);
    }
  return steal_pointer (&env);
}

/* ---- volumes ---- */

static bool
is_projection (yajl_val vol)
{
  return jv_get (vol, "configMap") || jv_get (vol, "secret") || jv_get (vol, "downwardAPI")
         || jv_get (vol, "projected");
}

static char *
pod_dir (struct pod_sync *s)
{
  return fmt ("%s/%s", s->volumes_root, jv_str (jv_get (s->pod, "metadata"), "uid") ?: "none");
}

static char *
volume_dir (struct pod_sync *s, const char *vol)
{
  cleanup_free char *dir = pod_dir (s);
  return fmt ("%s/%s", dir, vol);
}

static void
strip_env (yajl_val c)
{
  yajl_val env = jv_get (c, "env"), plain = jv_array ();
  for (size_t i = 0; i < alen (env); i++)
    if (!jv_get (at (env, i), "valueFrom"))
      jv_push (plain, jv_copy (at (env, i)));
  jv_set (c, "env", plain);
  jv_del (c, "envFrom");
}

static void
read_only_mounts (yajl_val c, const char *vol)
{
  yajl_val mounts = jv_get (c, "volumeMounts");
  for (size_t i = 0; i < alen (mounts); i++)
    if (!strcmp (jv_str (at (mounts, i), "name") ?: "", vol))
      jv_set (at (mounts, i), "readOnly", jv_bool (true));
}

yajl_val
pod_projection_view (struct pod_sync *s, const char *cname, yajl_val env)
{
  static const char *const lists[] = { "initContainers", "containers" };
  yajl_val view = jv_copy (s->pod), vols = jv_path (view, "spec", "volumes", NULL);
  cleanup_jv yajl_val owned = env;
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val cs = jv_path (view, "spec", lists[l], NULL);
      for (size_t i = 0; i < alen (cs); i++)
        {
          strip_env (at (cs, i));
          if (cname && env && !strcmp (jv_str (at (cs, i), "name") ?: "", cname))
            jv_set (at (cs, i), "env", steal_pointer (&owned));
        }
    }
  for (size_t i = 0; i < alen (vols); i++)
    {
      yajl_val vol = at (vols, i), hp;
      if (!is_projection (vol))
        continue;
      cleanup_free char *name = xstrdup (jv_str (vol, "name"));
      hp = jv_object ();
      cleanup_free char *dir = volume_dir (s, name);
      jv_set (hp, "path", jv_string (dir));
      jv_set (hp, "type", jv_string ("Directory"));
      yajl_val repl = jv_object ();
      jv_set (repl, "name", jv_string (name));
      jv_set (repl, "hostPath", hp);
      yajl_tree_free (vols->u.array.values[i]);
      vols->u.array.values[i] = repl;
      for (size_t l = 0; l < 2; l++)
        {
          yajl_val cs = jv_path (view, "spec", lists[l], NULL);
          for (size_t k = 0; k < alen (cs); k++)
            read_only_mounts (at (cs, k), name);
        }
    }
  return view;
}

struct files {
  struct projected_file *v;
  size_t n;
};

static void
files_add (struct files *f, const char *path, const unsigned char *data, size_t len, mode_t mode)
{
  struct projected_file *p;
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp (f->v[i].path, path)) /* a later source wins, as in the kubelet */
      {
        free (f->v[i].data);
        f->v[i].data = malloc (len + 1);
        memcpy (f->v[i].data, data, len);
        f->v[i].len = len;
        f->v[i].mode = mode;
        return;
      }
  f->v = realloc (f->v, (f->n + 1) * sizeof *f->v);
  p = &f->v[f->n++];
  p->path = xstrdup (path);
  p->data = malloc (len + 1);
  if (!f->v || !p->data)
    abort ();
  memcpy (p->data, data, len);
  p->len = len;
  p->mode = mode;
}

static mode_t
mode_of (yajl_val v, const char *key, mode_t def)
{
  long long m;
  return jv_int_of (v, key, &m) && m >= 0 && m <= 0777 ? (mode_t) m : def;
}

/* The value of key in a ConfigMap (data, then binaryData) or Secret. */
static unsigned char *
object_value (yajl_val obj, bool secret, const char *key, size_t *len)
{
  const char *text;
  unsigned char *raw;
  size_t bad;
  if (secret)
    return api_secret_value (obj, key, len);
  if ((text = jv_str (jv_get (obj, "data"), key)))
    {
      *len = strlen (text);
      return (unsigned char *) xstrdup (text);
    }
  if ((text = jv_str (jv_get (obj, "binaryData"), key))
      && api_base64_decode (text, &raw, len, &bad) == 0)
    return raw;
  return NULL;
}

static int
add_path_checked (struct files *f, const char *path, const unsigned char *data, size_t len,
                  mode_t mode, char **why)
{
  if (!projected_path_ok (path))
    {
      *why = fmt ("invalid path \"%s\"", path);
      return -1;
    }
  files_add (f, path, data, len, mode);
  return 0;
}

/* A configMap or secret source (a volume's or a projected one's). */
static int
add_object_source (struct pod_sync *s, struct files *f, yajl_val src, bool secret,
                   const char *name, mode_t def, char **why)
{
  yajl_val obj = ref_obj (s, secret ? "secrets" : "configmaps", name ?: "");
  yajl_val items = jv_get (src, "items");
  bool optional = is_true (jv_get (src, "optional"));
  if (!obj)
    {
      if (optional)
        return 0;
      *why = fmt ("%s \"%s\" not found", secret ? "secret" : "configmap", name ?: "");
      return -1;
    }
  if (alen (items) == 0)
    {
      static const char *const maps[] = { "data", "binaryData" };
      for (size_t m = 0; m < (secret ? 1 : 2); m++)
        {
          yajl_val data = jv_get (obj, maps[m]);
          for (size_t i = 0; YAJL_IS_OBJECT (data) && i < data->u.object.len; i++)
            {
              size_t len;
              cleanup_free unsigned char *v
                  = object_value (obj, secret, data->u.object.keys[i], &len);
              if (v && add_path_checked (f, data->u.object.keys[i], v, len, def, why) < 0)
                return -1;
            }
        }
      return 0;
    }
  for (size_t i = 0; i < alen (items); i++)
    {
      const char *key = jv_str (at (items, i), "key") ?: "";
      size_t len;
      cleanup_free unsigned char *v = object_value (obj, secret, key, &len);
      if (!v && optional)
        continue;
      if (!v)
        {
          *why = secret ? fmt ("references non-existent secret key: %s", key)
                        : fmt ("configmap references non-existent config key: %s", key);
          return -1;
        }
      if (add_path_checked (f, jv_str (at (items, i), "path") ?: key, v, len,
                            mode_of (at (items, i), "mode", def), why)
          < 0)
        return -1;
    }
  return 0;
}

static int
add_downward_source (struct pod_sync *s, struct files *f, yajl_val src, mode_t def, char **why)
{
  yajl_val items = jv_get (src, "items");
  for (size_t i = 0; i < alen (items); i++)
    {
      yajl_val item = at (items, i);
      cleanup_free char *v = NULL;
      if (jv_get (item, "fieldRef"))
        v = field_value (s, jv_str (jv_get (item, "fieldRef"), "fieldPath") ?: "", true, why);
      else if (jv_get (item, "resourceFieldRef"))
        v = resource_value (s, NULL, jv_get (item, "resourceFieldRef"), why);
      else
        continue;
      if (!v || add_path_checked (f, jv_str (item, "path") ?: "", (unsigned char *) v,
                                  strlen (v), mode_of (item, "mode", def), why)
                    < 0)
        return -1;
    }
  return 0;
}

static int
volume_files (struct pod_sync *s, yajl_val vol, struct files *f, char **why)
{
  yajl_val src, sources;
  if ((src = jv_get (vol, "configMap")))
    return add_object_source (s, f, src, false, jv_str (src, "name"),
                              mode_of (src, "defaultMode", DEFAULT_MODE), why);
  if ((src = jv_get (vol, "secret")))
    return add_object_source (s, f, src, true, jv_str (src, "secretName"),
                              mode_of (src, "defaultMode", DEFAULT_MODE), why);
  if ((src = jv_get (vol, "downwardAPI")))
    return add_downward_source (s, f, src, mode_of (src, "defaultMode", DEFAULT_MODE), why);
  src = jv_get (vol, "projected");
  sources = jv_get (src, "sources");
  mode_t def = mode_of (src, "defaultMode", DEFAULT_MODE);
  for (size_t i = 0; i < alen (sources); i++)
    {
      yajl_val one = at (sources, i), p;
      int r = 0;
      if ((p = jv_get (one, "configMap")))
        r = add_object_source (s, f, p, false, jv_str (p, "name"), def, why);
      else if ((p = jv_get (one, "secret")))
        r = add_object_source (s, f, p, true, jv_str (p, "name"), def, why);
      else if ((p = jv_get (one, "downwardAPI")))
        r = add_downward_source (s, f, p, def, why);
      if (r < 0)
        return -1;
    }
  return 0;
}

static bool
is_mount_point (const char *dir)
{
  struct stat a, b;
  cleanup_free char *parent = fmt ("%s/..", dir);
  return stat (dir, &a) == 0 && stat (parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* <state>/volumes (0700) and the pod's tmpfs in it, made once. */
static int
ensure_pod_tmpfs (struct pod_sync *s, struct husk_error **err)
{
  cleanup_free char *dir = pod_dir (s);
  if (pod_mkdir_p (s->volumes_root, 0700, err) < 0)
    return -1;
  chmod (s->volumes_root, 0700);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", dir);
  if (is_mount_point (dir))
    return 0;
  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
    return husk_error_set (err, errno, "mount tmpfs on `%s`", dir);
  return 0;
}

int
pod_projection_volumes (struct pod_sync *s, char **why)
{
  yajl_val vols = jv_path (s->pod, "spec", "volumes", NULL);
  bool made = false;
  *why = NULL;
  for (size_t i = 0; i < alen (vols); i++)
    {
      cleanup_error struct husk_error *err = NULL;
      const char *name = jv_str (at (vols, i), "name") ?: "";
      struct files f = { NULL, 0 };
      char *reason = NULL;
      bool changed;
      int r;
      if (!is_projection (at (vols, i)))
        continue;
      if (!made && ensure_pod_tmpfs (s, &err) < 0)
        {
          *why = fmt ("MountVolume.SetUp failed for volume \"%s\" : %s", name, err->message);
          return -1;
        }
      made = true;
      r = volume_files (s, at (vols, i), &f, &reason);
      if (r == 0)
        {
          cleanup_free char *dir = volume_dir (s, name);
          if ((r = huskd_atomic_write (dir, f.v, f.n, &changed, &err)) < 0)
            reason = xstrdup (err->message);
        }
      projected_files_free (f.v, f.n);
      if (r < 0)
        {
          *why = fmt ("MountVolume.SetUp failed for volume \"%s\" : %s", name, reason);
          free (reason);
          return -1;
        }
    }
  return 0;
}

void
pod_projection_remove (struct pod_sync *s)
{
  cleanup_free char *dir = pod_dir (s);
  cleanup_error struct husk_error *err = NULL;
  if (access (dir, F_OK) < 0)
    return;
  umount2 (dir, MNT_DETACH | UMOUNT_NOFOLLOW);
  pod_rm_rf (dir, &err);
}
