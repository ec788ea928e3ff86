/* /api/v1/namespaces/{ns}/configmaps and /secrets: plain resources with
 * their own admission (keys, Secret types and base64, immutability) and
 * object-count quotas.  A change reaches the pods using them through the
 * controller's store watch (their volumes are rewritten in place). */
#include <string.h>

#include "cleanup.h"
#include "configmap.h"
#include "jv.h"
#include "objects.h"
#include "table.h"

static struct api_status *
admit_count (struct huskd *d, const char *ns, const char *resource, yajl_val old, yajl_val obj)
{
  size_t nq, n;
  if (old)
    return NULL;
  cleanup_free yajl_val *quotas = api_store_list (d->store, "resourcequotas", ns, &nq);
  if (nq == 0)
    return NULL;
  free (api_store_list (d->store, resource, ns, &n));
  return api_quota_count_admit (resource, jv_str (jv_get (obj, "metadata"), "name"), quotas, nq,
                                n);
}

static struct api_status *
admit_configmap (struct huskd *d, const char *ns, yajl_val old, yajl_val obj)
{
  struct api_status *s = api_configmap_admit (old, obj);
  return s ? s : admit_count (d, ns, "configmaps", old, obj);
}

static struct api_status *
admit_secret (struct huskd *d, const char *ns, yajl_val old, yajl_val obj)
{
  struct api_status *s = api_secret_admit (old, obj);
  return s ? s : admit_count (d, ns, "secrets", old, obj);
}

static const char *const secret_fields[] = { "type", NULL };

const struct resource_kind huskd_kind_configmaps
    = { "configmaps", "ConfigMap", true, api_table_configmaps, NULL, NULL, admit_configmap };
const struct resource_kind huskd_kind_secrets
    = { "secrets", "Secret", true, api_table_secrets, NULL, secret_fields, admit_secret };

void
huskd_quota_count_objects (struct huskd *d, const char *ns, yajl_val quota)
{
  static const char *const counted[] = { "configmaps", "secrets" };
  for (size_t i = 0; i < 2; i++)
    {
      size_t n;
      free (api_store_list (d->store, counted[i], ns, &n));
      api_quota_count_refresh (quota, counted[i], n);
    }
}

static void
handle (struct hreq *r, const struct resource_kind *k)
{
  bool changes = r->method == EVHTTP_REQ_POST || r->method == EVHTTP_REQ_DELETE;
  cleanup_free char *ns = r->ns ? strdup (r->ns) : NULL;
  huskd_handle_plain (r, k);
  if (changes && ns && !r->dry_run)
    huskd_quota_refresh (r->d, ns); /* status.used counts them */
}

void
huskd_handle_configmaps (struct hreq *r)
{
  handle (r, &huskd_kind_configmaps);
}

void
huskd_handle_secrets (struct hreq *r)
{
  handle (r, &huskd_kind_secrets);
}
