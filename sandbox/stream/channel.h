/* What Kubernetes' remotecommand streams carry, whatever the transport:
 * the channels (WebSocket channel byte, SPDY `streamtype` header), the
 * final Status on the error channel, and the terminal size messages. */
#ifndef HUSK_STREAM_CHANNEL_H
#define HUSK_STREAM_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../oci/error.h"

enum stream_channel {
  STREAM_STDIN = 0,
  STREAM_STDOUT = 1,
  STREAM_STDERR = 2,
  STREAM_ERROR = 3,
  STREAM_RESIZE = 4,
  STREAM_N_CHANNELS = 5,
  /* v5.channel.k8s.io: [255, channel] closes that channel (stdin's EOF) */
  STREAM_CLOSE = 255,
};

/* "stdin", "stdout", ... as in SPDY's streamtype header; NULL otherwise. */
const char *stream_channel_name (enum stream_channel c);
/* The channel of a streamtype value, -1 when unknown. */
int stream_channel_from_name (const char *name);

/* Is `name` one of the comma separated tokens of `list` (a header)? */
bool stream_list_has (const char *list, const char *name);
/* The first of `supported` (NULL terminated, our preference order) that
 * the peer offers in `offered`; NULL when none. */
const char *stream_choose_protocol (const char *offered, const char *const *supported);

/* The metav1.Status written on the error channel when the command ended:
 * Success for exit code 0, else Failure/NonZeroExitCode with the code as
 * the ExitCode cause (kubectl exits with it).  *json is malloc'd. */
int stream_exit_status (int exit_code, const char *const *argv, char **json, size_t *len,
                        struct husk_error **err);
/* A Failure Status for an error that is not the command's own exit
 * (InternalError: the container is gone, the runtime failed...). */
int stream_error_status (const char *message, char **json, size_t *len,
                         struct husk_error **err);

/* {"Width":W,"Height":H} from the resize channel. */
int stream_resize_parse (const uint8_t *data, size_t len, uint16_t *width, uint16_t *height,
                         struct husk_error **err);

#endif
