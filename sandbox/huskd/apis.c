/* The API groups beside core/v1 that kubectl asks for: the auth reviews,
 * and the node's Lease (coordination.k8s.io) that describe node reads.
 * Every authenticated client of huskd is its admin (the kubeconfig's
 * husk-admin certificate, the token, the unix socket), so a
 * SelfSubjectAccessReview is always allowed and a SelfSubjectReview names
 * that admin: `kubectl auth can-i` and `kubectl auth whoami`. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "huskd.h"
#include "jv.h"
#include "objects.h"
#include "request.h"

struct group_resource {
  const char *group, *name, *kind, *verbs;
};

static const struct group_resource group_resources[] = {
  { "authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", "create" },
  { "authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", "create" },
  { "authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", "create" },
  { "coordination.k8s.io", "leases", "Lease", "get" },
};

static const char *const groups[]
    = { "authentication.k8s.io", "authorization.k8s.io", "coordination.k8s.io" };

static yajl_val
group (const char *name)
{
  yajl_val g = jv_object (), versions = jv_array (), v = jv_object ();
  char gv[128];
  snprintf (gv, sizeof gv, "%s/v1", name);
  jv_set (g, "name", jv_string (name));
  jv_set (v, "groupVersion", jv_string (gv));
  jv_set (v, "version", jv_string ("v1"));
  jv_push (versions, jv_copy (v));
  jv_set (g, "versions", versions);
  jv_set (g, "preferredVersion", v);
  return g;
}

void
huskd_apis_groups (yajl_val list)
{
  for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
    jv_push (list, group (groups[i]));
}

static yajl_val
resource_list (const char *g)
{
  yajl_val list = jv_object (), arr;
  char gv[128];
  snprintf (gv, sizeof gv, "%s/v1", g);
  jv_set (list, "kind", jv_string ("APIResourceList"));
  jv_set (list, "apiVersion", jv_string ("v1"));
  jv_set (list, "groupVersion", jv_string (gv));
  arr = jv_set (list, "resources", jv_array ());
  for (size_t i = 0; i < sizeof group_resources / sizeof *group_resources; i++)
    if (!strcmp (group_resources[i].group, g))
      {
        yajl_val o = jv_object (), verbs = jv_array ();
        jv_set (o, "name", jv_string (group_resources[i].name));
        jv_set (o, "singularName", jv_string (""));
        jv_set (o, "namespaced", jv_bool (!strcmp (group_resources[i].name, "leases")));
        jv_set (o, "kind", jv_string (group_resources[i].kind));
        jv_push (verbs, jv_string (group_resources[i].verbs));
        jv_set (o, "verbs", verbs);
        jv_push (arr, o);
      }
  return list;
}

static yajl_val
rule (const char *key, const char *value)
{
  yajl_val r = jv_object (), v = jv_array (), k = jv_array ();
  jv_push (v, jv_string ("*"));
  jv_push (k, jv_string ("*"));
  jv_set (r, "verbs", v);
  jv_set (r, key, k);
  if (value)
    {
      yajl_val g = jv_array ();
      jv_push (g, jv_string ("*"));
      jv_set (r, value, g);
    }
  return r;
}

/* The answer to a review: the request's spec, the admin's status. */
static yajl_val
review (const struct group_resource *gr, yajl_val body)
{
  yajl_val out = jv_object (), st;
  char gv[128];
  snprintf (gv, sizeof gv, "%s/v1", gr->group);
  jv_set (out, "kind", jv_string (gr->kind));
  jv_set (out, "apiVersion", jv_string (gv));
  jv_set (jv_obj_at (out, "metadata"), "creationTimestamp", jv_null ());
  if (jv_get (body, "spec"))
    jv_set (out, "spec", jv_copy (jv_get (body, "spec")));
  st = jv_obj_at (out, "status");
  if (!strcmp (gr->name, "selfsubjectreviews"))
    {
      yajl_val user = jv_obj_at (st, "userInfo"), g = jv_array ();
      jv_set (user, "username", jv_string ("husk-admin"));
      jv_push (g, jv_string ("system:masters"));
      jv_push (g, jv_string ("system:authenticated"));
      jv_set (user, "groups", g);
    }
  else if (!strcmp (gr->name, "selfsubjectaccessreviews"))
    {
      jv_set (st, "allowed", jv_bool (true));
      jv_set (st, "reason", jv_string ("huskd's clients are its admin"));
    }
  else
    {
      yajl_val rr = jv_set (st, "resourceRules", jv_array ());
      yajl_val nr = jv_set (st, "nonResourceRules", jv_array ());
      jv_push (rr, rule ("resources", "apiGroups"));
      jv_push (nr, rule ("nonResourceURLs", NULL));
      jv_set (st, "incomplete", jv_bool (false));
    }
  return out;
}

static bool
known_group (const char *g)
{
  for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
    if (!strcmp (groups[i], g))
      return true;
  return false;
}

static void
not_found (struct hreq *r)
{
  hreq_reply_status (r, api_status_new (404, "NotFound",
                                        "the server could not find the requested resource"));
}

/* coordination.k8s.io/v1/namespaces/kube-node-lease/leases/NODE: the
 * node's heartbeat, renewed now (huskd is the kubelet). */
static void
node_lease (struct hreq *r, char **seg, size_t n)
{
  char now[40];
  struct timespec ts;
  struct tm tm;
  if (n != 6 || strcmp (seg[2], "namespaces") || strcmp (seg[3], "kube-node-lease")
      || strcmp (seg[4], "leases"))
    return not_found (r);
  if (r->method != EVHTTP_REQ_GET)
    return huskd_method_not_allowed (r);
  if (strcmp (seg[5], huskd_node_name ()) != 0)
    return hreq_reply_status (r, api_status_new (404, "NotFound", "leases.coordination.k8s.io \"%s\" not found", seg[5]));
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (now, 24, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (now + strlen (now), sizeof now - strlen (now), ".%06ldZ", ts.tv_nsec / 1000);
  cleanup_jv yajl_val lease = jv_object ();
  jv_set (lease, "kind", jv_string ("Lease"));
  jv_set (lease, "apiVersion", jv_string ("coordination.k8s.io/v1"));
  yajl_val meta = jv_obj_at (lease, "metadata");
  jv_set (meta, "name", jv_string (seg[5]));
  jv_set (meta, "namespace", jv_string ("kube-node-lease"));
  yajl_val spec = jv_obj_at (lease, "spec");
  jv_set (spec, "holderIdentity", jv_string (seg[5]));
  jv_set (spec, "leaseDurationSeconds", jv_int (40));
  jv_set (spec, "renewTime", jv_string (now));
  hreq_reply_json (r, 200, lease);
}

void
huskd_handle_apis (struct hreq *r, char **seg, size_t n)
{
  if (!known_group (seg[0]) || (n >= 2 && strcmp (seg[1], "v1") != 0))
    return not_found (r);
  if (!strcmp (seg[0], "coordination.k8s.io") && n > 2)
    return node_lease (r, seg, n);
  if (n > 3)
    return not_found (r);
  if (n == 1 || n == 2)
    {
      if (r->method != EVHTTP_REQ_GET)
        return huskd_method_not_allowed (r);
      cleanup_jv yajl_val doc = n == 1 ? group (seg[0]) : resource_list (seg[0]);
      if (n == 1)
        {
          jv_set (doc, "kind", jv_string ("APIGroup"));
          jv_set (doc, "apiVersion", jv_string ("v1"));
        }
      return hreq_reply_json (r, 200, doc);
    }
  for (size_t i = 0; i < sizeof group_resources / sizeof *group_resources; i++)
    if (!strcmp (group_resources[i].group, seg[0]) && !strcmp (group_resources[i].name, seg[2]))
      {
        const char *ct = hreq_header (r, "Content-Type");
        cleanup_jv yajl_val body = NULL;
        struct api_status *s;
        if (r->method != EVHTTP_REQ_POST)
          return huskd_method_not_allowed (r);
        /* recent kubectl sends reviews as protobuf: the answer does not
         * depend on the question, whose spec is then not echoed */
        if (!(ct && strstr (ct, "protobuf")) && (s = hreq_body_json (r, &body)))
          return hreq_reply_status (r, s);
        cleanup_jv yajl_val out = review (&group_resources[i], body);
        return hreq_reply_json (r, 201, out);
      }
  not_found (r);
}
