/* Loading an untrusted JSON document into a yajl tree, safely.
 *
 * yajl_tree_parse() would build any tree it is given, and yajl_tree_free()
 * recurses, so a document nested a million deep crashes the process.  The
 * tree is therefore built from yajl's callbacks, which stop the parse as
 * soon as it nests deeper than JSON_DOC_MAX_DEPTH (after a size check, with
 * yajl checking syntax and UTF-8, comments refused); the tree is then
 * checked for duplicate keys, which yajl accepts silently. */
#ifndef HUSK_OCI_JSON_DOC_H
#define HUSK_OCI_JSON_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* Limits for any document husk reads (config, process, resources, state). */
#define JSON_DOC_MAX_SIZE (64u * 1024 * 1024)
#define JSON_DOC_MAX_DEPTH 64

/* Parses `data` (`len` bytes, need not be NUL terminated).  Errors start
 * with `filename`: "config.json: nesting deeper than 64".  *out is freed
 * with yajl_tree_free(). */
int json_doc_parse (const char *filename, const char *data, size_t len, yajl_val *out,
                    struct husk_error **err);

/* Deep equality of two trees (numbers by their text).  `skip` (NULL or a
 * NULL-terminated list) names keys left out of the comparison in objects at
 * this level and, for arrays, in each of their elements. */
bool json_doc_equal (yajl_val a, yajl_val b, const char *const *skip);

/* Reads a whole file (up to JSON_DOC_MAX_SIZE) into a malloc'd buffer. */
int json_doc_read_file (const char *path, char **out, size_t *len, struct husk_error **err);
/* The same for `path` relative to dirfd (openat). */
int json_doc_read_at (int dirfd, const char *path, char **out, size_t *len,
                      struct husk_error **err);

static inline void
json_doc_freep (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}
#define cleanup_json __attribute__ ((cleanup (json_doc_freep)))

#endif
