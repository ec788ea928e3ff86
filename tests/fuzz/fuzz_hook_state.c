/* The state JSON an OCI hook reads on stdin (and `husk state` prints):
 * parsed, written back, parsed again to the same id, status and pid. */
#include "fuzz.h"
#include "state.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_error *err = NULL;
  struct oci_state *s = NULL, *again = NULL;
  char *json = NULL;
  size_t len = 0;

  if (oci_state_parse_data ("state.json", (const char *) data, size, &s, &err) < 0)
    {
      husk_error_release (&err);
      return 0;
    }
  if (oci_state_to_json (s, true, &json, &len, &err) < 0
      || oci_state_parse_data ("state.json", json, len, &again, &err) < 0)
    abort ();
  if (strcmp (again->id, s->id) != 0 || again->status != s->status || again->pid != s->pid)
    abort ();
  oci_state_free (again);
  oci_state_free (s);
  free (json);
  return 0;
}
