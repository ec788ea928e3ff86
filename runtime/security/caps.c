/* Capability names → numbers, and the check of process.capabilities done in
 * the parent: an unknown name is a warning naming its JSON path (config.md:
 * "MUST be logged as a warning", runtimes "SHOULD NOT fail"), and the
 * process runs without it, as with runc and crun. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/spec_names.h"
#include "identity.h"

int
husk_cap_from_name (const char *name)
{
  return oci_capability_from_name (name);
}

struct unknown_list {
  FILE *out;
  const char *seen[32]; /* each name once, where it first appears */
  size_t seen_len;
};

static bool
already_listed (struct unknown_list *u, const char *name)
{
  for (size_t i = 0; i < u->seen_len; i++)
    if (strcmp (u->seen[i], name) == 0)
      return true;
  if (u->seen_len < sizeof u->seen / sizeof u->seen[0])
    u->seen[u->seen_len++] = name;
  return false;
}

static void
list_unknown (struct unknown_list *u, char *const *names, size_t len, const char *json_path,
              const char *set)
{
  for (size_t i = 0; i < len; i++)
    if (husk_cap_from_name (names[i]) < 0)
      {
        bool first = u->seen_len == 0;
        if (already_listed (u, names[i]))
          continue;
        fprintf (u->out, "%s%s.%s[%zu] \"%.64s\"", first ? "" : ", ", json_path, set, i,
                 names[i]);
      }
}

char *
husk_caps_unknown (const struct oci_capabilities *caps, const char *json_path)
{
  char *text = NULL;
  size_t size = 0;
  struct unknown_list u = { 0 };

  if (caps == NULL || (u.out = open_memstream (&text, &size)) == NULL)
    return NULL;
  fputs ("ignoring unknown capabilities: ", u.out);
  list_unknown (&u, caps->bounding, caps->bounding_len, json_path, "bounding");
  list_unknown (&u, caps->effective, caps->effective_len, json_path, "effective");
  list_unknown (&u, caps->inheritable, caps->inheritable_len, json_path, "inheritable");
  list_unknown (&u, caps->permitted, caps->permitted_len, json_path, "permitted");
  list_unknown (&u, caps->ambient, caps->ambient_len, json_path, "ambient");
  if (fclose (u.out) != 0 || u.seen_len == 0)
    {
      free (text);
      return NULL;
    }
  return text;
}
