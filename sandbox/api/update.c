#include "update.h"

#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "validate.h"

static const char forbidden_msg[]
    = "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
      "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
      "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
      "set to 1 if it was previously negative)";

/* The spec with the fields an update may change taken out. */
static yajl_val
frozen_spec (yajl_val pod)
{
  yajl_val spec = jv_copy (jv_get (pod, "spec"));
  const char *lists[] = { "containers", "initContainers" };
  if (!spec)
    return jv_object ();
  jv_del (spec, "activeDeadlineSeconds");
  jv_del (spec, "tolerations");
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val list = jv_get (spec, lists[l]);
      for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
        jv_del (list->u.array.values[i], "image");
    }
  return spec;
}

static struct api_status *
invalid (yajl_val pod, const char *field, const char *msg)
{
  struct api_status *s = api_invalid_new ("Pod", jv_str (jv_get (pod, "metadata"), "name"));
  api_status_add_cause (s, "FieldValueForbidden", field, msg);
  api_invalid_finish (s);
  return s;
}

static struct api_status *
check_deadline (yajl_val old_pod, yajl_val new_pod)
{
  long long before, after;
  bool had = jv_int_of (jv_get (old_pod, "spec"), "activeDeadlineSeconds", &before);
  bool has = jv_int_of (jv_get (new_pod, "spec"), "activeDeadlineSeconds", &after);
  if (had && !has)
    return invalid (new_pod, "spec.activeDeadlineSeconds",
                    "Invalid value: \"null\": must not update from a positive integer to nil "
                    "value");
  if (had && has && after > before)
    return invalid (new_pod, "spec.activeDeadlineSeconds",
                    "Invalid value: must be less than or equal to previous value");
  return NULL;
}

struct api_status *
api_pod_validate_update (yajl_val old_pod, yajl_val new_pod)
{
  cleanup_jv yajl_val a = frozen_spec (old_pod);
  cleanup_jv yajl_val b = frozen_spec (new_pod);
  struct api_status *s = api_pod_validate (new_pod);
  const char *immutable[] = { "name", "namespace", "uid" };

  if (s)
    return s;
  for (size_t i = 0; i < 3; i++)
    {
      yajl_val was = jv_path (old_pod, "metadata", immutable[i], NULL);
      yajl_val is = jv_path (new_pod, "metadata", immutable[i], NULL);
      if (is && !jv_equal (was, is))
        {
          char field[32];
          snprintf (field, sizeof field, "metadata.%s", immutable[i]);
          return invalid (new_pod, field, "Invalid value: field is immutable");
        }
    }
  if (!jv_equal (a, b))
    return invalid (new_pod, "spec", forbidden_msg);
  return check_deadline (old_pod, new_pod);
}
