/* state.json as the runtime-spec defines it (`husk state`), and the
 * features.json document (`husk features`). */
#ifndef HUSK_OCI_STATE_H
#define HUSK_OCI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"

enum oci_status {
  OCI_STATUS_CREATING,
  OCI_STATUS_CREATED,
  OCI_STATUS_RUNNING,
  OCI_STATUS_STOPPED,
  OCI_STATUS_PAUSED, /* runc reports this for frozen containers */
};

struct oci_state {
  char *oci_version;
  char *id;
  enum oci_status status;
  pid_t pid; /* 0 when there is no process */
  char *bundle;
  struct oci_map annotations;
};

const char *oci_status_name (enum oci_status status);
int oci_status_from_name (const char *name); /* -1 when unknown */

/* Serialises with yajl_gen; *out is malloc'd and NUL terminated. */
int oci_state_to_json (const struct oci_state *state, bool pretty, char **out, size_t *len,
                       struct husk_error **err);
int oci_state_parse_data (const char *filename, const char *data, size_t len,
                          struct oci_state **out, struct husk_error **err);
void oci_state_free (struct oci_state *state);

/* The features.json that husk prints: true to what husk supports. */
/* `systemd`: linux.cgroup.systemd (and systemdUser), whether this build
 * has the systemd cgroup driver. */
int oci_features_to_json (bool systemd, char **out, size_t *len, struct husk_error **err);

/* The default config.json of `husk spec` (like runc's; rootless variant). */
int oci_spec_default_json (bool rootless, char **out, size_t *len, struct husk_error **err);

#define OCI_VERSION "1.2.0"

#endif
