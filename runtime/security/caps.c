/* Capability names → numbers, and the check of process.capabilities done in
 * the parent so that a typo fails `create` with the JSON path instead of a
 * half-started container. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/capability.h>

#include "identity.h"

int
husk_cap_from_name (const char *name)
{
  char lower[64];
  cap_value_t value;
  size_t i;

  /* libcap also takes numbers ("12") and bare names ("chown"): the spec
   * only has "CAP_*" names. */
  if (strncasecmp (name, "CAP_", 4) != 0 || strlen (name) >= sizeof lower)
    return -1;
  for (i = 0; name[i]; i++)
    lower[i] = (char) tolower ((unsigned char) name[i]);
  lower[i] = '\0';
  if (cap_from_name (lower, &value) < 0)
    return -1;
  return (int) value;
}

static int
validate_list (char *const *names, size_t len, const char *json_path, const char *set,
               struct husk_error **err)
{
  for (size_t i = 0; i < len; i++)
    if (husk_cap_from_name (names[i]) < 0)
      return husk_error_set (err, 0, "%s.%s[%zu]: unknown capability \"%s\"", json_path, set,
                             i, names[i]);
  return 0;
}

int
husk_caps_validate (const struct oci_capabilities *caps, const char *json_path,
                    struct husk_error **err)
{
  if (caps == NULL)
    return 0;
  if (validate_list (caps->bounding, caps->bounding_len, json_path, "bounding", err) < 0
      || validate_list (caps->effective, caps->effective_len, json_path, "effective", err) < 0
      || validate_list (caps->inheritable, caps->inheritable_len, json_path, "inheritable", err) < 0
      || validate_list (caps->permitted, caps->permitted_len, json_path, "permitted", err) < 0
      || validate_list (caps->ambient, caps->ambient_len, json_path, "ambient", err) < 0)
    return -1;
  return 0;
}
