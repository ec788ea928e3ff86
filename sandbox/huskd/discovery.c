/* Discovery and health: /api, /apis, /api/v1, /version, /healthz.
 * kubectl reads these before anything else to learn resource names, short
 * names (po, ns, ev, quota, limits) and verbs. */
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "request.h"

struct resource_info {
  const char *name, *singular, *kind, *short_name;
  bool namespaced;
  const char *verbs; /* space separated */
};

static const struct resource_info resources[] = {
  { "namespaces", "namespace", "Namespace", "ns", false, "create delete get list watch" },
  { "pods", "pod", "Pod", "po", true, "create delete deletecollection get list patch update watch" },
  { "pods/log", "", "Pod", NULL, true, "get" },
  { "pods/exec", "", "PodExecOptions", NULL, true, "create get" },
  { "pods/attach", "", "PodAttachOptions", NULL, true, "create get" },
  { "pods/portforward", "", "PodPortForwardOptions", NULL, true, "create get" },
  { "pods/status", "", "Pod", NULL, true, "get" },
  { "events", "event", "Event", "ev", true, "create delete get list watch" },
  { "resourcequotas", "resourcequota", "ResourceQuota", "quota", true,
    "create delete get list update watch" },
  { "limitranges", "limitrange", "LimitRange", "limits", true,
    "create delete get list update watch" },
  { "nodes", "node", "Node", "no", false, "get list" },
  { "services", "service", "Service", "svc", true, "get list" },
  { "configmaps", "configmap", "ConfigMap", "cm", true,
    "create delete get list patch update watch" },
  { "secrets", "secret", "Secret", NULL, true, "create delete get list patch update watch" },
};

static yajl_val
words (const char *text)
{
  yajl_val arr = jv_array ();
  cleanup_free char *copy = strdup (text);
  char *save = NULL;
  for (char *w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save))
    jv_push (arr, jv_string (w));
  return arr;
}

static yajl_val
resource_list (void)
{
  yajl_val list = jv_object (), arr;
  jv_set (list, "kind", jv_string ("APIResourceList"));
  jv_set (list, "groupVersion", jv_string ("v1"));
  arr = jv_set (list, "resources", jv_array ());
  for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++)
    {
      const struct resource_info *ri = &resources[i];
      yajl_val o = jv_object ();
      jv_set (o, "name", jv_string (ri->name));
      jv_set (o, "singularName", jv_string (ri->singular));
      jv_set (o, "namespaced", jv_bool (ri->namespaced));
      jv_set (o, "kind", jv_string (ri->kind));
      jv_set (o, "verbs", words (ri->verbs));
      if (ri->short_name)
        jv_set (o, "shortNames", words (ri->short_name));
      if (strcmp (ri->name, "pods") == 0)
        jv_set (o, "categories", words ("all"));
      jv_push (arr, o);
    }
  return list;
}

static yajl_val
api_versions (void)
{
  yajl_val v = jv_object ();
  jv_set (v, "kind", jv_string ("APIVersions"));
  jv_set (v, "versions", words ("v1"));
  yajl_val cidrs = jv_set (v, "serverAddressByClientCIDRs", jv_array ());
  yajl_val c = jv_object ();
  jv_set (c, "clientCIDR", jv_string ("0.0.0.0/0"));
  jv_set (c, "serverAddress", jv_string ("127.0.0.1"));
  jv_push (cidrs, c);
  return v;
}

static yajl_val
group_list (void)
{
  yajl_val v = jv_object ();
  jv_set (v, "kind", jv_string ("APIGroupList"));
  jv_set (v, "apiVersion", jv_string ("v1"));
  huskd_apis_groups (jv_set (v, "groups", jv_array ()));
  return v;
}

const char *
huskd_kube_version (void)
{
  return "v1.32.0-husk." HUSK_VERSION;
}

static yajl_val
version_info (void)
{
  yajl_val v = jv_object ();
  jv_set (v, "major", jv_string ("1"));
  jv_set (v, "minor", jv_string ("32"));
  jv_set (v, "gitVersion", jv_string (huskd_kube_version ()));
  jv_set (v, "gitCommit", jv_string (""));
  jv_set (v, "gitTreeState", jv_string ("clean"));
  jv_set (v, "buildDate", jv_string (__DATE__));
  jv_set (v, "goVersion", jv_string ("none (C, huskd " HUSK_VERSION ")"));
  jv_set (v, "compiler", jv_string ("gcc"));
  jv_set (v, "platform", jv_string ("linux/amd64"));
  return v;
}

static yajl_val
root_paths (void)
{
  yajl_val v = jv_object ();
  jv_set (v, "paths", words ("/api /api/v1 /apis /healthz /livez /readyz /version /husk/v1"));
  return v;
}

void
huskd_handle_discovery (struct hreq *r)
{
  cleanup_jv yajl_val doc = NULL;
  const char *what = r->resource;
  if (r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_HEAD)
    {
      hreq_reply_status (r, api_status_new (405, "MethodNotAllowed",
                                            "the server does not allow this method on the "
                                            "requested resource"));
      return;
    }
  if (!strcmp (what, "healthz") || !strcmp (what, "livez") || !strcmp (what, "readyz"))
    {
      hreq_reply_text (r, 200, "text/plain; charset=utf-8", "ok", 2);
      return;
    }
  if (!strcmp (what, "api"))
    doc = api_versions ();
  else if (!strcmp (what, "v1"))
    doc = resource_list ();
  else if (!strcmp (what, "apis"))
    doc = group_list ();
  else if (!strcmp (what, "version"))
    doc = version_info ();
  else
    doc = root_paths ();
  hreq_reply_json (r, 200, doc);
}
