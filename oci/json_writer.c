#include "json_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JW(call)                                                               \
  do                                                                           \
    {                                                                          \
      if (w->status == yajl_gen_status_ok)                                     \
        w->status = (call);                                                    \
    }                                                                          \
  while (0)

int
jw_init (struct jw *w, const char *indent, struct husk_error **err)
{
  w->status = yajl_gen_status_ok;
  w->g = yajl_gen_alloc (NULL);
  if (w->g == NULL)
    return husk_error_set (err, ENOMEM, "yajl_gen_alloc");
  /* Strings we write come from parsed (validated) documents or our own
   * tables; still refuse to emit invalid UTF-8. */
  yajl_gen_config (w->g, yajl_gen_validate_utf8, 1);
  if (indent)
    {
      yajl_gen_config (w->g, yajl_gen_beautify, 1);
      yajl_gen_config (w->g, yajl_gen_indent_string, indent);
    }
  return 0;
}

void
jw_release (struct jw *w)
{
  if (w->g)
    yajl_gen_free (w->g);
  w->g = NULL;
}

int
jw_finish (struct jw *w, const char *what, char **out, size_t *len, struct husk_error **err)
{
  const unsigned char *buf = NULL;
  size_t n = 0;
  char *copy;

  if (w->status == yajl_gen_status_ok)
    w->status = yajl_gen_get_buf (w->g, &buf, &n);
  if (w->status != yajl_gen_status_ok)
    {
      husk_error_set (err, 0, "write %s: yajl_gen error %d", what, (int) w->status);
      jw_release (w);
      return -1;
    }
  copy = malloc (n + 1);
  if (copy == NULL)
    {
      jw_release (w);
      return husk_error_set (err, ENOMEM, "write %s", what);
    }
  memcpy (copy, buf, n);
  copy[n] = '\0';
  jw_release (w);
  *out = copy;
  if (len)
    *len = n;
  return 0;
}

void
jw_open (struct jw *w)
{
  JW (yajl_gen_map_open (w->g));
}

void
jw_close (struct jw *w)
{
  JW (yajl_gen_map_close (w->g));
}

void
jw_array_open (struct jw *w)
{
  JW (yajl_gen_array_open (w->g));
}

void
jw_array_close (struct jw *w)
{
  JW (yajl_gen_array_close (w->g));
}

void
jw_string (struct jw *w, const char *s)
{
  if (s == NULL)
    JW (yajl_gen_null (w->g));
  else
    JW (yajl_gen_string (w->g, (const unsigned char *) s, strlen (s)));
}

void
jw_key (struct jw *w, const char *key)
{
  jw_string (w, key);
}

void
jw_key_string (struct jw *w, const char *key, const char *value)
{
  jw_key (w, key);
  jw_string (w, value);
}

void
jw_key_int (struct jw *w, const char *key, long long value)
{
  jw_key (w, key);
  JW (yajl_gen_integer (w->g, value));
}

void
jw_key_bool (struct jw *w, const char *key, bool value)
{
  jw_key (w, key);
  JW (yajl_gen_bool (w->g, value));
}

void
jw_key_strv (struct jw *w, const char *key, const char *const *list)
{
  jw_key (w, key);
  jw_array_open (w);
  for (; list && *list; list++)
    jw_string (w, *list);
  jw_array_close (w);
}

void
jw_key_map (struct jw *w, const char *key, const struct oci_map *map)
{
  jw_key (w, key);
  jw_open (w);
  for (size_t i = 0; i < map->len; i++)
    jw_key_string (w, map->keys[i], map->values[i]);
  jw_close (w);
}

void
jw_value (struct jw *w, yajl_val v)
{
  if (YAJL_IS_OBJECT (v))
    {
      jw_open (w);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          jw_key (w, v->u.object.keys[i]);
          jw_value (w, v->u.object.values[i]);
        }
      jw_close (w);
    }
  else if (YAJL_IS_ARRAY (v))
    {
      jw_array_open (w);
      for (size_t i = 0; i < v->u.array.len; i++)
        jw_value (w, v->u.array.values[i]);
      jw_array_close (w);
    }
  else if (YAJL_IS_STRING (v))
    jw_string (w, v->u.string);
  else if (YAJL_IS_INTEGER (v))
    JW (yajl_gen_integer (w->g, YAJL_GET_INTEGER (v)));
  else if (YAJL_IS_NUMBER (v))
    JW (yajl_gen_number (w->g, v->u.number.r, strlen (v->u.number.r)));
  else if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    JW (yajl_gen_bool (w->g, YAJL_IS_TRUE (v)));
  else
    JW (yajl_gen_null (w->g));
}
