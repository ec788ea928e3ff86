/* Label and field selectors (`-l app=web,tier!=db,env in (a,b),!legacy`,
 * `--field-selector status.phase=Running`), parsed once per request and
 * matched against each object. */
#ifndef HUSK_API_SELECTOR_H
#define HUSK_API_SELECTOR_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "status.h"

enum api_sel_op { API_SEL_EQ, API_SEL_NE, API_SEL_IN, API_SEL_NOTIN, API_SEL_EXISTS,
                  API_SEL_NOT_EXISTS };

struct api_requirement {
  char *key;
  enum api_sel_op op;
  char **values; /* NULL terminated */
};

struct api_selector {
  struct api_requirement *reqs;
  size_t n;
};

/* NULL on success; a 400 Status naming the bad requirement otherwise.
 * `fields`: field selector syntax (only =, ==, !=). An empty or NULL text
 * selects everything. */
struct api_status *api_selector_parse (const char *text, bool fields, struct api_selector *out);
void api_selector_free (struct api_selector *sel);
bool api_selector_match_labels (const struct api_selector *sel, yajl_val labels);
/* Field keys are dotted paths into the object ("status.phase"). */
bool api_selector_match_fields (const struct api_selector *sel, yajl_val obj);

#endif
