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

struct prescan {
  unsigned depth;
  bool too_deep;
};

static int
prescan_open (void *ctx)
{
  struct prescan *p = ctx;
  if (++p->depth > JSON_DOC_MAX_DEPTH)
    {
      p->too_deep = true;
      return 0; /* cancels the parse */
    }
  return 1;
}

static int
prescan_open_map (void *ctx)
{
  return prescan_open (ctx);
}

static int
prescan_close (void *ctx)
{
  struct prescan *p = ctx;
  p->depth--;
  return 1;
}

static const yajl_callbacks prescan_callbacks = {
  .yajl_start_map = prescan_open_map,
  .yajl_end_map = prescan_close,
  .yajl_start_array = prescan_open,
  .yajl_end_array = prescan_close,
};

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

/* Streams the bytes through yajl without building anything: checks syntax,
 * UTF-8 (yajl validates strings unless told not to) and depth. */
static int
prescan_document (const char *filename, const char *data, size_t len, struct husk_error **err)
{
  struct prescan p = { 0 };
  __attribute__ ((cleanup (yajl_handle_freep))) yajl_handle h = NULL;
  yajl_status st;
  size_t at;

  h = yajl_alloc (&prescan_callbacks, NULL, &p);
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
  if (p.too_deep)
    return husk_error_set (err, 0, "%s: nesting deeper than %d", filename, JSON_DOC_MAX_DEPTH);
  if (st != yajl_status_ok)
    return syntax_error (filename, h, data, len, at, err);
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

/* Recursion is bounded by JSON_DOC_MAX_DEPTH, checked before the tree. */
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

static int
build_tree (const char *filename, const char *data, size_t len, yajl_val *out,
            struct husk_error **err)
{
  cleanup_free char *copy = malloc (len + 1);
  char errbuf[256] = "";

  if (copy == NULL)
    return husk_error_set (err, ENOMEM, "%s: %zu bytes", filename, len);
  memcpy (copy, data, len);
  copy[len] = '\0'; /* no NUL inside: the prescan refused those */
  *out = yajl_tree_parse (copy, errbuf, sizeof errbuf);
  if (*out == NULL)
    return husk_error_set (err, 0, "%s: %s", filename, errbuf[0] ? errbuf : "out of memory");
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
  if (prescan_document (filename, data, len, err) < 0)
    return -1;
  if (build_tree (filename, data, len, &tree, err) < 0)
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
json_doc_read_file (const char *path, char **out, size_t *len, struct husk_error **err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = NULL;
  size_t used = 0, cap = 0;
  struct stat st;

  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", path);
  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    return husk_error_set (err, EISDIR, "read `%s`", path);
  for (;;)
    {
      ssize_t n;
      if (used == cap)
        {
          char *p;
          if (cap > JSON_DOC_MAX_SIZE)
            return husk_error_set (err, 0, "%s: larger than the %u MiB limit", path,
                                   JSON_DOC_MAX_SIZE >> 20);
          cap = cap ? cap * 2 : 65536;
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
    }
  if (buf == NULL && (buf = malloc (1)) == NULL)
    return husk_error_set (err, ENOMEM, "read `%s`", path);
  buf[used] = '\0';
  *out = steal_pointer (&buf);
  *len = used;
  return 0;
}
