#include "json_doc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_parse.h>

#include "cleanup.h"
#include "json_reader.h"

/* The tree is built here rather than by yajl_tree_parse(), which grows
 * arrays and objects one realloc per element (quadratic where realloc
 * copies) and has no depth limit.  Nodes are yajl_val_s, attached to their
 * parent as soon as they exist, so a parse stopped half way leaves a tree
 * that yajl_tree_free() releases. */
struct frame {
  yajl_val node;
  size_t cap;
  char *key; /* objects: the key waiting for its value */
};

struct builder {
  yajl_val root;
  struct frame stack[JSON_DOC_MAX_DEPTH];
  size_t depth;
  bool too_deep, oom, nul;
};

/* "\u0000" decodes to a NUL byte, which C strings would silently cut
 * ("/etc\u0000/x" read as "/etc"): such strings are refused. */
static bool
has_nul (struct builder *b, const void *text, size_t len)
{
  if (memchr (text, '\0', len) == NULL)
    return false;
  b->nul = true;
  return true;
}

static bool
grow (void **array, size_t elem, size_t len, size_t *cap)
{
  void *p;
  size_t n;

  if (len < *cap)
    return true;
  n = *cap ? *cap * 2 : 8;
  p = realloc (*array, n * elem);
  if (p == NULL)
    return false;
  *array = p;
  *cap = n;
  return true;
}

static bool
attach_to_object (struct frame *f, yajl_val v)
{
  yajl_val o = f->node;
  size_t cap = f->cap;

  if (!grow ((void **) &o->u.object.keys, sizeof (char *), o->u.object.len, &cap))
    return false;
  cap = f->cap;
  if (!grow ((void **) &o->u.object.values, sizeof (yajl_val), o->u.object.len, &cap))
    return false;
  f->cap = cap;
  o->u.object.keys[o->u.object.len] = f->key;
  o->u.object.values[o->u.object.len++] = v;
  f->key = NULL;
  return true;
}

/* Takes ownership of v, attached or freed.  Returns 0 to stop yajl. */
static int
attach (struct builder *b, yajl_val v)
{
  struct frame *f;

  if (v == NULL)
    {
      b->oom = true;
      return 0;
    }
  if (b->depth == 0)
    {
      b->root = v;
      return 1;
    }
  f = &b->stack[b->depth - 1];
  if (f->node->type == yajl_t_object ? attach_to_object (f, v)
      : grow ((void **) &f->node->u.array.values, sizeof (yajl_val), f->node->u.array.len,
              &f->cap))
    {
      if (f->node->type == yajl_t_array)
        f->node->u.array.values[f->node->u.array.len++] = v;
      return 1;
    }
  yajl_tree_free (v);
  b->oom = true;
  return 0;
}

static yajl_val
new_node (yajl_type type)
{
  yajl_val v = calloc (1, sizeof *v);
  if (v)
    v->type = type;
  return v;
}

static int
on_null (void *ctx)
{
  return attach (ctx, new_node (yajl_t_null));
}

static int
on_boolean (void *ctx, int value)
{
  return attach (ctx, new_node (value ? yajl_t_true : yajl_t_false));
}

/* Numbers keep their text (the reader converts with range checks) and
 * fill i, d and flags as yajl_tree does, so YAJL_IS_INTEGER and
 * YAJL_GET_INTEGER work for every user of the tree. */
static void
number_values (yajl_val v)
{
  char *end;

  errno = 0;
  v->u.number.i = strtoll (v->u.number.r, &end, 10);
  if (errno == 0 && *end == '\0')
    v->u.number.flags |= YAJL_NUMBER_INT_VALID;
  errno = 0;
  v->u.number.d = strtod (v->u.number.r, &end);
  if (errno == 0 && *end == '\0')
    v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
}

static int
on_number (void *ctx, const char *text, size_t len)
{
  yajl_val v = new_node (yajl_t_number);

  if (v && (v->u.number.r = strndup (text, len)) == NULL)
    {
      free (v);
      v = NULL;
    }
  if (v)
    number_values (v);
  return attach (ctx, v);
}

static int
on_string (void *ctx, const unsigned char *text, size_t len)
{
  yajl_val v;

  if (has_nul (ctx, text, len))
    return 0;
  v = new_node (yajl_t_string);
  if (v && (v->u.string = strndup ((const char *) text, len)) == NULL)
    {
      free (v);
      v = NULL;
    }
  return attach (ctx, v);
}

static int
on_open (struct builder *b, yajl_type type)
{
  yajl_val v;

  if (b->depth >= JSON_DOC_MAX_DEPTH)
    {
      b->too_deep = true;
      return 0;
    }
  v = new_node (type);
  if (!attach (b, v))
    return 0;
  b->stack[b->depth++] = (struct frame){ .node = v };
  return 1;
}

static int
on_start_map (void *ctx)
{
  return on_open (ctx, yajl_t_object);
}

static int
on_start_array (void *ctx)
{
  return on_open (ctx, yajl_t_array);
}

static int
on_map_key (void *ctx, const unsigned char *key, size_t len)
{
  struct builder *b = ctx;
  struct frame *f = &b->stack[b->depth - 1];

  if (has_nul (b, key, len))
    return 0;
  free (f->key);
  f->key = strndup ((const char *) key, len);
  if (f->key == NULL)
    b->oom = true;
  return f->key != NULL;
}

static int
on_close (void *ctx)
{
  struct builder *b = ctx;
  b->depth--;
  return 1;
}

static const yajl_callbacks builder_callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_close,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_close,
};

static void
builder_release (struct builder *b)
{
  for (size_t i = 0; i < b->depth; i++)
    free (b->stack[i].key);
  if (b->root)
    yajl_tree_free (b->root);
  b->root = NULL;
}

static void
yajl_handle_freep (yajl_handle *h)
{
  if (*h)
    yajl_free (*h);
}

static bool
only_whitespace (const char *data, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!strchr (" \t\r\n", data[i]) || data[i] == '\0')
      return false;
  return true;
}

static int
syntax_error (const char *filename, yajl_handle h, const char *data, size_t len, size_t at,
              struct husk_error **err)
{
  unsigned char *msg = yajl_get_error (h, 0, (const unsigned char *) data, len);
  char *nl;
  int ret;

  if (msg && (nl = strchr ((char *) msg, '\n')))
    *nl = '\0';
  ret = husk_error_set (err, 0, "%s: invalid JSON near byte %zu: %s", filename, at,
                        msg ? (char *) msg : "parse error");
  if (msg)
    yajl_free_error (h, msg);
  return ret;
}

/* Streams the bytes through yajl into a tree: yajl checks syntax and
 * UTF-8 (string validation stays on; comments stay off), we check depth. */
static int
build_document (const char *filename, const char *data, size_t len, yajl_val *out,
                struct husk_error **err)
{
  __attribute__ ((cleanup (builder_release))) struct builder b = { 0 };
  __attribute__ ((cleanup (yajl_handle_freep))) yajl_handle h = NULL;
  yajl_status st;
  size_t at;

  h = yajl_alloc (&builder_callbacks, NULL, &b);
  if (h == NULL)
    return husk_error_set (err, ENOMEM, "%s", filename);
  st = yajl_parse (h, (const unsigned char *) data, len);
  /* After yajl_complete_parse() the count is of that call only: an error
   * there (premature EOF) is at the end of the document. */
  at = yajl_get_bytes_consumed (h);
  if (st == yajl_status_ok)
    {
      st = yajl_complete_parse (h);
      at = len;
    }
  if (b.too_deep)
    return husk_error_set (err, 0, "%s: nesting deeper than %d", filename, JSON_DOC_MAX_DEPTH);
  if (b.oom)
    return husk_error_set (err, ENOMEM, "%s", filename);
  if (b.nul)
    return husk_error_set (err, 0, "%s: invalid JSON near byte %zu: a string contains \\u0000",
                           filename, at);
  if (st != yajl_status_ok)
    return syntax_error (filename, h, data, len, at, err);
  *out = steal_pointer (&b.root);
  return 0;
}

static int
key_cmp (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Which key of `obj` appears twice, or NULL.  Sorting a copy keeps a
 * hostile object with a million keys at n log n. */
static const char *
duplicate_key (yajl_val obj, int *oom)
{
  size_t n = obj->u.object.len;
  cleanup_free const char **keys = NULL;

  if (n < 2)
    return NULL;
  keys = malloc (n * sizeof *keys);
  if (keys == NULL)
    {
      *oom = 1;
      return NULL;
    }
  memcpy (keys, obj->u.object.keys, n * sizeof *keys);
  qsort (keys, n, sizeof *keys, key_cmp);
  for (size_t i = 1; i < n; i++)
    if (strcmp (keys[i - 1], keys[i]) == 0)
      return keys[i];
  return NULL;
}

/* Recursion is bounded by JSON_DOC_MAX_DEPTH, enforced while building. */
static int
check_duplicates (struct jr *r, yajl_val v)
{
  int oom = 0;
  const char *dup;

  if (YAJL_IS_ARRAY (v))
    for (size_t i = 0; i < v->u.array.len; i++)
      {
        size_t mark = jr_enter_index (r, i);
        if (check_duplicates (r, v->u.array.values[i]) < 0)
          return -1;
        jr_leave (r, mark);
      }
  if (!YAJL_IS_OBJECT (v))
    return 0;
  dup = duplicate_key (v, &oom);
  if (oom)
    return husk_error_set (r->err, ENOMEM, "%s", r->filename);
  if (dup)
    return jr_fail (r, "duplicate key \"%.64s\"", dup);
  for (size_t i = 0; i < v->u.object.len; i++)
    {
      size_t mark = jr_enter_key (r, v->u.object.keys[i]);
      if (check_duplicates (r, v->u.object.values[i]) < 0)
        return -1;
      jr_leave (r, mark);
    }
  return 0;
}

int
json_doc_parse (const char *filename, const char *data, size_t len, yajl_val *out,
                struct husk_error **err)
{
  cleanup_json yajl_val tree = NULL;
  struct jr r;
  int ret;

  *out = NULL;
  if (len > JSON_DOC_MAX_SIZE)
    return husk_error_set (err, 0, "%s: document of %zu bytes is larger than the %u MiB limit",
                           filename, len, JSON_DOC_MAX_SIZE >> 20);
  if (data == NULL || only_whitespace (data, len))
    return husk_error_set (err, 0, "%s: empty document", filename);
  if (build_document (filename, data, len, &tree, err) < 0)
    return -1;
  jr_init (&r, filename, err);
  ret = check_duplicates (&r, tree);
  jr_done (&r);
  if (ret < 0)
    return -1;
  *out = steal_pointer (&tree);
  return 0;
}

int
json_doc_read_at (int dirfd, const char *path, char **out, size_t *len, struct husk_error **err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t used = 0, cap = 0, size = 0;
  struct stat st;

  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", path);
  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    return husk_error_set (err, EISDIR, "read `%s`", path);
  /* a regular file's size is known: the read that returns it all ends the
   * loop, without one more that returns 0 */
  if (S_ISREG (st.st_mode) && st.st_size > 0 && st.st_size <= JSON_DOC_MAX_SIZE)
    size = (size_t) st.st_size;
  for (;;)
    {
      ssize_t n;
      if (used == cap)
        {
          char *p;
          if (cap > JSON_DOC_MAX_SIZE)
            return husk_error_set (err, 0, "%s: larger than the %u MiB limit", path,
                                   JSON_DOC_MAX_SIZE >> 20);
          cap = cap ? cap * 2 : size >= 65536 ? size + 1 : 65536;
          p = realloc (buf, cap + 1);
          if (p == NULL)
            return husk_error_set (err, ENOMEM, "read `%s`", path);
          buf = p;
        }
      n = read (fd, buf + used, cap - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_set (err, errno, "read `%s`", path);
      if (n == 0)
        break;
      used += (size_t) n;
      if (size && used == size)
        break;
    }
  if (buf == NULL && (buf = malloc (1)) == NULL)
    return husk_error_set (err, ENOMEM, "read `%s`", path);
  buf[used] = '\0';
  *out = steal_pointer (&buf);
  *len = used;
  return 0;
}

int
json_doc_read_file (const char *path, char **out, size_t *len, struct husk_error **err)
{
  return json_doc_read_at (AT_FDCWD, path, out, len, err);
}

static bool
is_skipped (const char *key, const char *const *skip)
{
  for (; skip && *skip; skip++)
    if (strcmp (key, *skip) == 0)
      return true;
  return false;
}

static yajl_val
member (yajl_val obj, const char *key)
{
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

/* Every key of a (except the skipped ones) is in b with an equal value. */
static bool
object_covers (yajl_val a, yajl_val b, const char *const *skip)
{
  for (size_t i = 0; i < a->u.object.len; i++)
    {
      const char *key = a->u.object.keys[i];
      yajl_val other;
      if (is_skipped (key, skip))
        continue;
      other = member (b, key);
      if (other == NULL || !json_doc_equal (a->u.object.values[i], other, NULL))
        return false;
    }
  return true;
}

bool
json_doc_equal (yajl_val a, yajl_val b, const char *const *skip)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->type != b->type)
    return false;
  switch (a->type)
    {
    case yajl_t_string:
      return strcmp (a->u.string, b->u.string) == 0;
    case yajl_t_number:
      return strcmp (a->u.number.r, b->u.number.r) == 0;
    case yajl_t_array:
      if (a->u.array.len != b->u.array.len)
        return false;
      for (size_t i = 0; i < a->u.array.len; i++)
        if (!json_doc_equal (a->u.array.values[i], b->u.array.values[i], skip))
          return false;
      return true;
    case yajl_t_object:
      return object_covers (a, b, skip) && object_covers (b, a, skip);
    default: /* true, false, null */
      return true;
    }
}
