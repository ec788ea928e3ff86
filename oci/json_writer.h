/* Writing JSON with yajl_gen.  The first failing yajl call is remembered and
 * every later call does nothing, so a writer reads as a straight list of
 * fields and checks once, in jw_finish(). */
#ifndef HUSK_OCI_JSON_WRITER_H
#define HUSK_OCI_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "config.h"
#include "error.h"

struct jw {
  yajl_gen g;
  yajl_gen_status status;
};

/* indent: NULL for compact output, else the indent string ("\t"). */
int jw_init (struct jw *w, const char *indent, struct husk_error **err);
/* Hands the text out (malloc'd, NUL terminated, newline at the end when
 * indented) and frees the generator. */
int jw_finish (struct jw *w, const char *what, char **out, size_t *len, struct husk_error **err);
void jw_release (struct jw *w);

void jw_open (struct jw *w);  /* { */
void jw_close (struct jw *w); /* } */
void jw_array_open (struct jw *w);
void jw_array_close (struct jw *w);
void jw_string (struct jw *w, const char *s);
void jw_key (struct jw *w, const char *key);
void jw_key_string (struct jw *w, const char *key, const char *value);
void jw_key_int (struct jw *w, const char *key, long long value);
void jw_key_bool (struct jw *w, const char *key, bool value);
/* An array of strings from a NULL terminated list. */
void jw_key_strv (struct jw *w, const char *key, const char *const *list);
void jw_key_map (struct jw *w, const char *key, const struct oci_map *map);
/* A parsed document (yajl_tree), written as it is. */
void jw_value (struct jw *w, yajl_val v);

#define cleanup_jw __attribute__ ((cleanup (jw_release)))

#endif
