/* Quota and LimitRange admission with Kubernetes' messages. */
#include <stdlib.h>
#include <string.h>

#include "json_text.h"
#include "jv.h"
#include "limitrange.h"
#include "quota.h"
#include "tap.h"
#include "update.h"

int
main (void)
{
  cleanup_jv yajl_val quota = parse ("{\"metadata\":{\"name\":\"q\"},\"spec\":{\"hard\":{\"pods\":\"1\"}}}");
  cleanup_jv yajl_val p1 = parse ("{\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]},\"status\":{\"phase\":\"Running\"}}");
  cleanup_jv yajl_val p2 = parse ("{\"metadata\":{\"name\":\"b\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
  yajl_val pods[] = { p1 };
  struct api_status *s = api_quota_admit (p2, &quota, 1, pods, 0);
  ok (s == NULL, "first pod fits");
  api_status_free (s);
  s = api_quota_admit (p2, &quota, 1, pods, 1);
  ok (s && s->code == 403, "second pod is forbidden");
  is_str (s ? s->message : NULL,
          "pods \"b\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1",
          "Kubernetes' quota message");
  api_status_free (s);

  cleanup_jv yajl_val mq = parse ("{\"metadata\":{\"name\":\"mem\"},\"spec\":{\"hard\":{\"requests.memory\":\"100Mi\"}}}");
  s = api_quota_admit (p2, &mq, 1, pods, 0);
  is_str (s ? s->message : NULL, "pods \"b\" is forbidden: failed quota: mem: must specify requests.memory",
          "a quota on memory needs requests");
  api_status_free (s);

  cleanup_jv yajl_val lr = parse ("{\"spec\":{\"limits\":[{\"type\":\"Container\",\"default\":{\"memory\":\"64Mi\"},\"max\":{\"cpu\":\"1\"}}]}}");
  cleanup_jv yajl_val p3 = parse ("{\"metadata\":{\"name\":\"c\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":{\"limits\":{\"cpu\":\"500m\"}}}]}}");
  s = api_limitrange_admit (p3, &lr, 1);
  ok (s == NULL, "within the limit range");
  yajl_val res = jv_get (jv_path (p3, "spec", "containers", NULL)->u.array.values[0], "resources");
  is_str (jv_str (jv_get (res, "limits"), "memory"), "64Mi", "default limit applied");
  is_str (jv_str (jv_get (res, "requests"), "memory"), "64Mi", "request defaults to the limit");
  cleanup_jv yajl_val p4 = parse ("{\"metadata\":{\"name\":\"d\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]}}");
  s = api_limitrange_admit (p4, &lr, 1);
  is_str (s ? s->message : NULL,
          "pods \"d\" is forbidden: maximum cpu usage per Container is 1, but limit is 2",
          "LimitRange max message");
  api_status_free (s);

  cleanup_jv yajl_val old = parse ("{\"metadata\":{\"name\":\"a\"},\"spec\":{\"restartPolicy\":\"Always\",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
  cleanup_jv yajl_val img = parse ("{\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"y\"}},\"spec\":{\"restartPolicy\":\"Always\",\"containers\":[{\"name\":\"c\",\"image\":\"j\"}]}}");
  cleanup_jv yajl_val pol = parse ("{\"metadata\":{\"name\":\"a\"},\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
  s = api_pod_validate_update (old, img);
  ok (s == NULL, "image and label changes are allowed");
  api_status_free (s);
  s = api_pod_validate_update (old, pol);
  ok (s && s->code == 422 && strstr (s->message, "spec: Forbidden: pod updates may not change fields"),
      "restartPolicy change is forbidden");
  api_status_free (s);
  return tap_done ();
}
