/* Small read-only helpers over the parsed model. */
#include <string.h>

#include "config.h"

const char *
oci_map_get (const struct oci_map *map, const char *key)
{
  if (map == NULL || key == NULL)
    return NULL;
  for (size_t i = 0; i < map->len; i++)
    if (map->keys[i] && strcmp (map->keys[i], key) == 0)
      return map->values[i];
  return NULL;
}

const struct oci_namespace *
oci_config_namespace (const struct oci_config *config, enum oci_namespace_type type)
{
  if (config == NULL || config->linux_ == NULL)
    return NULL;
  for (size_t i = 0; i < config->linux_->namespaces_len; i++)
    if (config->linux_->namespaces[i].type == type)
      return &config->linux_->namespaces[i];
  return NULL;
}
