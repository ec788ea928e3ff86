/* state.json: the runtime-spec's state of a container. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config_internal.h"
#include "json_writer.h"
#include "state.h"

static const char *const status_names[] = {
  [OCI_STATUS_CREATING] = "creating", [OCI_STATUS_CREATED] = "created",
  [OCI_STATUS_RUNNING] = "running",   [OCI_STATUS_STOPPED] = "stopped",
  [OCI_STATUS_PAUSED] = "paused",
};

#define N_STATUS (sizeof status_names / sizeof status_names[0])

const char *
oci_status_name (enum oci_status status)
{
  return (size_t) status < N_STATUS ? status_names[status] : NULL;
}

int
oci_status_from_name (const char *name)
{
  for (size_t i = 0; name && i < N_STATUS; i++)
    if (strcmp (status_names[i], name) == 0)
      return (int) i;
  return -1;
}

int
oci_state_to_json (const struct oci_state *state, bool pretty, char **out, size_t *len,
                   struct husk_error **err)
{
  cleanup_jw struct jw w = { 0 };
  const char *status = oci_status_name (state->status);

  if (status == NULL)
    return husk_error_set (err, EINVAL, "state.json: status %d", (int) state->status);
  if (jw_init (&w, pretty ? "  " : NULL, err) < 0)
    return -1;
  jw_open (&w);
  jw_key_string (&w, "ociVersion", state->oci_version ? state->oci_version : OCI_VERSION);
  jw_key_string (&w, "id", state->id ? state->id : "");
  jw_key_string (&w, "status", status);
  /* The spec requires pid while created or running; 0 means no process. */
  if (state->pid > 0)
    jw_key_int (&w, "pid", state->pid);
  jw_key_string (&w, "bundle", state->bundle ? state->bundle : "");
  if (state->annotations.len > 0)
    jw_key_map (&w, "annotations", &state->annotations);
  jw_close (&w);
  return jw_finish (&w, "state.json", out, len, err);
}

static int
parse_status (struct jr *r, yajl_val v, enum oci_status *out)
{
  cleanup_free char *name = NULL;
  size_t mark;
  int s;

  if (jr_string (r, v, "status", true, &name) < 0)
    return -1;
  s = oci_status_from_name (name);
  if (s >= 0)
    {
      *out = (enum oci_status) s;
      return 0;
    }
  mark = jr_enter_key (r, "status");
  jr_fail (r, "unknown status \"%.64s\"", name);
  jr_leave (r, mark);
  return -1;
}

static int
parse_state (struct jr *r, yajl_val v, void *out)
{
  struct oci_state *s = out;
  int64_t pid = 0;

  if (jr_string (r, v, "ociVersion", true, &s->oci_version) < 0
      || jr_string (r, v, "id", true, &s->id) < 0
      || parse_status (r, v, &s->status) < 0
      || jr_i64 (r, v, "pid", false, 0, INT32_MAX, &pid) < 0
      || jr_string (r, v, "bundle", true, &s->bundle) < 0
      || jr_map (r, v, "annotations", &s->annotations) < 0)
    return -1;
  s->pid = (pid_t) pid;
  return 0;
}

void
oci_state_free (struct oci_state *state)
{
  if (state == NULL)
    return;
  free (state->oci_version);
  free (state->id);
  free (state->bundle);
  oci_map_clear (&state->annotations);
  free (state);
}

HUSK_DEFINE_CLEANUP (struct oci_state, oci_state_free)

int
oci_state_parse_data (const char *filename, const char *data, size_t len,
                      struct oci_state **out, struct husk_error **err)
{
  __attribute__ ((cleanup (oci_state_freep))) struct oci_state *s = calloc (1, sizeof *s);

  if (filename == NULL)
    filename = "state.json";
  if (s == NULL)
    return husk_error_set (err, ENOMEM, "%s", filename);
  if (oci_parse_document (filename, data, len, parse_state, s, err) < 0)
    return -1;
  *out = steal_pointer (&s);
  return 0;
}
