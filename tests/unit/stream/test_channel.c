/* The Status documents kubectl reads on the error channel, the resize
 * message, and the protocol negotiation. */
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "tap.h"

int
main (void)
{
  struct husk_error *err = NULL;
  char *json;
  size_t len;
  uint16_t w = 0, h = 0;
  const char *argv[] = { "sh", "-c", "exit 3", NULL };
  const char *supported[] = { "v5.channel.k8s.io", "v4.channel.k8s.io", NULL };

  ok (stream_exit_status (0, argv, &json, &len, &err) == 0, "success status");
  is_str (json, "{\"metadata\":{},\"status\":\"Success\"}", "Success document");
  free (json);
  ok (stream_exit_status (3, argv, &json, &len, &err) == 0, "failure status");
  is_str (json, "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with "
                "non-zero exit code: error executing command [sh -c exit 3], exit code 3\","
                "\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                "\"message\":\"3\"}]}}",
          "NonZeroExitCode document, as kubelet writes it");
  free (json);
  ok (stream_resize_parse ((const uint8_t *) "{\"Width\":80,\"Height\":24}", 24, &w, &h, &err) == 0
          && w == 80 && h == 24,
      "resize message");
  ok (stream_resize_parse ((const uint8_t *) "{\"Width\":-1}", 12, &w, &h, &err) < 0, "bad resize refused");
  husk_error_release (&err);
  is_str (stream_choose_protocol ("v4.channel.k8s.io, v5.channel.k8s.io", supported),
          "v5.channel.k8s.io", "the newest protocol offered wins");
  is_str (stream_choose_protocol ("channel.k8s.io,v4.channel.k8s.io", supported),
          "v4.channel.k8s.io", "v4 without spaces");
  ok (stream_choose_protocol ("v5.channel.k8s.io.x", supported) == NULL, "no prefix matches");
  is_int (stream_channel_from_name ("stderr"), STREAM_STDERR, "streamtype stderr");
  is_int (stream_channel_from_name ("bogus"), -1, "unknown streamtype");
  return tap_done ();
}
