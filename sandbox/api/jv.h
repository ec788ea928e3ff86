/* Building, editing and writing yajl trees.
 *
 * The API objects (Pods, Namespaces, Events...) are kept as the JSON trees
 * they arrived as, so that fields husk does not model survive a round trip
 * as they do through a real API server.  These helpers make the nodes with
 * malloc so yajl_tree_free() releases trees that mix parsed and built parts.
 * Nothing here fails softly: allocation failure aborts, as with any
 * allocation-heavy JSON code in a daemon that could not continue anyway. */
#ifndef HUSK_API_JV_H
#define HUSK_API_JV_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

yajl_val jv_string (const char *s);
yajl_val jv_int (long long i);
/* A number from its JSON text ("1.5", "-3e2"); NULL when it is not one. */
yajl_val jv_number (const char *raw);
yajl_val jv_bool (bool b);
yajl_val jv_null (void);
yajl_val jv_object (void);
yajl_val jv_array (void);
yajl_val jv_copy (yajl_val v);

/* Object member by key (NULL when absent or v is not an object). */
yajl_val jv_get (yajl_val v, const char *key);
/* Walks a NULL terminated key list: jv_path (pod, "metadata", "name", NULL). */
yajl_val jv_path (yajl_val v, ...) __attribute__ ((sentinel));
const char *jv_str (yajl_val v, const char *key); /* string member or NULL */
bool jv_int_of (yajl_val v, const char *key, long long *out);

/* Sets (replacing) a member, taking ownership of value. Returns value. */
yajl_val jv_set (yajl_val obj, const char *key, yajl_val value);
void jv_del (yajl_val obj, const char *key);
/* Gets or creates an object member. */
yajl_val jv_obj_at (yajl_val obj, const char *key);
void jv_push (yajl_val arr, yajl_val value);
void jv_array_remove (yajl_val arr, size_t i);
/* Inserts value (owned) before index i (i == len appends). */
void jv_array_insert (yajl_val arr, size_t i, yajl_val value);
bool jv_equal (yajl_val a, yajl_val b);

/* Writes a tree into a generator. */
void jv_gen (yajl_gen g, yajl_val v);
/* Serialises a tree to a malloc'd NUL terminated string. */
char *jv_dump (yajl_val v, size_t *len);

static inline void
jv_freep (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}
#define cleanup_jv __attribute__ ((cleanup (jv_freep)))

/* Generator helpers for writers of fixed-shape objects. */
void jg_str (yajl_gen g, const char *s);
void jg_kv_str (yajl_gen g, const char *key, const char *value);
void jg_kv_int (yajl_gen g, const char *key, long long value);
void jg_kv_bool (yajl_gen g, const char *key, bool value);
void jg_key (yajl_gen g, const char *key);
static inline void
jg_genp (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}
#define cleanup_gen __attribute__ ((cleanup (jg_genp)))
/* The generated text as a malloc'd string. */
char *jg_take (yajl_gen g, size_t *len);

#endif
