/* JSON Patch (RFC 6902), what `kubectl patch --type=json` sends: a list of
 * add, remove, replace, move, copy and test operations at JSON Pointers
 * (RFC 6901), applied in order to a copy of the object; any failing
 * operation fails the whole patch (422, worded as kube-apiserver's
 * json-patch library words it). */
#include "patch.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "str_printf.h"

/* A pointer split into its decoded reference tokens ("~1" is "/", "~0"
 * is "~"); "" is the whole document (no token). */
struct pointer {
  char **tokens;
  size_t n;
};

static void
pointer_free (struct pointer *p)
{
  for (size_t i = 0; i < p->n; i++)
    free (p->tokens[i]);
  free (p->tokens);
}
#define cleanup_pointer __attribute__ ((cleanup (pointer_free)))

static bool
decode_token (const char *start, size_t len, char **out)
{
  char *t = malloc (len + 1), *w = t;
  if (!t)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      if (start[i] != '~')
        *w++ = start[i];
      else if (i + 1 < len && (start[i + 1] == '0' || start[i + 1] == '1'))
        *w++ = start[++i] == '0' ? '~' : '/';
      else
        return free (t), false;
    }
  *w = '\0';
  *out = t;
  return true;
}

static bool
pointer_parse (const char *text, struct pointer *p)
{
  *p = (struct pointer){ 0 };
  if (!text || (*text && *text != '/'))
    return false;
  while (*text == '/')
    {
      const char *start = text + 1, *end = strchrnul (start, '/');
      char **grown = realloc (p->tokens, (p->n + 1) * sizeof *grown);
      if (!grown)
        return false;
      p->tokens = grown;
      if (!decode_token (start, (size_t) (end - start), &p->tokens[p->n]))
        return false;
      p->n++;
      text = end;
    }
  return true;
}

/* An array index: digits without a leading zero (RFC 6901 section 4). */
static bool
array_index (const char *token, size_t *out)
{
  char *end;
  if (!*token || (token[0] == '0' && token[1]) || strspn (token, "0123456789") != strlen (token))
    return false;
  *out = strtoul (token, &end, 10);
  return *end == '\0';
}

/* The node the first n tokens name, NULL when there is none. */
static yajl_val
walk (yajl_val v, const struct pointer *p, size_t n)
{
  size_t i;
  for (size_t k = 0; v && k < n; k++)
    if (v->type == yajl_t_object)
      v = jv_get (v, p->tokens[k]);
    else if (v->type == yajl_t_array && array_index (p->tokens[k], &i) && i < v->u.array.len)
      v = v->u.array.values[i];
    else
      v = NULL;
  return v;
}

static char *
op_add (yajl_val *doc, const struct pointer *p, const char *path, yajl_val value)
{
  yajl_val parent;
  const char *last;
  size_t i;
  if (p->n == 0)
    {
      yajl_tree_free (*doc);
      *doc = value;
      return NULL;
    }
  parent = walk (*doc, p, p->n - 1);
  last = p->tokens[p->n - 1];
  if (parent && parent->type == yajl_t_object)
    return jv_set (parent, last, value), NULL;
  if (parent && parent->type == yajl_t_array)
    {
      if (!strcmp (last, "-"))
        i = parent->u.array.len;
      else if (!array_index (last, &i) || i > parent->u.array.len)
        return yajl_tree_free (value),
               str_printf ("add operation does not apply: index out of range: \"%s\"", path);
      jv_array_insert (parent, i, value);
      return NULL;
    }
  yajl_tree_free (value);
  return str_printf ("add operation does not apply: doc is missing path: \"%s\"", path);
}

/* Removes the node at p; with `replacement`, puts it in its place. */
static char *
op_remove (yajl_val doc, const struct pointer *p, const char *path, const char *op,
           yajl_val replacement)
{
  yajl_val parent = p->n ? walk (doc, p, p->n - 1) : NULL;
  const char *last = p->n ? p->tokens[p->n - 1] : "";
  size_t i;
  if (parent && parent->type == yajl_t_object && jv_get (parent, last))
    {
      if (replacement)
        jv_set (parent, last, replacement);
      else
        jv_del (parent, last);
      return NULL;
    }
  if (parent && parent->type == yajl_t_array && array_index (last, &i) && i < parent->u.array.len)
    {
      jv_array_remove (parent, i);
      if (replacement)
        jv_array_insert (parent, i, replacement);
      return NULL;
    }
  if (replacement)
    yajl_tree_free (replacement);
  return str_printf ("%s operation does not apply: doc is missing path: \"%s\"", op, path);
}

static char *
apply_op (yajl_val *doc, yajl_val op)
{
  const char *name = jv_str (op, "op"), *path = jv_str (op, "path"), *from = jv_str (op, "from");
  cleanup_pointer struct pointer at = { 0 }, src = { 0 };
  yajl_val value = jv_get (op, "value"), found;

  if (!name || !path || !pointer_parse (path, &at))
    return str_printf ("invalid JSON Patch operation: %s", !name ? "missing op"
                       : !path ? "missing path" : "path is not a JSON pointer");
  if (!strcmp (name, "add") || !strcmp (name, "replace") || !strcmp (name, "test"))
    if (!value)
      return str_printf ("%s operation: missing value for \"%s\"", name, path);
  if (!strcmp (name, "move") || !strcmp (name, "copy"))
    {
      if (!from || !pointer_parse (from, &src))
        return str_printf ("%s operation: missing or invalid from", name);
      if (!(found = walk (*doc, &src, src.n)))
        return str_printf ("%s operation does not apply: doc is missing from path: \"%s\"", name,
                           from);
      value = jv_copy (found);
      if (!strcmp (name, "move"))
        {
          size_t fl = strlen (from);
          if (!strncmp (path, from, fl) && path[fl] == '/')
            return yajl_tree_free (value),
                   str_printf ("move operation: \"%s\" is a child of \"%s\"", path, from);
          char *e = op_remove (*doc, &src, from, "move", NULL);
          if (e)
            return yajl_tree_free (value), e;
        }
      return op_add (doc, &at, path, value);
    }
  if (!strcmp (name, "add"))
    return op_add (doc, &at, path, jv_copy (value));
  if (!strcmp (name, "remove"))
    return op_remove (*doc, &at, path, "remove", NULL);
  if (!strcmp (name, "replace"))
    return at.n == 0 ? op_add (doc, &at, path, jv_copy (value))
                     : op_remove (*doc, &at, path, "replace", jv_copy (value));
  if (!strcmp (name, "test"))
    return jv_equal (walk (*doc, &at, at.n), value)
               ? NULL
               : str_printf ("testing value %s failed: test failed", path);
  return str_printf ("Unexpected kind: %s", name);
}

/* As kube-apiserver answers an operation that does not apply: Invalid, a
 * generic message, and the operation's error as the one cause. */
/* kube-apiserver answers only "the server rejected our request..." and
 * hides the reason in a cause kubectl does not print: the operation (its
 * index and op) and path that failed are in the message too. */
static struct api_status *
patch_rejected (size_t index, const char *error)
{
  struct api_status *s = api_status_new (422, "Invalid",
                                         "the server rejected our request due to an error in our "
                                         "request: JSON patch operation %zu: %s",
                                         index, error);
  api_status_add_cause (s, NULL, NULL, error);
  return s;
}

struct api_status *
api_json_patch (yajl_val target, yajl_val patch, yajl_val *out)
{
  cleanup_jv yajl_val doc = jv_copy (target);
  if (!patch || patch->type != yajl_t_array)
    return api_bad_request ("json: cannot unmarshal %s into Go value of type jsonpatch.Patch",
                            patch && patch->type == yajl_t_object ? "object" : "value");
  for (size_t i = 0; i < patch->u.array.len; i++)
    {
      yajl_val op = patch->u.array.values[i];
      cleanup_free char *error = op && op->type == yajl_t_object
                                     ? apply_op (&doc, op)
                                     : strdup ("invalid JSON Patch operation: not an object");
      if (error)
        return patch_rejected (i, error);
    }
  *out = steal_pointer (&doc);
  return NULL;
}
