/* Pieces of the config.json parser shared between its files.  Each parses
 * one JSON object (already type-checked) into zeroed memory, with the
 * reader's path pointing at it; see json_reader.h for the conventions. */
#ifndef HUSK_OCI_CONFIG_INTERNAL_H
#define HUSK_OCI_CONFIG_INTERNAL_H

#include "config.h"
#include "json_reader.h"

int oci_parse_process (struct jr *r, yajl_val v, void *out);   /* struct oci_process */
int oci_parse_linux (struct jr *r, yajl_val v, void *out);     /* struct oci_linux */
int oci_parse_resources (struct jr *r, yajl_val v, void *out); /* struct oci_resources */
int oci_parse_seccomp (struct jr *r, yajl_val v, void *out);   /* struct oci_seccomp */
int oci_parse_id_mapping (struct jr *r, yajl_val v, void *out); /* struct oci_id_mapping */

/* Frees what a struct owns, not the struct itself. */
void oci_linux_free (struct oci_linux *linux_);
void oci_seccomp_free (struct oci_seccomp *seccomp);
void oci_map_clear (struct oci_map *map);
void oci_strv_free (char **strv, size_t len);

/* Parses a whole document whose top level must be an object and hands the
 * object to `fn`, which fills `out`.  Shared by config, process and
 * resources documents. */
int oci_parse_document (const char *filename, const char *data, size_t len, jr_parse_fn fn,
                        void *out, struct husk_error **err);

#endif
