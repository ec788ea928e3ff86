/* A request body as huskd handles it: decoded (JSON, or Kubernetes
 * protobuf), type-checked, defaulted, validated and admitted as a pod, and
 * applied as a JSON merge patch, a strategic merge patch and a JSON patch
 * to a pod and to itself. */
#include <yajl/yajl_tree.h>

#include "defaults.h"
#include "fuzz.h"
#include "jv.h"
#include "limitrange.h"
#include "patch.h"
#include "protobuf.h"
#include "quota.h"
#include "status.h"
#include "update.h"
#include "validate.h"

static const char base_pod[] =
  "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"default\","
  "\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"/img\","
  "\"resources\":{\"limits\":{\"memory\":\"64Mi\",\"cpu\":\"1\"}}}]}}";

static void
drop (struct api_status *s)
{
  if (s)
    api_status_free (s);
}

static void
admit (yajl_val doc)
{
  yajl_val pod = jv_copy (doc), pods[1] = { doc };
  struct api_status *typed = api_pod_check_types (pod);
  if (typed == NULL)
    {
      api_pod_set_defaults (pod);
      drop (api_pod_validate (pod));
      drop (api_quota_admit (pod, &doc, 1, pods, 1));
      drop (api_limitrange_admit (pod, &doc, 1));
    }
  drop (typed);
  drop (api_namespace_validate (doc));
  yajl_tree_free (pod);
}

static void
patch (yajl_val target, yajl_val p)
{
  yajl_val out = NULL;
  drop (api_merge_patch (target, p, false, &out));
  yajl_tree_free (out), out = NULL;
  drop (api_merge_patch (target, p, true, &out));
  if (out)
    drop (api_pod_validate_update (target, out));
  yajl_tree_free (out), out = NULL;
  drop (api_json_patch (target, p, &out));
  yajl_tree_free (out);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = fuzz_text (data, size), errbuf[128];
  yajl_val pod = yajl_tree_parse (base_pod, errbuf, sizeof errbuf), doc, proto = NULL;

  if (pod == NULL)
    abort ();
  doc = yajl_tree_parse (text, errbuf, sizeof errbuf);
  if (doc)
    {
      admit (doc);
      patch (pod, doc);
      patch (doc, doc);
      char *dumped = jv_dump (doc, NULL);
      free (dumped);
    }
  drop (api_protobuf_decode (data, size, &proto));
  if (proto)
    admit (proto);
  yajl_tree_free (proto);
  yajl_tree_free (doc);
  yajl_tree_free (pod);
  free (text);
  return 0;
}
