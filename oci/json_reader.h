/* A small typed reader over a yajl tree that knows where it is.
 *
 * Every getter checks the JSON type and range of what it reads and, when
 * something is wrong, sets an error naming the file, the JSON path and the
 * value: `config.json: process.user.uid: 4294967296 is out of range (max
 * 4294967295)`.  The path grows as the parse descends (jr_enter_*) and
 * shrinks on the way back (jr_leave), so callers never format paths.
 *
 * JSON null is treated as absent: Go decoders (runc, containerd) do the
 * same, and generated configs contain `"seccomp": null`.
 *
 * Getters return < 0 on error (error set), 0 when the key is absent and
 * 1 when a value was stored.  Whatever is stored is owned by the caller's
 * struct even when a later field fails, so one free function cleans up. */
#ifndef HUSK_OCI_JSON_READER_H
#define HUSK_OCI_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "config.h"
#include "error.h"

struct jr {
  const char *filename;
  struct husk_error **err;
  char *path; /* "linux.namespaces[2].type"; "" at the document root */
  size_t len, cap;
};

/* Starts a reader; release with jr_done(). */
void jr_init (struct jr *r, const char *filename, struct husk_error **err);
void jr_done (struct jr *r);

/* Path bookkeeping: enter returns a mark that leave restores. */
size_t jr_enter_key (struct jr *r, const char *key);
size_t jr_enter_index (struct jr *r, size_t index);
void jr_leave (struct jr *r, size_t mark);

/* "<file>: <path>: <message>" (or "<file>: <message>" at the root). */
int jr_fail (struct jr *r, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Replaces bytes that are not valid UTF-8 by '?': values cut to a length
 * in a message may end in half a character, and messages travel on in
 * JSON logs. */
void jr_sanitize (char *msg);
int jr_fail_type (struct jr *r, const char *expected, yajl_val got);
const char *jr_type_name (yajl_val v);

/* The member `key` of object `obj`, NULL when absent or null. */
yajl_val jr_member (yajl_val obj, const char *key);

/* Values (the path must already point at v). */
int jr_string_value (struct jr *r, yajl_val v, char **out);
int jr_i64_value (struct jr *r, yajl_val v, int64_t min, int64_t max, int64_t *out);
int jr_u64_value (struct jr *r, yajl_val v, uint64_t max, uint64_t *out);
int jr_bool_value (struct jr *r, yajl_val v, bool *out);

/* Members of an object.  `required` makes absence an error "<key>: required". */
int jr_string (struct jr *r, yajl_val obj, const char *key, bool required, char **out);
int jr_bool (struct jr *r, yajl_val obj, const char *key, bool *out);
int jr_opt_bool (struct jr *r, yajl_val obj, const char *key, oci_opt_bool *out);
int jr_i64 (struct jr *r, yajl_val obj, const char *key, bool required, int64_t min, int64_t max,
            int64_t *out);
int jr_u64 (struct jr *r, yajl_val obj, const char *key, bool required, uint64_t max,
            uint64_t *out);
int jr_u32 (struct jr *r, yajl_val obj, const char *key, bool required, uint32_t *out);
int jr_opt_i64 (struct jr *r, yajl_val obj, const char *key, int64_t min, int64_t max,
                oci_opt_i64 *out);
int jr_opt_u64 (struct jr *r, yajl_val obj, const char *key, uint64_t max, oci_opt_u64 *out);

/* Type-checked containers: *out is the node, or NULL when absent. */
int jr_object (struct jr *r, yajl_val obj, const char *key, bool required, yajl_val *out);
int jr_array (struct jr *r, yajl_val obj, const char *key, bool required, yajl_val *out);

/* An array of strings, stored NULL terminated (so args/env go straight to
 * execve) with its length. */
int jr_strv (struct jr *r, yajl_val obj, const char *key, bool required, char ***out,
             size_t *len);
/* An object of strings (annotations, sysctl, unified). */
int jr_map (struct jr *r, yajl_val obj, const char *key, struct oci_map *out);

/* Parses one element into zeroed memory at `elem`. */
typedef int (*jr_parse_fn) (struct jr *r, yajl_val v, void *elem);

/* An array of structs: calloc's the array, hands it to *out at once (so a
 * failure half way leaves it to the owner's free function), then parses
 * each element with `fn`, the path pointing at "<key>[i]". */
int jr_array_of (struct jr *r, yajl_val obj, const char *key, size_t elem_size, jr_parse_fn fn,
                 void *out, size_t *len);
/* An object member parsed by `fn` into memory the caller owns (a struct
 * inside its parent), the path pointing at "<key>": 1 parsed, 0 absent. */
int jr_object_into (struct jr *r, yajl_val obj, const char *key, bool required, jr_parse_fn fn,
                    void *into);
/* An optional object member parsed into a calloc'd struct stored in *out. */
int jr_object_of (struct jr *r, yajl_val obj, const char *key, size_t size, jr_parse_fn fn,
                  void *out);

#endif
