/* Container logs in the CRI format as huskd serves them (kubectl logs):
 * each line parsed, and the whole input rendered with and without
 * timestamps, tail, since and a byte limit, as the query asks. */
#include <stdio.h>

#include "crilog.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data, *end = text + size;
  static const struct api_log_options opts[] = {
    { -1, 0, false, 0 }, { 2, 0, true, 0 }, { -1, 1.7e9, false, 5 }, { 0, 0, true, 1 },
  };

  for (const char *p = text; p < end;)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      size_t len = nl ? (size_t) (nl - p) : (size_t) (end - p);
      struct api_cri_line line;
      if (api_cri_parse_line (p, len, &line) && line.msg_len > len)
        abort ();
      p += len + 1;
    }
  for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
    {
      FILE *out = fopen ("/dev/null", "w");
      if (out == NULL)
        abort ();
      if (api_cri_render (text, size, &opts[i], out) > size)
        abort ();
      fclose (out);
    }
  return 0;
}
