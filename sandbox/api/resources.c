#include "resources.h"

#include <string.h>

#include "jv.h"
#include "quantity.h"

bool
api_container_quantity (yajl_val container, const char *section, const char *name,
                        long long *milli)
{
  const char *q = jv_str (jv_path (container, "resources", section, NULL), name);
  return q && api_quantity_parse (q, milli);
}

static const struct {
  const char *section, *name;
} res_names[API_RES_COUNT] = {
  [API_REQ_CPU] = { "requests", "cpu" },
  [API_REQ_MEM] = { "requests", "memory" },
  [API_LIM_CPU] = { "limits", "cpu" },
  [API_LIM_MEM] = { "limits", "memory" },
};

static void
container_values (yajl_val c, struct api_pod_resources *out)
{
  memset (out, 0, sizeof *out);
  for (int i = 0; i < API_RES_COUNT; i++)
    out->set[i] = api_container_quantity (c, res_names[i].section, res_names[i].name, &out->v[i]);
  /* an unset request defaults to the limit (API server defaulting) */
  for (int i = API_REQ_CPU; i <= API_REQ_MEM; i++)
    if (!out->set[i] && out->set[i + 2])
      {
        out->v[i] = out->v[i + 2];
        out->set[i] = true;
      }
}

void
api_pod_resources (yajl_val pod, struct api_pod_resources *out)
{
  yajl_val list = jv_path (pod, "spec", "containers", NULL);
  yajl_val init = jv_path (pod, "spec", "initContainers", NULL);
  struct api_pod_resources c;
  memset (out, 0, sizeof *out);
  for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
    {
      container_values (list->u.array.values[i], &c);
      for (int k = 0; k < API_RES_COUNT; k++)
        out->v[k] += c.v[k], out->set[k] |= c.set[k];
    }
  for (size_t i = 0; init && init->type == yajl_t_array && i < init->u.array.len; i++)
    {
      container_values (init->u.array.values[i], &c);
      for (int k = 0; k < API_RES_COUNT; k++)
        if (c.set[k] && c.v[k] > out->v[k])
          out->v[k] = c.v[k], out->set[k] = true;
    }
}
