#include "json_reader.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* Keys are quoted in paths when they are not plain words, and cut when a
 * hostile document uses a megabyte as a key. */
#define JR_KEY_SHOWN 64

void
jr_init (struct jr *r, const char *filename, struct husk_error **err)
{
  memset (r, 0, sizeof *r);
  r->filename = filename ? filename : "(document)";
  r->err = err;
}

void
jr_done (struct jr *r)
{
  free (r->path);
  r->path = NULL;
  r->len = r->cap = 0;
}

/* On allocation failure the path stays shorter than it should: the error
 * message loses detail but nothing breaks. */
static void
jr_append (struct jr *r, const char *s, size_t n)
{
  if (r->len + n + 1 > r->cap)
    {
      size_t cap = (r->cap ? r->cap * 2 : 64) + n;
      char *p = realloc (r->path, cap);
      if (p == NULL)
        return;
      r->path = p;
      r->cap = cap;
    }
  memcpy (r->path + r->len, s, n);
  r->len += n;
  r->path[r->len] = '\0';
}

static bool
is_plain_key (const char *key)
{
  if (*key == '\0')
    return false;
  for (const char *p = key; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_')
      return false;
  return true;
}

size_t
jr_enter_key (struct jr *r, const char *key)
{
  size_t mark = r->len;
  size_t n = strlen (key);

  if (is_plain_key (key))
    {
      if (r->len > 0)
        jr_append (r, ".", 1);
      jr_append (r, key, n);
      return mark;
    }
  jr_append (r, "[\"", 2);
  jr_append (r, key, n > JR_KEY_SHOWN ? JR_KEY_SHOWN : n);
  if (n > JR_KEY_SHOWN)
    jr_append (r, "...", 3);
  jr_append (r, "\"]", 2);
  return mark;
}

size_t
jr_enter_index (struct jr *r, size_t index)
{
  char buf[32];
  size_t mark = r->len;
  int n = snprintf (buf, sizeof buf, "[%zu]", index);
  jr_append (r, buf, (size_t) n);
  return mark;
}

void
jr_leave (struct jr *r, size_t mark)
{
  if (mark <= r->len)
    r->len = mark;
  if (r->path)
    r->path[r->len] = '\0';
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. */
static size_t
utf8_seq (const unsigned char *s)
{
  size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
             : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  return n;
}

void
jr_sanitize (char *msg)
{
  unsigned char *p = (unsigned char *) msg;

  while (p && *p)
    {
      size_t n = utf8_seq (p);
      if (n == 0)
        *p++ = '?';
      else
        p += n;
    }
}

int
jr_fail (struct jr *r, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  jr_sanitize (msg);
  jr_sanitize (r->path);
  if (r->len > 0)
    return husk_error_set (r->err, 0, "%s: %s: %s", r->filename, r->path,
                           msg ? msg : "invalid value");
  return husk_error_set (r->err, 0, "%s: %s", r->filename, msg ? msg : "invalid value");
}

const char *
jr_type_name (yajl_val v)
{
  if (v == NULL)
    return "nothing";
  switch (v->type)
    {
    case yajl_t_string: return "a string";
    case yajl_t_number: return "a number";
    case yajl_t_object: return "an object";
    case yajl_t_array: return "an array";
    case yajl_t_true:
    case yajl_t_false: return "a boolean";
    case yajl_t_null: return "null";
    default: return "an unknown value";
    }
}

int
jr_fail_type (struct jr *r, const char *expected, yajl_val got)
{
  return jr_fail (r, "expected %s, got %s", expected, jr_type_name (got));
}

yajl_val
jr_member (yajl_val obj, const char *key)
{
  if (!YAJL_IS_OBJECT (obj))
    return NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      {
        yajl_val v = obj->u.object.values[i];
        return YAJL_IS_NULL (v) ? NULL : v;
      }
  return NULL;
}

int
jr_string_value (struct jr *r, yajl_val v, char **out)
{
  char *s;

  if (!YAJL_IS_STRING (v))
    return jr_fail_type (r, "a string", v);
  s = strdup (v->u.string);
  if (s == NULL)
    return husk_error_set (r->err, ENOMEM, "%s: %s", r->filename, r->path ? r->path : "");
  free (*out);
  *out = s;
  return 1;
}

int
jr_bool_value (struct jr *r, yajl_val v, bool *out)
{
  if (YAJL_IS_TRUE (v))
    *out = true;
  else if (YAJL_IS_FALSE (v))
    *out = false;
  else
    return jr_fail_type (r, "a boolean", v);
  return 1;
}

/* The number as written, when it is an integer: JSON numbers like 1.0 or
 * 1e3 are refused for integer fields, as Go's decoder refuses them. */
static const char *
integer_text (struct jr *r, yajl_val v)
{
  const char *text;

  if (!YAJL_IS_NUMBER (v))
    {
      jr_fail_type (r, "an integer", v);
      return NULL;
    }
  text = v->u.number.r;
  if (text == NULL || strpbrk (text, ".eE") != NULL)
    {
      jr_fail (r, "expected an integer, got %.40s", text ? text : "a number");
      return NULL;
    }
  return text;
}

int
jr_i64_value (struct jr *r, yajl_val v, int64_t min, int64_t max, int64_t *out)
{
  const char *text = integer_text (r, v);
  long long n;

  if (text == NULL)
    return -1;
  errno = 0;
  n = strtoll (text, NULL, 10);
  if (errno == ERANGE || n < min || n > max)
    return jr_fail (r, "%.40s is out of range (%" PRId64 "..%" PRId64 ")", text, min, max);
  *out = n;
  return 1;
}

int
jr_u64_value (struct jr *r, yajl_val v, uint64_t max, uint64_t *out)
{
  const char *text = integer_text (r, v);
  unsigned long long n;

  if (text == NULL)
    return -1;
  if (text[0] == '-')
    return jr_fail (r, "must not be negative, got %.40s", text);
  errno = 0;
  n = strtoull (text, NULL, 10);
  if (errno == ERANGE || n > max)
    return jr_fail (r, "%.40s is out of range (max %" PRIu64 ")", text, max);
  *out = n;
  return 1;
}

/* Looks up `key` and enters it; returns 0 (and enters nothing) when it is
 * absent and not required. */
static int
jr_lookup (struct jr *r, yajl_val obj, const char *key, bool required, yajl_val *v,
           size_t *mark)
{
  *v = jr_member (obj, key);
  if (*v != NULL)
    {
      *mark = jr_enter_key (r, key);
      return 1;
    }
  if (!required)
    return 0;
  *mark = jr_enter_key (r, key);
  jr_fail (r, "required");
  jr_leave (r, *mark);
  return -1;
}

#define JR_MEMBER(call)                                                        \
  do                                                                           \
    {                                                                          \
      yajl_val v;                                                              \
      size_t mark;                                                             \
      int found = jr_lookup (r, obj, key, required, &v, &mark);                \
      if (found <= 0)                                                          \
        return found;                                                          \
      int ret = (call);                                                        \
      jr_leave (r, mark);                                                      \
      return ret;                                                              \
    }                                                                          \
  while (0)

int
jr_string (struct jr *r, yajl_val obj, const char *key, bool required, char **out)
{
  JR_MEMBER (jr_string_value (r, v, out));
}

int
jr_bool (struct jr *r, yajl_val obj, const char *key, bool *out)
{
  const bool required = false;
  JR_MEMBER (jr_bool_value (r, v, out));
}

int
jr_opt_bool (struct jr *r, yajl_val obj, const char *key, oci_opt_bool *out)
{
  int ret = jr_bool (r, obj, key, &out->value);
  if (ret > 0)
    out->set = true;
  return ret;
}

int
jr_i64 (struct jr *r, yajl_val obj, const char *key, bool required, int64_t min, int64_t max,
        int64_t *out)
{
  JR_MEMBER (jr_i64_value (r, v, min, max, out));
}

int
jr_u64 (struct jr *r, yajl_val obj, const char *key, bool required, uint64_t max,
        uint64_t *out)
{
  JR_MEMBER (jr_u64_value (r, v, max, out));
}

int
jr_u32 (struct jr *r, yajl_val obj, const char *key, bool required, uint32_t *out)
{
  uint64_t n = 0;
  int ret = jr_u64 (r, obj, key, required, UINT32_MAX, &n);
  if (ret > 0)
    *out = (uint32_t) n;
  return ret;
}

int
jr_opt_i64 (struct jr *r, yajl_val obj, const char *key, int64_t min, int64_t max,
            oci_opt_i64 *out)
{
  int ret = jr_i64 (r, obj, key, false, min, max, &out->value);
  if (ret > 0)
    out->set = true;
  return ret;
}

int
jr_opt_u64 (struct jr *r, yajl_val obj, const char *key, uint64_t max, oci_opt_u64 *out)
{
  int ret = jr_u64 (r, obj, key, false, max, &out->value);
  if (ret > 0)
    out->set = true;
  return ret;
}

static int
jr_typed (struct jr *r, yajl_val v, yajl_type type, const char *name, yajl_val *out)
{
  if (v->type != type)
    return jr_fail_type (r, name, v);
  *out = v;
  return 1;
}

int
jr_object (struct jr *r, yajl_val obj, const char *key, bool required, yajl_val *out)
{
  *out = NULL;
  JR_MEMBER (jr_typed (r, v, yajl_t_object, "an object", out));
}

int
jr_array (struct jr *r, yajl_val obj, const char *key, bool required, yajl_val *out)
{
  *out = NULL;
  JR_MEMBER (jr_typed (r, v, yajl_t_array, "an array", out));
}

static int
jr_oom (struct jr *r)
{
  return husk_error_set (r->err, ENOMEM, "%s: %s", r->filename, r->path ? r->path : "");
}

static int
strv_value (struct jr *r, yajl_val v, char ***out, size_t *len)
{
  yajl_val arr = NULL;
  char **strv;

  if (jr_typed (r, v, yajl_t_array, "an array", &arr) < 0)
    return -1;
  strv = calloc (arr->u.array.len + 1, sizeof *strv);
  if (strv == NULL)
    return jr_oom (r);
  *out = strv;
  *len = arr->u.array.len;
  for (size_t i = 0; i < arr->u.array.len; i++)
    {
      size_t mark = jr_enter_index (r, i);
      if (jr_string_value (r, arr->u.array.values[i], &strv[i]) < 0)
        return -1;
      jr_leave (r, mark);
    }
  return 1;
}

int
jr_strv (struct jr *r, yajl_val obj, const char *key, bool required, char ***out, size_t *len)
{
  JR_MEMBER (strv_value (r, v, out, len));
}

static int
map_value (struct jr *r, yajl_val v, struct oci_map *out)
{
  yajl_val o = NULL;
  size_t n;

  if (jr_typed (r, v, yajl_t_object, "an object", &o) < 0)
    return -1;
  n = o->u.object.len;
  out->keys = calloc (n + 1, sizeof (char *));
  out->values = calloc (n + 1, sizeof (char *));
  if (out->keys == NULL || out->values == NULL)
    return jr_oom (r);
  out->len = n;
  for (size_t i = 0; i < n; i++)
    {
      size_t mark = jr_enter_key (r, o->u.object.keys[i]);
      out->keys[i] = strdup (o->u.object.keys[i]);
      if (out->keys[i] == NULL)
        return jr_oom (r);
      if (jr_string_value (r, o->u.object.values[i], &out->values[i]) < 0)
        return -1;
      jr_leave (r, mark);
    }
  return 1;
}

int
jr_map (struct jr *r, yajl_val obj, const char *key, struct oci_map *out)
{
  const bool required = false;
  JR_MEMBER (map_value (r, v, out));
}

static int
array_of_value (struct jr *r, yajl_val v, size_t elem_size, jr_parse_fn fn, void **out,
                size_t *len)
{
  yajl_val arr = NULL;
  char *elems;
  size_t n;

  if (jr_typed (r, v, yajl_t_array, "an array", &arr) < 0)
    return -1;
  n = arr->u.array.len;
  /* calloc (0, ...) may return NULL: ask for one element at least. */
  elems = calloc (n ? n : 1, elem_size);
  if (elems == NULL)
    return jr_oom (r);
  *out = elems;
  *len = n;
  for (size_t i = 0; i < n; i++)
    {
      yajl_val e = arr->u.array.values[i];
      size_t mark = jr_enter_index (r, i);
      if (!YAJL_IS_OBJECT (e))
        return jr_fail_type (r, "an object", e);
      if (fn (r, e, elems + i * elem_size) < 0)
        return -1;
      jr_leave (r, mark);
    }
  return 1;
}

int
jr_array_of (struct jr *r, yajl_val obj, const char *key, size_t elem_size, jr_parse_fn fn,
             void *out, size_t *len)
{
  const bool required = false;
  JR_MEMBER (array_of_value (r, v, elem_size, fn, (void **) out, len));
}

static int
object_into_value (struct jr *r, yajl_val v, jr_parse_fn fn, void *into)
{
  if (!YAJL_IS_OBJECT (v))
    return jr_fail_type (r, "an object", v);
  return fn (r, v, into) < 0 ? -1 : 1;
}

/* The struct is stored before it is parsed so that the caller's free sees
 * what a failed parse left in it. */
static int
object_of_value (struct jr *r, yajl_val v, size_t size, jr_parse_fn fn, void **out)
{
  if (!YAJL_IS_OBJECT (v))
    return jr_fail_type (r, "an object", v);
  if ((*out = calloc (1, size)) == NULL)
    return jr_oom (r);
  return object_into_value (r, v, fn, *out);
}

int
jr_object_into (struct jr *r, yajl_val obj, const char *key, bool required, jr_parse_fn fn,
                void *into)
{
  JR_MEMBER (object_into_value (r, v, fn, into));
}

int
jr_object_of (struct jr *r, yajl_val obj, const char *key, size_t size, jr_parse_fn fn,
              void *out)
{
  const bool required = false;
  JR_MEMBER (object_of_value (r, v, size, fn, (void **) out));
}
