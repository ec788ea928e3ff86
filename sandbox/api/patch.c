#include "patch.h"

#include <string.h>

#include "jv.h"

static const struct {
  const char *field, *key;
} merge_keys[] = {
  { "containers", "name" },       { "initContainers", "name" },
  { "ephemeralContainers", "name" }, { "volumes", "name" },
  { "env", "name" },              { "imagePullSecrets", "name" },
  { "ports", "containerPort" },   { "volumeMounts", "mountPath" },
  { "volumeDevices", "devicePath" }, { "conditions", "type" },
  { "hostAliases", "ip" },
};

const char *
api_patch_merge_key (const char *field)
{
  for (size_t i = 0; i < sizeof merge_keys / sizeof merge_keys[0]; i++)
    if (strcmp (merge_keys[i].field, field) == 0)
      return merge_keys[i].key;
  return NULL;
}

static yajl_val merge (yajl_val target, yajl_val patch, bool strategic);

static bool
same_key (yajl_val a, yajl_val b, const char *key)
{
  return jv_equal (jv_get (a, key), jv_get (b, key)) && jv_get (a, key);
}

/* Strategic list merge: patch elements with a key replace-merge the target
 * element with the same key, or are appended; `$patch: delete` removes. */
static yajl_val
merge_list (yajl_val target, yajl_val patch, const char *key)
{
  yajl_val out = target && target->type == yajl_t_array ? jv_copy (target) : jv_array ();
  for (size_t i = 0; i < patch->u.array.len; i++)
    {
      yajl_val p = patch->u.array.values[i];
      const char *directive = jv_str (p, "$patch");
      size_t j = 0;
      if (p->type != yajl_t_object)
        return jv_copy (patch); /* not a keyed list after all: replace */
      while (j < out->u.array.len && !same_key (out->u.array.values[j], p, key))
        j++;
      if (directive && strcmp (directive, "delete") == 0)
        {
          jv_array_remove (out, j);
          continue;
        }
      if (j < out->u.array.len)
        {
          yajl_val merged = merge (out->u.array.values[j], p, true);
          yajl_tree_free (out->u.array.values[j]);
          out->u.array.values[j] = merged;
        }
      else
        jv_push (out, merge (NULL, p, true));
    }
  return out;
}

static yajl_val
merge_member (yajl_val target, const char *key, yajl_val p, bool strategic)
{
  const char *list_key = strategic ? api_patch_merge_key (key) : NULL;
  if (list_key && p->type == yajl_t_array)
    return merge_list (jv_get (target, key), p, list_key);
  return merge (jv_get (target, key), p, strategic);
}

static yajl_val
merge (yajl_val target, yajl_val patch, bool strategic)
{
  yajl_val out;
  const char *directive;
  if (!patch || patch->type != yajl_t_object)
    return jv_copy (patch);
  directive = strategic ? jv_str (patch, "$patch") : NULL;
  out = target && target->type == yajl_t_object && !(directive && !strcmp (directive, "replace"))
            ? jv_copy (target)
            : jv_object ();
  for (size_t i = 0; i < patch->u.object.len; i++)
    {
      const char *key = patch->u.object.keys[i];
      yajl_val p = patch->u.object.values[i];
      if (strategic && key[0] == '$')
        continue; /* $patch, $setElementOrder/..., $retainKeys: directives */
      if (p->type == yajl_t_null)
        jv_del (out, key);
      else
        jv_set (out, key, merge_member (out, key, p, strategic));
    }
  return out;
}

struct api_status *
api_merge_patch (yajl_val target, yajl_val patch, bool strategic, yajl_val *out)
{
  if (!patch || patch->type != yajl_t_object)
    return api_bad_request ("the patch must be a JSON object");
  *out = merge (target, patch, strategic);
  return NULL;
}
