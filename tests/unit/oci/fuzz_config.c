/* libFuzzer target for the spec parsers: every input goes through the
 * config, process, resources and state parsers; a state that parses is
 * written back and must parse again.  Build and run:
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
 *       -Db_lundef=false
 *   ninja -C build-fuzz tests/unit/oci/fuzz-config
 *   mkdir -p /tmp/corpus
 *   build-fuzz/tests/unit/oci/fuzz-config /tmp/corpus tests/fixtures/specs \
 *       -dict=tests/fixtures/specs/fuzz.dict -max_total_time=300
 *
 * libFuzzer writes what it finds into the first folder only, and reads the
 * fixtures (hostile/ included) as seeds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "state.h"

static void
drop (struct husk_error **err)
{
  if (*err && strncmp ((*err)->message, "fuzz.json: ", 11) != 0)
    abort (); /* every error names the document */
  husk_error_release (err);
}

static void
state_round_trip (const struct oci_state *s)
{
  struct husk_error *err = NULL;
  struct oci_state *again = NULL;
  char *json = NULL;
  size_t len = 0;

  if (oci_state_to_json (s, false, &json, &len, &err) < 0)
    abort ();
  if (oci_state_parse_data ("fuzz.json", json, len, &again, &err) < 0)
    abort ();
  if (strcmp (again->id, s->id) != 0 || again->status != s->status)
    abort ();
  oci_state_free (again);
  free (json);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  struct husk_error *err = NULL;
  struct oci_config *config = NULL;
  struct oci_process *process = NULL;
  struct oci_resources *resources = NULL;
  struct oci_state *state = NULL;

  if (oci_config_parse_data ("fuzz.json", text, size, &config, &err) < 0)
    drop (&err);
  oci_config_free (config);
  if (oci_process_parse_data ("fuzz.json", text, size, &process, &err) < 0)
    drop (&err);
  oci_process_free (process);
  if (oci_resources_parse_data ("fuzz.json", text, size, &resources, &err) < 0)
    drop (&err);
  oci_resources_free (resources);
  if (oci_state_parse_data ("fuzz.json", text, size, &state, &err) < 0)
    drop (&err);
  else
    state_round_trip (state);
  oci_state_free (state);
  return 0;
}
