/* Shared by huskd's unit tests: a tree from a JSON literal, through the
 * same safe loader huskd uses for request bodies. */
#ifndef HUSK_TEST_HUSKD_JSON_TEXT_H
#define HUSK_TEST_HUSKD_JSON_TEXT_H

#include <string.h>

#include "json_doc.h"

/* NULL when the text does not parse (a test then fails on the NULL). */
static inline yajl_val
parse (const char *text)
{
  yajl_val v = NULL;
  struct husk_error *err = NULL;
  if (json_doc_parse ("test", text, strlen (text), &v, &err) < 0)
    husk_error_release (&err);
  return v;
}

#endif
