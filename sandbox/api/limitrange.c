#include "limitrange.h"

#include <stdio.h>
#include <string.h>

#include "jv.h"
#include "quantity.h"
#include "resources.h"

static const char *const resource_names[] = { "cpu", "memory" };

static void
fill_defaults (yajl_val c, yajl_val item)
{
  yajl_val res = jv_obj_at (c, "resources");
  for (size_t i = 0; i < 2; i++)
    {
      const char *name = resource_names[i];
      /* the LimitRange's own defaulting (SetDefaults_LimitRangeItem):
       * default falls back to max, defaultRequest to default, then min */
      const char *def = jv_str (jv_get (item, "default"), name)
                            ?: jv_str (jv_get (item, "max"), name);
      const char *def_req = jv_str (jv_get (item, "defaultRequest"), name)
                                ?: def ?: jv_str (jv_get (item, "min"), name);
      const char *lim = jv_str (jv_get (res, "limits"), name);
      if (def && !lim)
        jv_set (jv_obj_at (res, "limits"), name, jv_string (lim = def));
      if (!jv_str (jv_get (res, "requests"), name) && (def_req || lim))
        jv_set (jv_obj_at (res, "requests"), name, jv_string (def_req ? def_req : lim));
    }
}

static struct api_status *
check_bounds (yajl_val pod, yajl_val c, yajl_val item)
{
  const char *pod_name = jv_str (jv_get (pod, "metadata"), "name");
  for (size_t i = 0; i < 2; i++)
    {
      const char *name = resource_names[i];
      const char *max = jv_str (jv_get (item, "max"), name);
      const char *min = jv_str (jv_get (item, "min"), name);
      long long bound, have;
      if (max && api_quantity_parse (max, &bound))
        {
          if (!api_container_quantity (c, "limits", name, &have))
            return api_forbidden ("pods", pod_name,
                                  "maximum %s usage per Container is %s.  No limit is specified",
                                  name, max);
          if (have > bound)
            return api_forbidden ("pods", pod_name,
                                  "maximum %s usage per Container is %s, but limit is %s", name,
                                  max, jv_str (jv_path (c, "resources", "limits", NULL), name));
        }
      if (min && api_quantity_parse (min, &bound))
        {
          if (!api_container_quantity (c, "requests", name, &have))
            return api_forbidden ("pods", pod_name,
                                  "minimum %s usage per Container is %s.  No request is "
                                  "specified",
                                  name, min);
          if (have < bound)
            return api_forbidden ("pods", pod_name,
                                  "minimum %s usage per Container is %s, but request is %s",
                                  name, min,
                                  jv_str (jv_path (c, "resources", "requests", NULL), name));
        }
    }
  return NULL;
}

static struct api_status *
admit_item (yajl_val pod, yajl_val item)
{
  const char *type = jv_str (item, "type");
  const char *lists[] = { "initContainers", "containers" };
  if (!type || strcmp (type, "Container") != 0)
    return NULL;
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val list = jv_path (pod, "spec", lists[l], NULL);
      for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
        {
          struct api_status *s;
          fill_defaults (list->u.array.values[i], item);
          if ((s = check_bounds (pod, list->u.array.values[i], item)))
            return s;
        }
    }
  return NULL;
}

struct api_status *
api_limitrange_admit (yajl_val pod, yajl_val *ranges, size_t n)
{
  for (size_t r = 0; r < n; r++)
    {
      yajl_val items = jv_path (ranges[r], "spec", "limits", NULL);
      for (size_t i = 0; items && items->type == yajl_t_array && i < items->u.array.len; i++)
        {
          struct api_status *s = admit_item (pod, items->u.array.values[i]);
          if (s)
            return s;
        }
    }
  return NULL;
}
