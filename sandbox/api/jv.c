#include "jv.h"
#include "json_doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size);
  if (!p)
    abort ();
  return p;
}

static void *
xrealloc (void *p, size_t size)
{
  p = realloc (p, size ? size : 1);
  if (!p)
    abort ();
  return p;
}

static char *
xstrdup (const char *s)
{
  char *r = strdup (s);
  if (!r)
    abort ();
  return r;
}

static yajl_val
node (yajl_type type)
{
  yajl_val v = xcalloc (1, sizeof *v);
  v->type = type;
  return v;
}

yajl_val
jv_string (const char *s)
{
  yajl_val v = node (yajl_t_string);
  v->u.string = xstrdup (s ? s : "");
  return v;
}

yajl_val
jv_int (long long i)
{
  yajl_val v = node (yajl_t_number);
  char buf[32];
  snprintf (buf, sizeof buf, "%lld", i);
  v->u.number.i = i;
  v->u.number.d = (double) i;
  v->u.number.r = xstrdup (buf);
  v->u.number.flags = YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;
  return v;
}

yajl_val
jv_number (const char *raw)
{
  char *end;
  yajl_val v;
  double d = strtod (raw, &end);
  if (!*raw || *end)
    return NULL;
  v = node (yajl_t_number);
  v->u.number.d = d;
  v->u.number.r = xstrdup (raw);
  v->u.number.flags = YAJL_NUMBER_DOUBLE_VALID;
  if (!strpbrk (raw, ".eE"))
    {
      v->u.number.i = strtoll (raw, NULL, 10);
      v->u.number.flags |= YAJL_NUMBER_INT_VALID;
    }
  return v;
}

yajl_val
jv_bool (bool b)
{
  return node (b ? yajl_t_true : yajl_t_false);
}

yajl_val
jv_null (void)
{
  return node (yajl_t_null);
}

yajl_val
jv_object (void)
{
  return node (yajl_t_object);
}

yajl_val
jv_array (void)
{
  return node (yajl_t_array);
}

yajl_val
jv_copy (yajl_val v)
{
  yajl_val c;
  if (!v)
    return NULL;
  switch (v->type)
    {
    case yajl_t_string:
      return jv_string (v->u.string);
    case yajl_t_number:
      c = node (yajl_t_number);
      c->u.number = v->u.number;
      c->u.number.r = xstrdup (v->u.number.r);
      return c;
    case yajl_t_object:
      c = jv_object ();
      for (size_t i = 0; i < v->u.object.len; i++)
        jv_set (c, v->u.object.keys[i], jv_copy (v->u.object.values[i]));
      return c;
    case yajl_t_array:
      c = jv_array ();
      for (size_t i = 0; i < v->u.array.len; i++)
        jv_push (c, jv_copy (v->u.array.values[i]));
      return c;
    default:
      return node (v->type);
    }
}

yajl_val
jv_get (yajl_val v, const char *key)
{
  if (!v || v->type != yajl_t_object)
    return NULL;
  for (size_t i = 0; i < v->u.object.len; i++)
    if (strcmp (v->u.object.keys[i], key) == 0)
      return v->u.object.values[i];
  return NULL;
}

yajl_val
jv_path (yajl_val v, ...)
{
  va_list ap;
  const char *key;
  va_start (ap, v);
  while (v && (key = va_arg (ap, const char *)))
    v = jv_get (v, key);
  va_end (ap);
  return v;
}

const char *
jv_str (yajl_val v, const char *key)
{
  yajl_val s = key ? jv_get (v, key) : v;
  return s && s->type == yajl_t_string ? s->u.string : NULL;
}

/* Reads the number's text rather than trusting its flags: trees built by
 * other parsers (oci/json_doc.c) keep only the text. */
bool
jv_int_of (yajl_val v, const char *key, long long *out)
{
  yajl_val n = key ? jv_get (v, key) : v;
  char *end;
  long long i;
  if (!n || n->type != yajl_t_number || !n->u.number.r)
    return false;
  errno = 0;
  i = strtoll (n->u.number.r, &end, 10);
  if (errno || *end || end == n->u.number.r)
    return false;
  *out = i;
  return true;
}

yajl_val
jv_set (yajl_val obj, const char *key, yajl_val value)
{
  size_t n = obj->u.object.len;
  for (size_t i = 0; i < n; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      {
        yajl_tree_free (obj->u.object.values[i]);
        obj->u.object.values[i] = value;
        return value;
      }
  obj->u.object.keys = xrealloc (obj->u.object.keys, (n + 1) * sizeof (char *));
  obj->u.object.values = xrealloc (obj->u.object.values, (n + 1) * sizeof (yajl_val));
  obj->u.object.keys[n] = xstrdup (key);
  obj->u.object.values[n] = value;
  obj->u.object.len = n + 1;
  return value;
}

void
jv_del (yajl_val obj, const char *key)
{
  if (!obj || obj->type != yajl_t_object)
    return;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      {
        free ((char *) obj->u.object.keys[i]);
        yajl_tree_free (obj->u.object.values[i]);
        size_t rest = obj->u.object.len - i - 1;
        memmove (&obj->u.object.keys[i], &obj->u.object.keys[i + 1], rest * sizeof (char *));
        memmove (&obj->u.object.values[i], &obj->u.object.values[i + 1],
                 rest * sizeof (yajl_val));
        obj->u.object.len--;
        return;
      }
}

yajl_val
jv_obj_at (yajl_val obj, const char *key)
{
  yajl_val v = jv_get (obj, key);
  if (v && v->type == yajl_t_object)
    return v;
  return jv_set (obj, key, jv_object ());
}

void
jv_push (yajl_val arr, yajl_val value)
{
  size_t n = arr->u.array.len;
  arr->u.array.values = xrealloc (arr->u.array.values, (n + 1) * sizeof (yajl_val));
  arr->u.array.values[n] = value;
  arr->u.array.len = n + 1;
}

void
jv_array_remove (yajl_val arr, size_t i)
{
  if (i >= arr->u.array.len)
    return;
  yajl_tree_free (arr->u.array.values[i]);
  memmove (&arr->u.array.values[i], &arr->u.array.values[i + 1],
           (arr->u.array.len - i - 1) * sizeof (yajl_val));
  arr->u.array.len--;
}

void
jv_array_insert (yajl_val arr, size_t i, yajl_val value)
{
  size_t n = arr->u.array.len;
  if (i > n)
    i = n;
  arr->u.array.values = xrealloc (arr->u.array.values, (n + 1) * sizeof (yajl_val));
  memmove (&arr->u.array.values[i + 1], &arr->u.array.values[i], (n - i) * sizeof (yajl_val));
  arr->u.array.values[i] = value;
  arr->u.array.len = n + 1;
}

bool
jv_equal (yajl_val a, yajl_val b)
{
  return json_doc_equal (a, b, NULL);
}

void
jv_gen (yajl_gen g, yajl_val v)
{
  if (!v)
    {
      yajl_gen_null (g);
      return;
    }
  switch (v->type)
    {
    case yajl_t_string:
      jg_str (g, v->u.string);
      break;
    case yajl_t_number:
      yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
      break;
    case yajl_t_object:
      yajl_gen_map_open (g);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          jg_str (g, v->u.object.keys[i]);
          jv_gen (g, v->u.object.values[i]);
        }
      yajl_gen_map_close (g);
      break;
    case yajl_t_array:
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        jv_gen (g, v->u.array.values[i]);
      yajl_gen_array_close (g);
      break;
    case yajl_t_true:
    case yajl_t_false:
      yajl_gen_bool (g, v->type == yajl_t_true);
      break;
    default:
      yajl_gen_null (g);
    }
}

char *
jv_dump (yajl_val v, size_t *len)
{
  cleanup_gen yajl_gen g = yajl_gen_alloc (NULL);
  jv_gen (g, v);
  return jg_take (g, len);
}

void
jg_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

void
jg_key (yajl_gen g, const char *key)
{
  jg_str (g, key);
}

void
jg_kv_str (yajl_gen g, const char *key, const char *value)
{
  jg_str (g, key);
  jg_str (g, value);
}

void
jg_kv_int (yajl_gen g, const char *key, long long value)
{
  jg_str (g, key);
  yajl_gen_integer (g, value);
}

void
jg_kv_bool (yajl_gen g, const char *key, bool value)
{
  jg_str (g, key);
  yajl_gen_bool (g, value);
}

char *
jg_take (yajl_gen g, size_t *len)
{
  const unsigned char *buf;
  size_t n;
  yajl_gen_get_buf (g, &buf, &n);
  char *out = xcalloc (n + 1, 1);
  memcpy (out, buf, n);
  if (len)
    *len = n;
  return out;
}
